"""The review clock's batches: plan, open, remind and close many rounds in one transaction.

Each function does for a batch (a few hundred rounds) what the one-round service does for one
(`services_planning._plan`, `services.round_open`, `clock._remind`, `services.round_close`),
in a fixed number of queries whatever the batch's size: rows are locked and re-checked in one
query, states move in one guarded UPDATE (its row count must match, and the database trigger
still checks every step), events, reminders, surveys, notifications and their mail are inserted
in bulk. A round that cannot move (another round of its partnership is open, its questionnaire
has no indicator set) is left out, as the one-round service would refuse it. Anything else
raises, the caller's transaction rolls the whole batch back and the clock falls back to the
one-round services for it.

Two clocks at once: the second one's locking query waits for the first batch to commit and
then no longer matches the rounds that moved; reminders are claimed by unique rows read after
the lock. `actor` is always the clock (`None`).
"""

import datetime

from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Least

from partnership.bulk import rows_update
from partnership.models import Side
from partnership.notifications import notify_many
from sti import selectors as sti_selectors
from sti import services_surveys as surveys
from sti.models import Response, Survey, SurveyState

from . import calendar, selectors
from .models import ReminderKind, ReviewRound, RoundEvent, RoundReminder, RoundState
from .services import closing_notice, opened_without_survey_notice, plan_session_notice

REMINDERS = (
    (datetime.timedelta(days=1), ReminderKind.CLOSING_1_DAY),
    (datetime.timedelta(days=3), ReminderKind.CLOSING_3_DAYS),
)


class BatchConflict(Exception):
    """A guarded update matched fewer rows than were locked: leave the batch to one-by-one."""


def rounds_plan_many(*, partnerships, today: datetime.date) -> int:
    """Plan the round of the period containing `today` for each partnership, with its survey."""
    windows = {}
    rounds = []
    for partnership in partnerships:
        review_settings = selectors.settings_for(partnership=partnership)
        period = calendar.ReviewPeriod.containing(today, review_settings.cadence)
        key = (period, review_settings.open_after_working_days, review_settings.open_days)
        if key not in windows:
            windows[key] = calendar.window(period, open_after_working_days=key[1], open_days=key[2])
        opens_at, closes_at = windows[key]
        rounds.append(
            ReviewRound(
                partnership=partnership,
                period_start=period.start,
                period_end=period.end,
                opens_at=opens_at,
                closes_at=closes_at,
            )
        )
    _surveys_link(rounds)
    ReviewRound.objects.bulk_create(rounds)
    return len(rounds)


def _surveys_link(rounds: list[ReviewRound]) -> list[ReviewRound]:
    """`services_planning._link_survey` for many rounds; returns the rounds given a survey."""
    todo = [r for r in rounds if r.survey_id is None]
    if not todo:
        return []
    quarter = {
        id(r): calendar.ReviewPeriod(r.period_start, r.period_end, 3).survey_quarter for r in todo
    }
    ids = {r.partnership_id for r in todo}
    existing = {
        (s.partnership_id, s.period_start): s
        for s in Survey.objects.filter(
            partnership_id__in=ids, period_start__in={q.start for q in quarter.values()}
        ).annotate(linked=Exists(ReviewRound.objects.filter(survey=OuterRef("pk"))))
    }
    current = sti_selectors.current_sets(partnership_ids=ids)
    linked, planned = [], []
    for r in todo:
        survey = existing.get((r.partnership_id, quarter[id(r)].start))
        if survey is None and r.partnership_id in current:
            survey = Survey(
                partnership=r.partnership,
                indicator_set=current[r.partnership_id],
                period_start=quarter[id(r)].start,
                opens_at=r.opens_at,
                closes_at=r.closes_at,
            )
            planned.append(survey)
        elif survey is None or survey.linked:
            continue  # no set signed off yet, or the quarter's survey belongs to another round
        survey.linked = True
        survey.partnership = r.partnership
        r.survey = survey
        linked.append(r)
    surveys.surveys_create_many(surveys=planned)
    for r in linked:
        r.survey_id = r.survey.pk
    return linked


def _locked(ids, annotate=None, **lookups) -> list[ReviewRound]:
    """The rounds of `ids` that still match `lookups`, locked in id order (two clocks lock in
    the same order, so they wait for each other instead of deadlocking)."""
    return list(
        ReviewRound.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids), **lookups)
        .annotate(**(annotate or {}))
        .select_related("partnership")
        .order_by("pk")
    )


def _lock_surveys(rounds: list[ReviewRound]) -> None:
    """Lock the rounds' surveys (as the survey services do) and read their state afresh."""
    ids = [r.survey_id for r in rounds if r.survey_id]
    locked = {s.pk: s for s in Survey.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    for r in rounds:
        if r.survey_id:
            r.survey = locked[r.survey_id]
            r.survey.partnership = r.partnership


def _move(rounds: list[ReviewRound], before: str, to: str, now, **update) -> None:
    """One guarded UPDATE and the rounds' events; the trigger checks the step once more."""
    if not rounds:
        return
    moved = ReviewRound.objects.filter(pk__in=[r.pk for r in rounds], state=before).update(
        state=to, **update
    )
    if moved != len(rounds):
        raise BatchConflict(f"{moved} of {len(rounds)} rounds moved from {before} to {to}")
    RoundEvent.objects.bulk_create(
        [RoundEvent(round=r, from_state=before, to_state=to, actor=None, at=now) for r in rounds]
    )
    for r in rounds:
        r.state = to


def rounds_open_many(*, ids, now: datetime.datetime) -> int:
    """`services.round_open` for the scheduled rounds of `ids` whose window is still open."""
    others_open = ReviewRound.objects.filter(
        partnership_id=OuterRef("partnership_id"), state=RoundState.OPEN
    )
    rounds = [
        r
        for r in _locked(
            ids,
            annotate={"others_open": Exists(others_open)},
            state=RoundState.SCHEDULED,
            closes_at__gt=now,
        )
        if not r.others_open
    ]
    rows_update(ReviewRound, _surveys_link(rounds), ["survey"])
    _lock_surveys(rounds)
    waiting = [r for r in rounds if r.survey and r.survey.state == SurveyState.SCHEDULED]
    current = sti_selectors.current_sets(partnership_ids={r.partnership_id for r in waiting})
    # A questionnaire without a set in use cannot open, and neither can its round.
    blocked = {r.pk for r in waiting if r.partnership_id not in current}
    rounds = [r for r in rounds if r.pk not in blocked]
    waiting = [r for r in waiting if r.pk not in blocked]
    _move(
        rounds,
        RoundState.SCHEDULED,
        RoundState.OPEN,
        now,
        opened_at=now,
        opens_at=Least("opens_at", Value(now)),
    )
    for r in rounds:
        r.opened_at, r.opens_at = now, min(r.opens_at, now)
    for r in waiting:
        # A survey planned by hand may have had another window: the round's window wins.
        r.survey.opens_at, r.survey.closes_at = r.opens_at, r.closes_at
    surveys.surveys_open_many(surveys=[r.survey for r in waiting], current_sets=current, now=now)
    without = [r for r in rounds if r.survey is None]
    managers = sti_selectors.managers_across(partnerships=[r.partnership for r in without])
    notify_many([opened_without_survey_notice(r, managers[r.partnership_id]) for r in without])
    return len(rounds)


def rounds_remind_many(*, ids, now: datetime.datetime) -> int:
    """Remind everyone who rates and has not submitted, 3 days and 1 day before closing."""
    rounds = list(
        ReviewRound.objects.select_for_update(of=("self",))
        .filter(
            pk__in=list(ids),
            state=RoundState.OPEN,
            survey__state=SurveyState.OPEN,
            closes_at__gt=now,
            closes_at__lte=now + REMINDERS[-1][0],
        )
        .select_related("partnership", "survey")
        .order_by("pk")
    )
    if not rounds:
        return 0
    submitted = set(
        Response.objects.filter(
            survey_id__in=[r.survey_id for r in rounds], submitted_at__isnull=False
        ).values_list("survey_id", "respondent_id")
    )
    raters = sti_selectors.respondents_across(partnership_ids={r.partnership_id for r in rounds})
    wanted = {}
    for r in rounds:
        left = r.closes_at - now
        kind = next(kind for limit, kind in REMINDERS if left <= limit)
        waiting = [
            u for u in raters.get(r.partnership_id, []) if (r.survey_id, u.pk) not in submitted
        ]
        wanted[r] = (kind, waiting)
    claimed = _claim(wanted)
    notify_many([closing_notice(r, wanted[r][0], users) for r, users in claimed.items()])
    return sum(len(users) for users in claimed.values())


def _claim(wanted: dict) -> dict:
    """round -> the users whose reminder row (of the round's kind) this call created; the
    round rows are locked, and the unique constraint backs it up (`services.reminders_claim`)."""
    taken = set(
        RoundReminder.objects.filter(
            round__in=list(wanted), kind__in={kind for kind, _users in wanted.values()}
        ).values_list("round_id", "user_id", "kind")
    )
    claimed = {}
    for r, (kind, users) in wanted.items():
        fresh = {u.pk: u for u in users if (r.pk, u.pk, kind) not in taken}
        claimed[r] = list(fresh.values())
    RoundReminder.objects.bulk_create(
        [
            RoundReminder(round=r, user=u, kind=wanted[r][0])
            for r, users in claimed.items()
            for u in users
        ]
    )
    return claimed


def rounds_close_many(*, ids, now: datetime.datetime) -> int:
    """`services.round_close` for the open rounds of `ids`: the questionnaires close and
    unseal, the agenda is proposed and the facilitator (else the managers) asked to plan."""
    from sti.results import compute_results_many

    from .agenda_batch import agenda_propose_many

    rounds = _locked(ids, state=RoundState.OPEN)
    if not rounds:
        return 0
    _move(rounds, RoundState.OPEN, RoundState.CLOSED, now, closed_at=now)
    for r in rounds:
        r.closed_at = now
    _lock_surveys(rounds)
    closing = [r.survey for r in rounds if r.survey and r.survey.state == SurveyState.OPEN]
    results = surveys.surveys_close_many(surveys=closing, now=now)
    closed_before = [r.survey for r in rounds if r.survey and r.survey.state == SurveyState.CLOSED]
    results |= compute_results_many(surveys=[s for s in closed_before if s.pk not in results])
    agenda_propose_many(rounds=rounds, results=results, now=now)
    _ask_to_plan(rounds)
    return len(rounds)


def _ask_to_plan(rounds: list[ReviewRound]) -> None:
    ids = {r.partnership_id for r in rounds}
    facilitators = sti_selectors.participants_across(partnership_ids=ids, side=Side.FACILITATOR)
    alone = [r.partnership for r in rounds if not facilitators.get(r.partnership_id)]
    managers = sti_selectors.managers_across(partnerships=alone)
    wanted = {
        r: (
            ReminderKind.PLAN_SESSION,
            facilitators.get(r.partnership_id) or managers.get(r.partnership_id, []),
        )
        for r in rounds
    }
    claimed = _claim(wanted)
    notify_many([plan_session_notice(r, users) for r, users in claimed.items()])
