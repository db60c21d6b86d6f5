"""The cooperation indicators of the demo hospital and its cleaner.

In their kick-off workshop Sint-Lucas and CleanCare agreed six indicators. Since then they have
rated each other for four quarters: the grade the hospital gives climbs from a troubled start
(unanswered mail, a missed emergency call, forgotten rounds) to a supplier that comes with its own
proposals. The survey of the quarter just ended is open and partly answered; the facility manager
and the project leader have not answered yet, so a visitor can fill it in. The indicators, scores
and motivations are in `demo_data/indicators.toml`.

Everything goes through the services, as the demo managers would do it. The services work in
"now", so afterwards the seeder moves the past surveys to the dates they ran on (`_backdate_*`).
"""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from partnership.demo import load_data
from partnership.models import Notification, Side
from partnership.periods import QUARTERLY, Period, last_periods

from . import selectors, services, services_surveys
from .models import IndicatorSet, RatedSide, Response, SignOff, Survey

_S, _C = Side.SUPPLIER, Side.CLIENT


def seed(world) -> None:
    partnership = world.partnerships.get("cleaning")
    if partnership is None or IndicatorSet.objects.filter(partnership=partnership).exists():
        return
    data = load_data(__file__, "indicators")
    quarters = last_periods(QUARTERLY, len(data["quarters"]) + 1, timezone.localdate())
    workshop = _at(quarters[0].start - datetime.timedelta(days=data["workshop_days_before"]))
    indicator_set = _adopt_set(partnership, world.users, workshop, data)
    indicators = {i.library_key: i for i in indicator_set.indicators.all()}
    raters = _raters(partnership, world.users)
    manager = world.users["cm"]
    for quarter, ratings in zip(quarters[:-1], data["quarters"], strict=True):
        _past_survey(partnership, manager, raters, indicators, quarter, ratings, data)
    _open_survey(partnership, manager, raters, indicators, quarters[-1], data)


def _raters(partnership, users: dict) -> dict:
    """Demo key -> user, for the demo people who fill in the questionnaire."""
    answering = {p.user_id for p in selectors.respondents(partnership=partnership)}
    return {key: user for key, user in users.items() if user.pk in answering}


def _adopt_set(partnership, users: dict, workshop: datetime.datetime, data: dict) -> IndicatorSet:
    client_manager, supplier_manager = users["cm"], users["pl"]
    draft = services.indicator_set_draft(
        actor=client_manager, partnership=partnership, note=data["note"]
    )
    for indicator in data["indicators"]:
        services.indicator_add(
            actor=client_manager,
            indicator_set=draft,
            library_key=indicator["key"],
            name=indicator["name"],
            meaning=indicator["meaning"],
            behaviours="\n".join(indicator["behaviours"]),
            rated_side=RatedSide(indicator["rated_side"]),
        )
    services.indicator_set_sign_off(actor=client_manager, indicator_set=draft)
    services.indicator_set_sign_off(actor=supplier_manager, indicator_set=draft)
    _backdate_set(draft, workshop)
    return draft


def _answers(indicators: dict, scores: dict, rated_side: str, motivations: dict) -> list:
    return [
        {
            "indicator": indicators[indicator_key],
            "rated_side": rated_side,
            "score": score,
            "motivation": motivations.get(indicator_key, ""),
        }
        for indicator_key, score in scores.items()
    ]


def _past_answers(indicators: dict, key: str, ratings: dict, data: dict) -> list:
    """A rater's scores of the other side in a past quarter (its `ratings`), and their
    self-assessment."""
    if key in data["client_raters"]:
        column, table, own, other = data["client_raters"].index(key), "to_supplier", _C, _S
    else:
        column, table, own, other = data["supplier_raters"].index(key), "to_client", _S, _C
    scores = {indicator_key: row[column] for indicator_key, row in ratings[table].items()}
    motivations = ratings.get("motivations", {}).get(key, {})
    answers = _answers(indicators, scores, other, motivations.get(other, {}))
    own_scores = ratings.get("self_assessment", {}).get(key)
    if own_scores:
        answers += _answers(indicators, own_scores, own, motivations.get(own, {}))
    return answers


def _past_survey(
    partnership, manager, raters: dict, indicators: dict, quarter: Period, ratings: dict, data: dict
) -> None:
    now = timezone.now()
    days = datetime.timedelta(days=data["survey_days"])
    survey = services_surveys.survey_create(
        actor=manager, partnership=partnership, period=quarter, opens_at=now, closes_at=now + days
    )
    survey = services_surveys.survey_open(survey=survey, actor=manager)
    for key, user in raters.items():
        if key in data["client_raters"] or key in data["supplier_raters"]:
            answers = _past_answers(indicators, key, ratings, data)
            services_surveys.response_save(actor=user, survey=survey, answers=answers, submit=True)
    services_surveys.survey_close(survey=survey, actor=manager)
    opens = _at(_first_working_day(quarter.end + datetime.timedelta(days=1)))
    _backdate_survey(survey, opens, opens + days, closed=True)
    # The notices of a round that ended long ago are stale news: they go, and so do their e-mails
    # (the e-mail task runs after commit and finds nothing to send).
    Notification.objects.filter(url=selectors.survey_url(survey)).delete()


def _open_survey(
    partnership, manager, raters: dict, indicators: dict, quarter: Period, data: dict
) -> None:
    spec = data["open"]
    now = timezone.now()
    survey = services_surveys.survey_create(
        actor=manager,
        partnership=partnership,
        period=quarter,
        opens_at=now,
        closes_at=now + datetime.timedelta(days=spec["days_left"]),
    )
    survey = services_surveys.survey_open(survey=survey, actor=manager)
    answering = [*((k, True) for k in spec["submitted"]), *((k, False) for k in spec["draft"])]
    for key, submit in answering:
        user = raters.get(key)
        if user is None:
            continue
        other = _S if key in data["client_raters"] else _C
        scores = spec["submitted" if submit else "draft"][key]
        answers = _answers(indicators, scores, other, {})
        services_surveys.response_save(actor=user, survey=survey, answers=answers, submit=submit)
    # Opened a few days ago, so the early birds answered on earlier days than today.
    opened = now - datetime.timedelta(days=spec["days_ago"])
    _backdate_survey(survey, opened, survey.closes_at)
    Notification.objects.filter(url=selectors.survey_url(survey)).update(created_at=opened)


# Backdating. Only the demo may rewrite when something happened: the services stamp "now", and a
# demo whose past quarters were all surveyed today would show a meaningless timeline. Plain
# queryset updates leave the audit trail alone, so its records are moved along explicitly.


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _first_working_day(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5 or (day.month, day.day) == (1, 1):
        day += datetime.timedelta(days=1)
    return day


def _backdate_history(records: QuerySet, dates: list) -> None:
    """Give an object's audit records, oldest first, the dates of `dates` (the last one repeats)."""
    for position, record in enumerate(records.order_by("history_id")):
        when = dates[min(position, len(dates) - 1)]
        records.filter(history_id=record.history_id).update(history_date=when)


def _backdate_set(indicator_set: IndicatorSet, workshop: datetime.datetime) -> None:
    """Drafted in the workshop; signed off by the client after five days, the supplier after
    seven, which adopted it."""
    client_signed = workshop + datetime.timedelta(days=5)
    adopted = workshop + datetime.timedelta(days=7)
    IndicatorSet.objects.filter(pk=indicator_set.pk).update(created_at=workshop, adopted_at=adopted)
    set_history = IndicatorSet.history.filter(id=indicator_set.pk)
    set_history.filter(adopted_at__isnull=False).update(adopted_at=adopted)
    _backdate_history(set_history, [workshop, adopted])
    for indicator in indicator_set.indicators.all():
        _backdate_history(indicator.history.all(), [workshop])
    for sign_off in indicator_set.sign_offs.all():
        when = client_signed if sign_off.side == _C else adopted
        SignOff.objects.filter(pk=sign_off.pk).update(signed_at=when)
        _backdate_history(SignOff.history.filter(id=sign_off.pk), [when])
        SignOff.history.filter(id=sign_off.pk).update(signed_at=when)
    # The set's notices (sign-off asked, set adopted) are as stale as the workshop.
    Notification.objects.filter(url=selectors.set_url(indicator_set)).delete()


def _backdate_survey(survey: Survey, opens, closes, closed: bool = False) -> None:
    """Move a survey to the window it ran in, with its answers spread over that window."""
    times = {"opens_at": opens, "opened_at": opens, "closes_at": closes}
    if closed:
        times["closed_at"] = closes
    created = opens - datetime.timedelta(days=7)
    Survey.objects.filter(pk=survey.pk).update(created_at=created, **times)
    history = Survey.history.filter(id=survey.pk)
    history.update(opens_at=opens, closes_at=closes)
    history.filter(opened_at__isnull=False).update(opened_at=opens)
    history.filter(closed_at__isnull=False).update(closed_at=closes)
    _backdate_history(history, [created, opens, closes])
    answered = Response.objects.filter(survey=survey).order_by("side", "respondent__email")
    last = max(opens, min(closes, timezone.now()) - datetime.timedelta(hours=1))
    for position, response in enumerate(answered):
        when = min(opens + datetime.timedelta(days=1 + 3 * position, hours=position), last)
        Response.objects.filter(pk=response.pk).update(
            created_at=when - datetime.timedelta(minutes=20),
            updated_at=when,
            submitted_at=when if response.submitted_at else None,
        )
