"""A round's life through the services, and the database guards underneath them."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from partnership.models import Notification
from reviews import calendar, services
from reviews.models import ReviewRound, RoundEvent, RoundState
from sti.models import Survey, SurveyState
from tests import factories as f
from tests.reviews.factories import Q2_2026, review_round, travel
from tests.sti import factories as sti_f

pytestmark = pytest.mark.django_db

OPENS = calendar.window(Q2_2026)[0]  # Wed 1 Jul 2026 07:00
LATER = OPENS + datetime.timedelta(days=20)


def _snapshot(review_round):
    review_round.refresh_from_db()
    return (review_round.state, review_round.reopen_count, review_round.events.count())


@pytest.fixture
def project_leader(world):
    """A supplier participant titled project leader, with no managing role."""
    return f.participant(
        world.partnership, "supplier", role="member", title="Project leader", email="pl@cl.test"
    )


# --- one step at a time -------------------------------------------------------------------------


def test_each_transition_moves_one_step_and_is_recorded(world):
    published = review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    events = list(published.events.values_list("from_state", "to_state", "actor"))
    assert events == [
        ("scheduled", "open", None),
        ("open", "closed", None),
        ("closed", "discussed", world.facilitator.pk),
        ("discussed", "published", world.facilitator.pk),
    ]
    assert published.opened_at and published.closed_at and published.discussed_at
    assert published.published_at and published.report_snapshot is not None
    assert published.report_edition == 1


@pytest.mark.parametrize(
    ("state", "service", "kwargs"),
    [
        (RoundState.SCHEDULED, services.round_close, {}),
        (RoundState.OPEN, services.round_open, {}),
        (RoundState.CLOSED, services.round_open, {}),
        (RoundState.CLOSED, services.round_publish, {}),
        (RoundState.OPEN, services.round_finish, {}),
        (RoundState.PUBLISHED, services.round_finish, {}),
        (RoundState.CLOSED, services.round_reopen, {"reason": "Typo in the minutes"}),
        (RoundState.OPEN, services.round_reopen, {"reason": "Typo in the minutes"}),
    ],
)
def test_a_transition_from_the_wrong_state_changes_nothing(world, state, service, kwargs):
    the_round = review_round(world.partnership, state, facilitator=world.facilitator)
    before = _snapshot(the_round)
    actor = world.manager if service in (services.round_open, services.round_close) else None
    actor = actor or world.facilitator
    with travel(LATER), pytest.raises(ValidationError):
        service(review_round=the_round, actor=actor, **kwargs)
    assert _snapshot(the_round) == before


def test_a_manager_opens_and_closes_by_hand(world):
    the_round = review_round(world.partnership, RoundState.SCHEDULED)
    with travel(OPENS - datetime.timedelta(days=3)):
        services.round_open(review_round=the_round, actor=world.manager)
    with travel(OPENS + datetime.timedelta(days=2)):
        services.round_close(review_round=the_round, actor=world.supplier_lead)
    the_round.refresh_from_db()
    assert the_round.state == RoundState.CLOSED
    assert the_round.opened_at == OPENS - datetime.timedelta(days=3)
    assert the_round.opens_at == the_round.opened_at  # opened early: the window follows
    assert the_round.survey.state == SurveyState.CLOSED
    actors = list(the_round.events.values_list("actor", flat=True))
    assert actors == [world.manager.pk, world.supplier_lead.pk]


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator", "project_leader"])
def test_only_managers_open_and_close(world, project_leader, who):
    actor = project_leader if who == "project_leader" else getattr(world, who)
    scheduled = review_round(world.partnership, RoundState.SCHEDULED)
    with travel(OPENS), pytest.raises(PermissionDenied):
        services.round_open(review_round=scheduled, actor=actor)
    assert _snapshot(scheduled) == (RoundState.SCHEDULED, 0, 0)
    with travel(OPENS):
        services.round_open(review_round=scheduled)  # the clock
    with travel(LATER), pytest.raises(PermissionDenied):
        services.round_close(review_round=scheduled, actor=actor)
    assert _snapshot(scheduled) == (RoundState.OPEN, 0, 1)


@pytest.mark.parametrize("who", ["member", "viewer", "project_leader"])
def test_finish_publish_and_reopen_need_the_facilitator_or_a_manager(world, project_leader, who):
    actor = project_leader if who == "project_leader" else getattr(world, who)
    discussed = review_round(world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator)
    before = _snapshot(discussed)
    with travel(LATER):
        with pytest.raises(PermissionDenied):
            services.round_publish(review_round=discussed, actor=actor)
        with pytest.raises(PermissionDenied):
            services.round_reopen(review_round=discussed, actor=actor, reason="Because")
    assert _snapshot(discussed) == before
    assert world.outsider  # an outsider has no side at all
    with travel(LATER), pytest.raises(PermissionDenied):
        services.round_reopen(review_round=discussed, actor=world.outsider, reason="Because")


def test_a_round_is_discussed_only_once_its_session_is_planned(world):
    closed = review_round(world.partnership, RoundState.CLOSED)
    with translation.override("en"), pytest.raises(ValidationError, match="Plan the session"):
        services.round_finish(review_round=closed, actor=world.facilitator, now=LATER)
    assert _snapshot(closed) == (RoundState.CLOSED, 0, 2)


def test_a_round_is_discussed_only_once_its_session_has_started(world):
    from reviews import services_sessions

    closed = review_round(world.partnership, RoundState.CLOSED)
    start = closed.closes_at + datetime.timedelta(days=10)
    with travel(closed.closes_at + datetime.timedelta(days=1)):
        services_sessions.session_plan(
            actor=world.facilitator,
            review_round=closed,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            location="Room 3",
        )
    with translation.override("en"), pytest.raises(ValidationError, match="once it is held"):
        services.round_finish(
            review_round=closed, actor=world.facilitator, now=start - datetime.timedelta(hours=1)
        )
    assert _snapshot(closed) == (RoundState.CLOSED, 0, 2)
    services.round_finish(
        review_round=closed, actor=world.facilitator, now=start + datetime.timedelta(hours=2)
    )
    closed.refresh_from_db()
    assert closed.state == RoundState.DISCUSSED
    assert closed.session.held_at == start


def test_the_facilitator_finishes_publishes_and_reopens(world):
    published = review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    with travel(LATER + datetime.timedelta(days=30)):
        services.round_reopen(
            review_round=published, actor=world.facilitator, reason="  Wrong KPI figure  "
        )
    published.refresh_from_db()
    assert (published.state, published.reopen_count, published.published_at) == (
        RoundState.DISCUSSED,
        1,
        None,
    )
    event = published.events.last()
    assert (event.from_state, event.to_state, event.actor, event.reason) == (
        "published",
        "discussed",
        world.facilitator,
        "Wrong KPI figure",
    )
    assert event.is_reopen
    assert Notification.objects.filter(kind="reviews.round_reopened", user=world.member).exists()
    services.round_reopen(review_round=published, actor=world.manager, reason="Minutes too")
    published.refresh_from_db()
    assert (published.state, published.reopen_count, published.discussed_at) == ("closed", 2, None)


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_reopen_needs_a_reason(world, reason):
    published = review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    before = _snapshot(published)
    with pytest.raises(ValidationError) as exc:
        services.round_reopen(review_round=published, actor=world.facilitator, reason=reason)
    assert "reason" in exc.value.message_dict
    assert _snapshot(published) == before


def test_republishing_raises_the_report_edition(world):
    published = review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    with travel(LATER + datetime.timedelta(days=40)):
        services.round_reopen(review_round=published, actor=world.facilitator, reason="Fix")
        again = services.round_publish(review_round=published, actor=world.facilitator)
    assert (again.state, again.report_edition, again.reopen_count) == ("published", 2, 1)


# --- the database guards the states -------------------------------------------------------------


def _raw_update(review_round, **fields):
    with transaction.atomic():
        return ReviewRound.objects.filter(pk=review_round.pk).update(**fields)


@pytest.mark.parametrize(
    ("state", "update"),
    [
        ("scheduled", {"state": "closed", "opened_at": OPENS, "closed_at": LATER}),  # skip
        ("open", {"state": "discussed", "closed_at": LATER, "discussed_at": LATER}),  # skip
        ("open", {"state": "scheduled"}),  # back, not a reopen
        ("closed", {"state": "open"}),  # back, not a reopen
        ("closed", {"state": "open", "reopen_count": 1}),  # reopening a questionnaire: never
        ("discussed", {"state": "closed"}),  # back without raising reopen_count
        ("discussed", {"state": "closed", "reopen_count": 2}),  # raised by two
        ("published", {"state": "closed", "reopen_count": 1}),  # two steps back
        ("closed", {"state": "discussed", "discussed_at": LATER, "reopen_count": 1}),
    ],
)
def test_the_trigger_refuses_raw_updates_that_skip_or_go_back(world, state, update):
    the_round = review_round(world.partnership, state, facilitator=world.facilitator)
    before = _snapshot(the_round)
    with pytest.raises(IntegrityError, match="review round state change not allowed"):
        _raw_update(the_round, **update)
    assert _snapshot(the_round) == before


@pytest.mark.parametrize(
    ("state", "update", "after"),
    [
        ("scheduled", {"state": "open", "opened_at": OPENS}, ("open", 0)),
        ("open", {"state": "closed", "closed_at": LATER}, ("closed", 0)),
        ("discussed", {"state": "closed", "reopen_count": 1}, ("closed", 1)),
        ("published", {"state": "discussed", "reopen_count": 1}, ("discussed", 1)),
    ],
)
def test_the_trigger_lets_one_proper_step_through(world, state, update, after):
    the_round = review_round(world.partnership, state, facilitator=world.facilitator)
    assert _raw_update(the_round, **update) == 1
    the_round.refresh_from_db()
    assert (the_round.state, the_round.reopen_count) == after


def test_updates_that_keep_the_state_are_not_the_triggers_business(world):
    the_round = review_round(world.partnership, RoundState.OPEN)
    assert _raw_update(the_round, closes_at=LATER, reopen_count=5) == 1


@pytest.mark.parametrize(
    ("state", "fields"),
    [
        ("open", {}),  # no opened_at
        ("closed", {"opened_at": OPENS}),  # no closed_at
        ("discussed", {"opened_at": OPENS, "closed_at": LATER}),
        ("published", {"opened_at": OPENS, "closed_at": LATER, "discussed_at": LATER}),
        ("archived", {}),
    ],
)
def test_check_constraints_refuse_a_state_without_its_moments(world, state, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewRound.objects.create(
            partnership=world.partnership,
            period_start=Q2_2026.start,
            period_end=Q2_2026.end,
            opens_at=OPENS,
            closes_at=LATER,
            state=state,
            **fields,
        )
    assert not ReviewRound.objects.exists()


def test_one_round_per_period_and_one_open_round_per_partnership(world):
    first = review_round(world.partnership, RoundState.OPEN)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewRound.objects.create(
            partnership=world.partnership,
            period_start=Q2_2026.start,
            period_end=Q2_2026.end,
            opens_at=OPENS,
            closes_at=LATER,
        )
    q3 = services.round_plan(partnership=world.partnership, period=Q2_2026.next())
    with translation.override("en"), pytest.raises(ValidationError, match="still open"):
        services.round_open(review_round=q3, actor=world.manager, now=OPENS)
    assert _snapshot(q3) == ("scheduled", 0, 0)
    assert first.state == RoundState.OPEN


# --- planning -------------------------------------------------------------------------------


def test_planning_twice_creates_one_round_and_one_survey(world):
    sti_f.adopted_set(world.partnership)
    first = services.round_plan(partnership=world.partnership, period=Q2_2026)
    again = services.round_plan(partnership=world.partnership, period=Q2_2026)
    assert first.pk == again.pk
    assert ReviewRound.objects.count() == 1
    survey = Survey.objects.get()
    assert survey.review_round == first
    assert (survey.opens_at, survey.closes_at) == (first.opens_at, first.closes_at)
    assert survey.period_start == datetime.date(2026, 4, 1)


def test_a_round_without_a_signed_off_set_opens_without_survey_and_tells_the_managers(world):
    sti_f.draft_set(world.partnership)
    the_round = services.round_plan(partnership=world.partnership, period=Q2_2026)
    assert the_round.survey is None
    with travel(OPENS + datetime.timedelta(minutes=5)):
        services.round_open(review_round=the_round)
    the_round.refresh_from_db()
    assert the_round.state == RoundState.OPEN and the_round.survey is None
    told = set(
        Notification.objects.filter(kind="reviews.round_opened_without_survey").values_list(
            "user__email", flat=True
        )
    )
    assert told == {"manager@hospital.test", "lead@cleaner.test"}
    assert not Survey.objects.exists()
    with travel(the_round.closes_at + datetime.timedelta(minutes=5)):
        services.round_close(review_round=the_round)
    the_round.refresh_from_db()
    assert the_round.state == RoundState.CLOSED


def test_a_survey_planned_by_hand_for_the_quarter_is_linked_not_duplicated(world):
    indicator_set = sti_f.adopted_set(world.partnership)
    with travel(OPENS - datetime.timedelta(days=20)):  # a window before the round's
        by_hand = sti_f.survey(
            world.partnership,
            indicator_set,
            state=SurveyState.SCHEDULED,
            period_start=datetime.date(2026, 4, 1),
        )
    the_round = services.round_plan(partnership=world.partnership, period=Q2_2026)
    assert the_round.survey == by_hand
    assert Survey.objects.count() == 1
    with travel(OPENS + datetime.timedelta(minutes=5)):
        services.round_open(review_round=the_round)
    by_hand.refresh_from_db()
    the_round.refresh_from_db()
    assert by_hand.state == SurveyState.OPEN
    assert (by_hand.opens_at, by_hand.closes_at) == (the_round.opens_at, the_round.closes_at)


def test_a_survey_planned_by_hand_after_the_round_is_linked_when_it_opens(world):
    the_round = services.round_plan(partnership=world.partnership, period=Q2_2026)
    assert the_round.survey is None
    indicator_set = sti_f.adopted_set(world.partnership)
    with travel(OPENS + datetime.timedelta(days=30)):  # a window after the round's
        by_hand = sti_f.survey(
            world.partnership,
            indicator_set,
            state=SurveyState.SCHEDULED,
            period_start=datetime.date(2026, 4, 1),
        )
    with travel(OPENS + datetime.timedelta(minutes=5)):
        services.round_open(review_round=the_round)
    the_round.refresh_from_db()
    by_hand.refresh_from_db()
    assert the_round.survey == by_hand
    assert Survey.objects.count() == 1
    assert by_hand.state == SurveyState.OPEN
    assert (by_hand.opens_at, by_hand.closes_at) == (the_round.opens_at, the_round.closes_at)
    assert not Notification.objects.filter(kind="reviews.round_opened_without_survey").exists()


def test_settings_update_moves_the_window_of_scheduled_rounds_only(world):
    sti_f.adopted_set(world.partnership)
    opened = review_round(world.partnership, RoundState.OPEN)
    opened_window = (opened.opens_at, opened.closes_at)
    q3 = services.round_plan(partnership=world.partnership, period=Q2_2026.next())
    services.settings_update(
        actor=world.manager, partnership=world.partnership, open_after_working_days=3, open_days=7
    )
    q3.refresh_from_db()
    opened.refresh_from_db()
    # Q3 2026 ends Wed 30 Sep: Thu 1, Fri 2, Mon 5 October.
    assert q3.opens_at == datetime.datetime(2026, 10, 5, 7, tzinfo=calendar.TIME_ZONE)
    assert q3.closes_at == datetime.datetime(2026, 10, 12, 7, tzinfo=calendar.TIME_ZONE)
    assert (q3.survey.opens_at, q3.survey.closes_at) == (q3.opens_at, q3.closes_at)
    assert (opened.opens_at, opened.closes_at) == opened_window


def test_settings_update_needs_a_manager_and_valid_values(world):
    with pytest.raises(PermissionDenied):
        services.settings_update(actor=world.member, partnership=world.partnership, open_days=7)
    with pytest.raises(ValidationError) as exc:
        services.settings_update(actor=world.manager, partnership=world.partnership, open_days=1)
    assert "open_days" in exc.value.message_dict


def test_the_clock_plans_the_round_of_the_current_period_once(world):
    sti_f.adopted_set(world.partnership)
    now = datetime.datetime(2026, 5, 10, 7, 5, tzinfo=calendar.TIME_ZONE)
    with travel(now):
        assert services.rounds_plan_due(now=timezone.now()) == 2  # both partnerships
        assert services.rounds_plan_due(now=timezone.now()) == 0
    labels = set(ReviewRound.objects.values_list("partnership__title", "period_start"))
    assert labels == {
        ("Hospital cleaning", datetime.date(2026, 4, 1)),
        ("University cleaning", datetime.date(2026, 4, 1)),
    }
    assert RoundEvent.objects.count() == 0
