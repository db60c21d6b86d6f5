"""Surveys and responses: open, answer, submit, close. Keyword-only, one transaction each.

A survey is opened and closed by hand by a manager for now; the review-round clock will call the
same functions with `actor=None`. Transitions lock the survey row and check its state, so a double
click, a second worker or a late answer racing the close cannot slip through.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, require_action
from partnership.bulk import rows_update
from partnership.models import Partnership, Side
from partnership.notifications import Notice, notify_many
from partnership.periods import QUARTERLY, Period

from . import selectors
from .models import Rating, Response, Survey, SurveyState
from .results import compute_results

MOTIVATION_LOW, MOTIVATION_HIGH = 5, 9

# What else moves when a survey opens or closes: `reviews` registers its round, so a survey
# opened or closed by hand carries the round that drives it along (a round never says "Open"
# over a closed questionnaire). listener(survey=..., actor=...), inside the same transaction.
_LISTENERS: dict[str, list] = {"open": [], "close": []}


def transition_listener_register(*, transition: str, listener) -> None:
    if listener not in _LISTENERS[transition]:
        _LISTENERS[transition].append(listener)


def _transitioned(transition: str, survey: Survey, actor) -> None:
    for listener in _LISTENERS[transition]:
        listener(survey=survey, actor=actor)


def motivation_required(score: int | None) -> bool:
    """Scores of 5 and lower and of 9 and higher need a motivation."""
    return score is not None and (score <= MOTIVATION_LOW or score >= MOTIVATION_HIGH)


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().select_related("partnership").get(pk=survey.pk)


@transaction.atomic
def survey_create(
    *,
    actor,
    partnership: Partnership,
    period: Period | datetime.date | str,
    opens_at: datetime.datetime,
    closes_at: datetime.datetime,
) -> Survey:
    if actor is not None:
        require_action(actor, partnership, Action.MANAGE)
    period = _quarter(period)
    current = selectors.current_set(partnership=partnership)
    errors = _window_errors(opens_at, closes_at)
    if current is None:
        errors["period"] = _("Sign off an indicator set with both sides before planning a survey.")
    elif Survey.objects.filter(partnership=partnership, period_start=period.start).exists():
        errors["period"] = _("There is already a survey for %(period)s.") % {"period": period}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Survey.objects.create(
                partnership=partnership,
                indicator_set=current,
                period_start=period.start,
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=actor,
            )
    except IntegrityError:  # a second request planned the same quarter meanwhile
        raise ValidationError(
            {"period": _("There is already a survey for %(period)s.") % {"period": period}}
        ) from None


def _quarter(period: Period | datetime.date | str) -> Period:
    """Surveys run per quarter: a date, a month or a label ("2026-Q3") means its quarter."""
    if isinstance(period, str):
        try:
            period = Period.parse(period, QUARTERLY)
        except ValueError:
            raise ValidationError({"period": _("Enter a quarter such as 2026-Q3.")}) from None
    return Period.containing(getattr(period, "start", period), QUARTERLY)


def _window_errors(opens_at, closes_at) -> dict:
    errors = {}
    if not opens_at:
        errors["opens_at"] = _("Enter when the survey opens.")
    if not closes_at:
        errors["closes_at"] = _("Enter when the survey closes.")
    elif opens_at and closes_at <= opens_at:
        errors["closes_at"] = _("The survey must close after it opens.")
    return errors


@transaction.atomic
def survey_open(*, survey: Survey, actor=None) -> Survey:
    """Open the questionnaire with the set in use now, and tell everyone who rates."""
    if actor is not None:
        require_action(actor, survey.partnership, Action.MANAGE)
    survey = _lock(survey)
    if survey.state != SurveyState.SCHEDULED:
        raise ValidationError(_("Only a scheduled survey can be opened."))
    partnership = survey.partnership
    current = selectors.current_set(partnership=partnership)
    if current is None:
        raise ValidationError(_("There is no signed-off indicator set to survey."))
    now = timezone.now()
    survey.indicator_set = current
    survey.state = SurveyState.OPEN
    survey.opened_at = now
    if survey.opens_at > now:
        survey.opens_at = now
    if survey.closes_at <= now:
        raise ValidationError({"closes_at": _("The closing time has already passed.")})
    try:
        with transaction.atomic():
            survey.save()
    except IntegrityError:
        raise ValidationError(_("Another survey of this partnership is still open.")) from None
    notify_many(
        [_opened_notice(survey, [p.user for p in selectors.respondents(partnership=partnership)])]
    )
    _transitioned("open", survey, actor)
    return survey


@transaction.atomic
def survey_close(*, survey: Survey, actor=None) -> Survey:
    """Close the questionnaire, keep the grades, and unseal the results for everyone."""
    if actor is not None:
        require_action(actor, survey.partnership, Action.MANAGE)
    survey = _lock(survey)
    if survey.state != SurveyState.OPEN:
        raise ValidationError(_("Only an open survey can be closed."))
    _close(survey, timezone.now(), compute_results(survey=survey))
    survey.save()
    users = selectors.participants_to_inform(partnership=survey.partnership)
    notify_many([_closed_notice(survey, users)])
    _transitioned("close", survey, actor)
    return survey


def _close(survey: Survey, now: datetime.datetime, results) -> None:
    survey.state = SurveyState.CLOSED
    survey.closed_at = now
    survey.grade_to_supplier = results.grade_to_supplier
    survey.grade_to_client = results.grade_to_client


def _opened_notice(survey: Survey, users) -> Notice:
    return Notice(
        users=users,
        kind="sti.survey_opened",
        title=_("The cooperation survey for %(period)s is open"),
        body=_("Rate the cooperation before %(closes)s. Your answers stay sealed until it closes."),
        params={
            "period": survey.period.label,
            "closes": survey.closes_at,  # rendered in the reader's format
        },
        url=selectors.survey_url(survey),
        partnership=survey.partnership,
    )


def _closed_notice(survey: Survey, users) -> Notice:
    return Notice(
        users=users,
        kind="sti.survey_closed",
        title=_("The results of the cooperation survey for %(period)s are in"),
        params={"period": survey.period.label},
        url=selectors.survey_url(survey),
        partnership=survey.partnership,
    )


# --- many at once: the review clock's batches ------------------------------------------------
# The round that drives these surveys calls them with the survey rows locked (select_for_update)
# inside its own transaction, and moves itself: the transition listeners are not called. They
# do what `survey_open` and `survey_close` do for one survey, in a fixed number of queries.


def surveys_create_many(*, surveys: list[Survey]) -> list[Survey]:
    """Plan surveys (unsaved, each with its partnership's set in use and a valid window) in
    one insert, with their history rows. The unique quarter per partnership backs it up."""
    for survey in surveys:
        if survey.indicator_set_id is None or _window_errors(survey.opens_at, survey.closes_at):
            raise ValidationError(
                _("Sign off an indicator set with both sides before planning a survey.")
            )
    if surveys:
        Survey.objects.bulk_create(surveys)
        Survey.history.bulk_history_create(surveys)
    return surveys


def surveys_open_many(
    *, surveys: list[Survey], current_sets: dict, now: datetime.datetime
) -> list[Survey]:
    """Open scheduled surveys (their window already set) with their partnership's set in use
    (`current_sets`: partnership id -> set), and tell everyone who rates. All or nothing: a
    survey that is not scheduled, has no set or has already ended raises ValidationError."""
    if not surveys:
        return []
    for survey in surveys:
        current = current_sets.get(survey.partnership_id)
        if survey.state != SurveyState.SCHEDULED or current is None or survey.closes_at <= now:
            raise ValidationError(_("Only a scheduled survey can be opened."))
        survey.indicator_set = current
        survey.state = SurveyState.OPEN
        survey.opened_at = now
        survey.opens_at = min(survey.opens_at, now)
    _save_transition(
        surveys,
        ["indicator_set", "state", "opened_at", "opens_at", "closes_at"],
        was=SurveyState.SCHEDULED,
        refused=_("Only a scheduled survey can be opened."),
        told=selectors.respondents_across,
        notice=_opened_notice,
    )
    return surveys


def surveys_close_many(*, surveys: list[Survey], now: datetime.datetime) -> dict:
    """Close open surveys, keep their grades and unseal the results for everyone; returns
    survey id -> its results. All or nothing (a survey that is not open raises)."""
    from .results import compute_results_many

    if any(s.state != SurveyState.OPEN for s in surveys):
        raise ValidationError(_("Only an open survey can be closed."))
    if not surveys:
        return {}
    results = compute_results_many(surveys=surveys)
    for survey in surveys:
        _close(survey, now, results[survey.pk])
    _save_transition(
        surveys,
        ["state", "closed_at", "grade_to_supplier", "grade_to_client"],
        was=SurveyState.OPEN,
        refused=_("Only an open survey can be closed."),
        told=selectors.participants_across,
        notice=_closed_notice,
    )
    return results


def _save_transition(surveys, fields, *, was, refused, told, notice) -> None:
    """Write `fields` of `surveys` in one guarded UPDATE (each must still be in state `was`,
    else ValidationError `refused`), their history in one insert, and `notice` to the people
    `told(partnership_ids=…)` finds per partnership."""
    if rows_update(Survey, surveys, fields, state=was) != len(surveys):
        raise ValidationError(refused)
    Survey.history.bulk_history_create(surveys, update=True)
    people = told(partnership_ids={s.partnership_id for s in surveys})
    notify_many([notice(s, people.get(s.partnership_id, [])) for s in surveys])


def _score(value, key: str, errors: dict) -> int | None:
    if value in (None, ""):
        return None
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 10:
        errors[key] = _("Give a score from 1 to 10.")
        return None
    return score


def _clean_answers(survey: Survey, side: str, answers: Iterable[dict]) -> tuple[dict, dict]:
    """Check each answer against the survey's indicators; key them by (indicator id, side)."""
    other = Side.SUPPLIER if side == Side.CLIENT else Side.CLIENT
    indicators = {i.pk: i for i in survey.indicator_set.indicators.all()}
    cleaned, errors = {}, {}
    for answer in answers:
        raw = answer.get("indicator")
        indicator = indicators.get(_int(raw))
        rated_side = answer.get("rated_side")
        key = f"{getattr(raw, 'pk', raw)}-{rated_side}"
        if indicator is None or rated_side not in (side, other) or not indicator.rates(rated_side):
            errors[f"score-{key}"] = _("This indicator is not asked of you in this survey.")
            continue
        score = _score(answer.get("score"), f"score-{key}", errors)
        motivation = str(answer.get("motivation") or "").strip()
        cleaned[(indicator.pk, rated_side)] = (indicator, score, motivation)
    return cleaned, errors


def _int(value) -> int | None:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return None


def _check_complete(survey: Survey, side: str, cleaned: dict, errors: dict) -> None:
    other = Side.SUPPLIER if side == Side.CLIENT else Side.CLIENT
    for indicator in survey.indicator_set.indicators.all():
        if indicator.rates(other):
            _indicator, score, _m = cleaned.get((indicator.pk, other), (indicator, None, ""))
            if score is None:
                errors.setdefault(f"score-{indicator.pk}-{other}", _("Give a score from 1 to 10."))
    for (pk, rated_side), (_indicator, score, motivation) in cleaned.items():
        if motivation_required(score) and not motivation:
            errors[f"motivation-{pk}-{rated_side}"] = _(
                "Explain a score of 5 or lower, or of 9 or higher."
            )


@transaction.atomic
def response_save(*, actor, survey: Survey, answers: Iterable[dict], submit: bool = False):
    """Save the caller's answers as a draft, or submit them. Editable until the survey closes."""
    access = require_action(actor, survey.partnership, Action.PARTICIPATE)
    survey = _lock(survey)
    if not survey.is_open:
        raise ValidationError(_("This survey is not open; answers can no longer change."))
    if not selectors.is_respondent(partnership=survey.partnership, user=actor):
        raise PermissionDenied(_("Only participants of the two sides fill in the questionnaire."))
    side = access.side
    response, _created = Response.objects.select_for_update().get_or_create(
        survey=survey, respondent=actor, defaults={"side": side}
    )
    cleaned, errors = _clean_answers(survey, side, answers)
    if submit or response.is_submitted:
        # Answers not sent this time keep their saved value; completeness looks at both.
        merged = {
            (r.indicator_id, r.rated_side): (r.indicator, r.score, r.motivation)
            for r in response.ratings.select_related("indicator")
        }
        merged.update(cleaned)
        _check_complete(survey, side, merged, errors)
    if errors:
        raise ValidationError(errors)
    _store_ratings(response, cleaned)
    if submit and not response.is_submitted:
        response.submitted_at = timezone.now()
    response.save()
    return response


def _store_ratings(response: Response, cleaned: dict) -> None:
    existing = {(r.indicator_id, r.rated_side): r for r in response.ratings.all()}
    for key, (indicator, score, motivation) in cleaned.items():
        rating = existing.pop(key, None)
        if score is None and not motivation:
            if rating is not None:
                rating.delete()
            continue
        if rating is None:
            rating = Rating(response=response, indicator=indicator, rated_side=key[1])
        elif (rating.score, rating.motivation) == (score, motivation):
            continue
        rating.score, rating.motivation = score, motivation
        rating.save()
