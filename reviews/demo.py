"""The review rounds of the demo world.

Sint-Lucas and CleanCare have looked back together four times, each time in a session led by
Eva Claes of Samen Verder: a troubled first quarter (unanswered mail, a missed emergency call,
31 open complaints), then quarter by quarter better, until the supplier comes with its own
proposals. Every past round was discussed and published, with minutes, decisions and actions on
both sides; most actions are done, a few run on, and one is overdue. The round of the quarter
just ended is open (its questionnaire is the open demo survey of `sti.demo`) and the round of the
current quarter is planned.

The Rijnland pilot, which the same facilitator evaluates with both sides, has its first round
closed and waiting for a session: that is what the facilitator's workspace asks them to do.
Catering Sint-Lucas is still in its kick-off and runs no rounds yet. The agendas, minutes,
decisions and actions are in `demo_data/rounds.toml`.

Past rounds are written in their final state, with every moment they passed through and one
`RoundEvent` per step (the database trigger guards changes of state, not inserts). Actions go
through the services at the moment they were agreed (`now=`); the report is compiled by the real
`reviews.report` when each round is published, in the order things happened, so each frozen
report shows the actions as they stood then. Everything is dated relative to today.
"""

import datetime

from django.db.models import Model
from django.utils import timezone

from partnership.demo import load_data
from partnership.models import Notification, Participant, Side
from partnership.periods import QUARTERLY, last_periods
from sti.models import Survey, SurveyState

from . import calendar, services, services_actions, services_planning
from .models import (
    ActionItem,
    ActionOrigin,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Decision,
    ReviewRound,
    RoundEvent,
    RoundState,
    Session,
)


def seed(world) -> None:
    data = load_data(__file__, "rounds")
    cleaning = world.partnerships.get("cleaning")
    if cleaning is not None:
        _seed_cleaning(cleaning, world.users, data)
    university = world.partnerships.get("university")
    if university is not None and "fac" in world.users:
        _seed_pilot(university, world.users, data["pilot"])


# --- Times -------------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=calendar.TIME_ZONE)


def _period(quarter) -> calendar.ReviewPeriod:
    return calendar.ReviewPeriod(quarter.start, quarter.end, 3)


def _stamp(model: type[Model], pk: int, when: datetime.datetime, **fields) -> None:
    """Date an object (and its newest audit record) to when it happened."""
    model.objects.filter(pk=pk).update(**fields)
    history = getattr(model, "history", None)
    if history is not None:
        latest = history.filter(id=pk).order_by("-history_id").first()
        if latest is not None:
            history.filter(history_id=latest.history_id).update(history_date=when)


# --- Sint-Lucas and CleanCare ---------------------------------------------------------------


def _seed_cleaning(partnership, users: dict, data: dict) -> None:
    if ReviewRound.objects.filter(partnership=partnership).exists():
        return
    now = timezone.now()
    quarters = last_periods(QUARTERLY, len(data["rounds"]) + 1, calendar.local_date(now))
    surveys = {
        s.period_start: s
        for s in Survey.objects.filter(
            partnership=partnership, period_start__in=[q.start for q in quarters]
        )
    }
    if len(surveys) < len(quarters):
        return  # no questionnaires (the indicators are seeded by sti.demo)
    indicators = {
        i.library_key: i for i in surveys[quarters[-1].start].indicator_set.indicators.all()
    }
    kpis = {k.name: k for k in partnership.kpis.all()}
    facilitator = users["fac"]
    pending: list[tuple[datetime.datetime, int, str, object]] = []  # (when, action, status, owner)
    links = {"indicators": indicators, "kpis": kpis}
    for index, (quarter, spec) in enumerate(zip(quarters[:-1], data["rounds"], strict=True)):
        survey = surveys[quarter.start]
        if survey.state != SurveyState.CLOSED:
            return
        review_round, published_at = _past_round(
            partnership, quarter, survey, spec, index, links, users, pending, now, data
        )
        # Whatever changed in the actions before this report was frozen shows in it.
        pending.sort(key=lambda change: change[0])
        while pending and pending[0][0] <= published_at:
            _apply(*pending.pop(0))
        _publish(review_round, facilitator, published_at)
    for change in pending:
        _apply(*change)
    Notification.objects.filter(
        partnership=partnership, kind="reviews.action_assigned"
    ).delete()  # the news of actions agreed in long-past sessions
    _current_round(partnership, quarters[-1], surveys[quarters[-1].start])
    services_planning.round_plan(partnership=partnership, period=_period(quarters[-1]).next())


def _past_round(
    partnership, quarter, survey, spec, index, links, users, pending, now, data
) -> tuple[ReviewRound, datetime.datetime]:
    facilitator = users["fac"]
    opens, closes = survey.opens_at, survey.closes_at
    session_day = calendar.working_day_after(calendar.local_date(closes), 6 + index % 2)
    starts = _at(session_day, 14)
    ends = starts + datetime.timedelta(hours=2)
    discussed = ends + datetime.timedelta(minutes=20)
    published = _at(calendar.working_day_after(session_day, 3), 10)
    review_round = ReviewRound.objects.create(
        partnership=partnership,
        period_start=quarter.start,
        period_end=quarter.end,
        survey=survey,
        state=RoundState.DISCUSSED,
        opens_at=opens,
        closes_at=closes,
        opened_at=opens,
        closed_at=closes,
        discussed_at=discussed,
    )
    ReviewRound.objects.filter(pk=review_round.pk).update(
        created_at=calendar.at_day_start(quarter.start)
    )
    RoundEvent.objects.bulk_create(
        [
            RoundEvent(round=review_round, from_state=a, to_state=b, actor=actor, at=at)
            for a, b, actor, at in (
                (RoundState.SCHEDULED, RoundState.OPEN, None, opens),
                (RoundState.OPEN, RoundState.CLOSED, None, closes),
                (RoundState.CLOSED, RoundState.DISCUSSED, facilitator, discussed),
            )
        ]
    )
    invited = _at(calendar.working_day_after(calendar.local_date(closes), 1), 10)
    session = Session.objects.create(
        round=review_round,
        starts_at=starts,
        ends_at=ends,
        location="" if spec["video"] else data["room"],
        video_url=data["video_url"] if spec["video"] else "",
        note=data["session_note"],
        planned_by=facilitator,
        invited_at=invited,
        held_at=starts,
    )
    _stamp(Session, session.pk, invited, created_at=invited, updated_at=discussed)
    for position, item_spec in enumerate(spec["items"], start=1):
        item = AgendaItem.objects.create(
            round=review_round,
            position=position,
            kind=AgendaKind(item_spec["kind"]),
            title=item_spec["title"],
            details=item_spec.get("details", ""),
            indicator=links["indicators"].get(item_spec.get("indicator")),
            kpi=links["kpis"].get(item_spec.get("kpi")),
        )
        _stamp(AgendaItem, item.pk, closes, created_at=closes)  # proposed when it closed
        item.minutes = item_spec["minutes"]
        item.save(update_fields=["minutes"])
        _stamp(AgendaItem, item.pk, starts + datetime.timedelta(minutes=20 * position))
        for number, text in enumerate(item_spec.get("decisions", [])):
            decision = Decision.objects.create(
                round=review_round, agenda_item=item, text=text, created_by=facilitator
            )
            when = starts + datetime.timedelta(minutes=20 * position + number)
            _stamp(Decision, decision.pk, when, created_at=when)
        agreed = starts + datetime.timedelta(minutes=20 * position + 5)
        for action in item_spec.get("actions", []):
            owner = users[action["owner"]]
            _agree(item, action, owner, facilitator, when=agreed, pending=pending, now=now)
    return review_round, published


def _agree(
    item: AgendaItem,
    spec: dict,
    owner,
    facilitator,
    *,
    when: datetime.datetime,
    pending: list,
    now: datetime.datetime,
) -> None:
    """An action agreed in the session, and the later changes of its status."""
    if "due_from_today" in spec:  # still running, so due relative to the day of seeding
        due_date = calendar.local_date(now) + datetime.timedelta(days=spec["due_from_today"])
    else:
        due_date = calendar.local_date(when) + datetime.timedelta(days=spec["due_after_session"])
    status = ActionStatus(spec["status"])
    action = services_actions.action_create(
        actor=facilitator,
        partnership=item.round.partnership,
        title=spec["title"],
        description=spec.get("description", ""),
        owner=owner,
        due_date=due_date,
        origin=ActionOrigin.KPI if item.kpi else ActionOrigin.SESSION,
        review_round=item.round,
        agenda_item=item,
        kpi=item.kpi,
        now=when,
    )
    _stamp(ActionItem, action.pk, when, created_at=when, updated_at=when)
    latest = now - datetime.timedelta(hours=2)
    if status in (ActionStatus.IN_PROGRESS, ActionStatus.DONE):
        started = min(when + datetime.timedelta(days=5), latest)
        pending.append((started, action.pk, ActionStatus.IN_PROGRESS, owner))
    if status == ActionStatus.DONE:
        finished = _at(due_date - datetime.timedelta(days=2), 16)
        pending.append(
            (
                min(max(finished, when + datetime.timedelta(days=6)), latest),
                action.pk,
                ActionStatus.DONE,
                owner,
            )
        )


def _apply(when: datetime.datetime, action_id: int, status: str, owner) -> None:
    action = ActionItem.objects.get(pk=action_id)
    services_actions.action_set_status(actor=owner, action=action, status=status, now=when)
    _stamp(ActionItem, action_id, when, updated_at=when)


def _publish(review_round: ReviewRound, facilitator, published_at: datetime.datetime) -> None:
    """Freeze the report as it stood then. Both sides were told back then, so the clock tells
    nobody again; the PDFs are rendered when first downloaded (or by a worker)."""
    from . import report  # through the module: the real compiler, whoever finished it

    review_round.refresh_from_db()
    snapshot = report.compile_report(review_round=review_round, now=published_at)
    ReviewRound.objects.filter(pk=review_round.pk).update(
        state=RoundState.PUBLISHED,
        published_at=published_at,
        report_snapshot=snapshot,
        report_edition=1,
        report_notified_at=published_at + datetime.timedelta(minutes=5),
    )
    RoundEvent.objects.create(
        round=review_round,
        from_state=RoundState.DISCUSSED,
        to_state=RoundState.PUBLISHED,
        actor=facilitator,
        at=published_at,
    )


def _current_round(partnership, quarter, survey: Survey) -> ReviewRound | None:
    """The round of the quarter just ended, open with the demo's open questionnaire."""
    if survey.state != SurveyState.OPEN:
        return None
    review_round = services_planning.round_plan(partnership=partnership, period=_period(quarter))
    # The questionnaire opened a few days ago and closes in a few days: the round follows it.
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=survey.opens_at,
        closes_at=survey.closes_at,
        created_at=calendar.at_day_start(quarter.start),
    )
    review_round.refresh_from_db()
    return services.round_open(review_round=review_round, now=survey.opened_at or survey.opens_at)


# --- The Rijnland pilot ---------------------------------------------------------------------


def _seed_pilot(partnership, users: dict, spec: dict) -> None:
    """The pilot's first round: questionnaire-less (no indicators agreed yet), closed, and the
    facilitator asked to plan its session."""
    facilitator = users["fac"]
    Participant.including_former.get_or_create(
        partnership=partnership,
        user=facilitator,
        defaults={"side": Side.FACILITATOR, "title": spec["facilitator_title"]},
    )
    if ReviewRound.objects.filter(partnership=partnership).exists():
        return
    now = timezone.now()
    quarter = last_periods(QUARTERLY, 1, calendar.local_date(now))[0]
    review_round = services_planning.round_plan(partnership=partnership, period=_period(quarter))
    # The window closed a few days ago (for the demo; the pilot's own calendar ran later).
    closes = now - datetime.timedelta(days=3)
    opens = max(review_round.opens_at, closes - datetime.timedelta(days=14))
    opens = min(opens, closes - datetime.timedelta(days=3))
    ReviewRound.objects.filter(pk=review_round.pk).update(
        opens_at=opens, closes_at=closes, created_at=calendar.at_day_start(quarter.start)
    )
    review_round.refresh_from_db()
    review_round = services.round_open(review_round=review_round, now=opens)
    review_round = services.round_close(review_round=review_round, now=closes)
    url = review_round.get_absolute_url()
    Notification.objects.filter(url=url, kind="reviews.round_opened_without_survey").delete()
    Notification.objects.filter(url=url, kind="reviews.plan_session").update(created_at=closes)
    position = AgendaItem.objects.filter(round=review_round).count()
    for offset, item_spec in enumerate(spec["items"], start=1):
        item = AgendaItem.objects.create(
            round=review_round,
            position=position + offset,
            kind=AgendaKind.OTHER,
            title=item_spec["title"],
            details=item_spec["details"],
        )
        _stamp(AgendaItem, item.pk, closes, created_at=closes)
    services_planning.round_plan(partnership=partnership, period=_period(quarter).next())
