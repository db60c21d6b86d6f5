"""The demo's review rounds: four past rounds of Sint-Lucas and CleanCare, discussed and
published with minutes, decisions and actions (most done, exactly one overdue) and a grade that
climbs; the round of the quarter just ended open with its questionnaire; and a pilot round
waiting for the facilitator to plan its session."""

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from partnership.models import Notification, Partnership, Side
from partnership.periods import QUARTERLY, Period
from reviews import calendar, clock, selectors
from reviews.models import (
    STATE_ORDER,
    ActionItem,
    ActionStatus,
    AgendaItem,
    Decision,
    ReviewRound,
    RoundEvent,
    RoundState,
    Session,
)
from sti import selectors as sti_selectors
from sti.models import SurveyState

FACILITATOR = "facilitator@samenverder.demo"


def _seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def cleaning(demo_db):
    return Partnership.objects.get(title="Schoonmaak Sint-Lucas")


def _last_quarter() -> Period:
    return Period.containing(timezone.localdate(), QUARTERLY).previous()


def _past_rounds(partnership) -> list[ReviewRound]:
    return list(
        ReviewRound.objects.filter(
            partnership=partnership, period_start__lt=_last_quarter().start
        ).order_by("period_start")
    )


def test_demo_has_four_past_rounds_published_with_minutes_and_a_rising_grade(cleaning):
    past = _past_rounds(cleaning)

    assert len(past) == 4
    assert {r.state for r in past} <= {RoundState.DISCUSSED, RoundState.PUBLISHED}
    assert sum(r.state == RoundState.PUBLISHED for r in past) >= 3
    quarters = [_last_quarter()]
    for _ in range(4):
        quarters.insert(0, quarters[0].previous())
    assert [r.period_start for r in past] == [q.start for q in quarters[:4]], "consecutive"
    for review_round in past:
        session = Session.objects.get(round=review_round)
        assert session.held_at is not None
        assert session.location or session.video_url
        items = list(review_round.agenda.all())
        assert len(items) >= 4
        assert all(len(item.minutes) > 80 for item in items), "every point has its minutes"
        assert review_round.decisions.exists()
        assert review_round.actions.exists()
        assert review_round.survey.state == SurveyState.CLOSED
    places = {bool(Session.objects.get(round=r).video_url) for r in past}
    assert places == {True, False}, "some in the hospital, some by video"
    minutes = " ".join(AgendaItem.objects.filter(round__in=past).values_list("minutes", flat=True))
    assert "afgesproken" in minutes and "klachten" in minutes, "written in Dutch"

    # The reports froze the actions as they stood then, and the grade climbs round by round.
    published = [r for r in _past_rounds(cleaning) if r.state == RoundState.PUBLISHED]

    for review_round in published:
        snapshot = review_round.report_snapshot
        assert snapshot["round"]["id"] == review_round.pk
        agreed = snapshot["actions"]["agreed"]
        assert len(agreed) == review_round.actions.count()
        # Frozen days after the session: nothing agreed there was finished yet.
        assert {a["status"] for a in agreed} <= {ActionStatus.OPEN, ActionStatus.IN_PROGRESS}
        assert [i["title"] for i in snapshot["agenda"]["items"]] == list(
            review_round.agenda.values_list("title", flat=True)
        )
        assert all(i["minutes"] for i in snapshot["agenda"]["items"])
        assert snapshot["sti"] is not None
    to_supplier = [Decimal(r.report_snapshot["sti"]["grade_to_supplier"]) for r in published]
    assert to_supplier == sorted(to_supplier) and len(set(to_supplier)) == len(to_supplier)
    grades = [r.survey.grade_to_supplier for r in _past_rounds(cleaning)]
    assert grades == sorted(grades) and grades[0] < Decimal("5.5") and grades[-1] > Decimal("7")
    to_client = [r.survey.grade_to_client for r in _past_rounds(cleaning)]
    assert to_client == sorted(to_client) and to_client[0] < to_client[-1]


def test_demo_actions_some_done_some_running_exactly_one_overdue(cleaning):
    today = selectors.today()
    actions = ActionItem.objects.filter(partnership=cleaning)

    overdue = list(actions.overdue(today))
    assert len(overdue) == 1
    assert overdue[0].status == ActionStatus.IN_PROGRESS
    assert overdue[0].round.period_start == _past_rounds(cleaning)[-1].period_start
    done = actions.filter(status=ActionStatus.DONE)
    assert done.count() >= 8
    assert all(a.completed_at <= timezone.now() for a in done)
    running = actions.open().exclude(pk=overdue[0].pk)
    assert running.count() >= 3
    assert all(a.due_date > today for a in running), "the others are due in the future"
    assert running.filter(status=ActionStatus.OPEN).exists()
    assert running.filter(status=ActionStatus.IN_PROGRESS).exists()
    assert set(actions.values_list("owner_side", flat=True)) == {Side.CLIENT, Side.SUPPLIER}
    assert set(done.values_list("owner_side", flat=True)) == {Side.CLIENT, Side.SUPPLIER}
    assert all(a.round_id and a.agenda_item_id for a in actions), "agreed in a session"
    owners = {a.owner.email for a in actions}
    assert FACILITATOR not in owners and "board@stlucas.demo" not in owners


def test_demo_current_round_is_open_and_the_facilitator_has_one_to_plan(cleaning):
    now = timezone.now()
    current = selectors.current_round(partnership=cleaning)

    assert current.state == RoundState.OPEN
    assert current.period_start == _last_quarter().start
    survey = current.survey
    assert survey == sti_selectors.open_survey(partnership=cleaning)
    assert survey.state == SurveyState.OPEN
    assert current.opened_at < now < current.closes_at <= now + datetime.timedelta(days=14)
    assert (current.opens_at, current.closes_at) == (survey.opens_at, survey.closes_at)
    rate = sti_selectors.response_rate(survey=survey)
    assert 0 < rate["total"]["submitted"] < rate["total"]["eligible"]
    assert not current.agenda.exists() and not hasattr(current, "session")
    upcoming = ReviewRound.objects.get(partnership=cleaning, state=RoundState.SCHEDULED)
    today = calendar.local_date(now)
    assert upcoming.period_start == Period.containing(today, QUARTERLY).start
    assert upcoming.opens_at > now

    # The facilitator's workspace has a round to plan.
    facilitator = User.objects.get(email=FACILITATOR)
    partnerships = selectors.facilitated_partnerships(user=facilitator)

    waiting = ReviewRound.objects.filter(
        partnership__in=partnerships, state=RoundState.CLOSED, session__isnull=True
    )
    assert waiting.count() == 1
    review_round = waiting.get()
    assert review_round.partnership != cleaning
    assert review_round.closed_at < timezone.now()
    assert review_round.agenda.count() >= 2, "an agenda to walk in session mode"
    assert Notification.objects.filter(
        user=facilitator, kind="reviews.plan_session", url=review_round.get_absolute_url()
    ).exists()
    catering = Partnership.objects.get(title="Catering Sint-Lucas")
    assert not ReviewRound.objects.filter(partnership=catering).exists(), "still in kick-off"

    # No stale news; the clock finds nothing old to do.
    kinds = set(
        Notification.objects.filter(kind__startswith="reviews.").values_list("kind", flat=True)
    )
    assert kinds == {"reviews.plan_session"}

    done = clock.tick(now=timezone.now())

    assert done.get("planned", 0) == 0
    assert done.get("opened", 0) == 0
    assert done.get("closed", 0) == 0
    assert done.get("reports", 0) == 0, "old reports are not announced again"
    assert not Notification.objects.filter(kind="reviews.report_published").exists()
    assert done.get("action_overdue", 0) == 1, "the owner of the overdue action is reminded"


def test_demo_rounds_carry_the_moments_of_their_state(cleaning):
    _check_moments()


@pytest.mark.parametrize(
    "day",
    [datetime.date(2027, 1, 4), datetime.date(2027, 9, 30)],
    ids=["just-after-a-quarter", "last-day-of-a-quarter"],
)
def test_demo_works_whatever_day_it_is_seeded(db, day):
    with time_machine.travel(
        datetime.datetime.combine(day, datetime.time(10), tzinfo=calendar.TIME_ZONE)
    ):
        _seed()
        cleaning = Partnership.objects.get(title="Schoonmaak Sint-Lucas")

        past = _past_rounds(cleaning)
        assert len(past) == 4 and all(r.reached(RoundState.DISCUSSED) for r in past)
        assert selectors.current_round(partnership=cleaning).state == RoundState.OPEN
        assert ActionItem.objects.overdue(selectors.today()).count() == 1
        assert ReviewRound.objects.filter(state=RoundState.CLOSED).count() == 1
        _check_moments()


def _check_moments() -> None:
    now = timezone.now()
    moments = {
        RoundState.OPEN: "opened_at",
        RoundState.CLOSED: "closed_at",
        RoundState.DISCUSSED: "discussed_at",
        RoundState.PUBLISHED: "published_at",
    }
    rounds = list(ReviewRound.objects.all())
    assert len(rounds) >= 8

    for review_round in rounds:
        reached = STATE_ORDER[: review_round.state_index() + 1]
        events = list(RoundEvent.objects.filter(round=review_round).order_by("at", "pk"))
        assert [(e.from_state, e.to_state) for e in events] == list(
            zip(reached, reached[1:], strict=False)
        )
        stamps = [getattr(review_round, moments[state]) for state in reached[1:]]
        assert [e.at for e in events] == stamps
        assert stamps == sorted(stamps) and all(s <= now for s in stamps)
        for state, field in moments.items():
            assert (getattr(review_round, field) is None) == (state not in reached), field
        assert review_round.created_at <= (review_round.opened_at or review_round.opens_at)
        assert review_round.opens_at < review_round.closes_at
        assert review_round.period_end < calendar.local_date(review_round.closes_at)
        for event in events:
            by_hand = event.to_state in (RoundState.DISCUSSED, RoundState.PUBLISHED)
            assert (event.actor is not None) == by_hand
            if by_hand:
                assert event.actor.email == FACILITATOR
        session = getattr(review_round, "session", None)
        if review_round.reached(RoundState.DISCUSSED):
            assert review_round.closed_at < session.invited_at < session.starts_at
            assert session.ends_at <= review_round.discussed_at
        if review_round.state == RoundState.PUBLISHED:
            snapshot = review_round.report_snapshot
            compiled = datetime.datetime.fromisoformat(snapshot["compiled_at"])
            assert compiled == review_round.published_at
            assert review_round.report_edition == 1
            assert review_round.published_at < review_round.report_notified_at < now
        for action in review_round.actions.all():
            assert session.starts_at <= action.created_at <= session.ends_at
            assert action.due_date >= calendar.local_date(action.created_at)
        for decision in Decision.objects.filter(round=review_round):
            assert session.starts_at <= decision.created_at <= session.ends_at


def _snapshot() -> dict:
    return {
        "rounds": sorted(
            ReviewRound.objects.values_list(
                "partnership__title", "period_start", "state", "opened_at", "published_at"
            )
        ),
        "events": RoundEvent.objects.count(),
        "sessions": Session.objects.count(),
        "agenda": AgendaItem.objects.count(),
        "decisions": Decision.objects.count(),
        "actions": sorted(ActionItem.objects.values_list("title", "status", "due_date")),
        "action_history": ActionItem.history.count(),
        "notices": Notification.objects.filter(kind__startswith="reviews.").count(),
        "participants": sorted(
            Partnership.objects.values_list("title", "participants__user__email")
        ),
    }


def test_seeding_the_demo_twice_adds_nothing(cleaning):
    before = _snapshot()
    assert before["rounds"] and before["actions"]

    _seed()

    assert _snapshot() == before
