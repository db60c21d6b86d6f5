"""The review clock on a controlled calendar: a year of ticks, each thing done exactly once."""

import datetime
from collections import Counter

import pytest
import time_machine
from django.core import mail

from partnership.emails import notification_render
from partnership.models import Notification
from reviews import clock, services
from reviews.calendar import TIME_ZONE
from reviews.models import (
    ActionReminder,
    ActionStatus,
    ReviewRound,
    ReviewSettings,
    RoundEvent,
    RoundState,
)
from sti.models import Response, SurveyState
from tests import factories as f
from tests.reviews.factories import SCORES_BY_CLIENT, SCORES_BY_SUPPLIER, action, travel
from tests.sti import factories as sti_f

pytestmark = pytest.mark.django_db

START = datetime.date(2025, 12, 15)  # in Q4 2025: its round opens Fri 2 Jan 2026
END = datetime.date(2026, 12, 31)  # 382 days
DAILY = ((7, 5),)
THREE_TIMES = ((7, 5), (13, 0), (19, 0))
# (period start, opened on, closed on) of the rounds the year runs through.
ROUNDS = [
    (datetime.date(2025, 10, 1), datetime.date(2026, 1, 2), datetime.date(2026, 1, 16)),
    (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1), datetime.date(2026, 4, 15)),
    (datetime.date(2026, 4, 1), datetime.date(2026, 7, 1), datetime.date(2026, 7, 15)),
    (datetime.date(2026, 7, 1), datetime.date(2026, 10, 1), datetime.date(2026, 10, 15)),
]

# Two raters submit on the second day of each window, before any reminder.
SUBMIT_DAYS = {opened_on + datetime.timedelta(days=1) for _start, opened_on, _closed in ROUNDS}


def at(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=TIME_ZONE)


class Year:
    """One partnership with both sides rating, a facilitator and three actions."""

    def __init__(self, world):
        self.world = world
        self.partnership = world.partnership
        # The other partnership has ended: the year is about one partnership.
        world.other_partnership.phase = "ended"
        world.other_partnership.save(update_fields=["phase"])
        self.cleaner = f.participant(
            world.partnership, "supplier", role="member", email="cleaner@cleaner.test"
        )
        self.submitters = {world.member: "client", world.supplier_lead: "supplier"}
        self.waiting = {world.manager, self.cleaner}  # rate, but never submit
        with travel(at(START, 6, 0)):
            sti_f.adopted_set(self.partnership)
            self.overdue = action(
                self.partnership,
                world.member,
                world.manager,
                title="Fix the 100% score",
                due=datetime.date(2026, 3, 10),
            )
            self.late = action(
                self.partnership, world.supplier_lead, due=datetime.date(2026, 8, 20)
            )
            self.done_early = action(
                self.partnership, self.cleaner, world.supplier_lead, due=datetime.date(2026, 5, 1)
            )
        self.first_notification = (
            Notification.objects.order_by("-pk").values_list("pk", flat=True).first()
        )
        mail.outbox.clear()

    def before_tick(self, moment: datetime.datetime) -> None:
        """What people do that day: submit on the window's second day, finish an action."""
        if moment.date() == datetime.date(2026, 4, 20) and moment.hour == 7:
            self.done_early.status = ActionStatus.DONE
            self.done_early.completed_at = moment
            self.done_early.save()
        if moment.date() not in SUBMIT_DAYS:
            return
        open_round = ReviewRound.objects.filter(
            partnership=self.partnership, state=RoundState.OPEN
        ).first()
        if open_round is None or moment.date() != open_round.opened_at.astimezone(
            TIME_ZONE
        ).date() + datetime.timedelta(days=1):
            return
        for user, side in self.submitters.items():
            if not Response.objects.filter(survey=open_round.survey, respondent=user).exists():
                scores = SCORES_BY_CLIENT if side == "client" else SCORES_BY_SUPPLIER
                sti_f.response(open_round.survey, user, side, scores)

    def run(self, times, capture) -> Counter:
        done = Counter()
        day = START
        while day <= END:
            for hour, minute in times:
                moment = at(day, hour, minute)
                with time_machine.travel(moment, tick=False):
                    self.before_tick(moment)
                    with capture(execute=True):
                        done.update(clock.tick(now=moment))
            day += datetime.timedelta(days=1)
        return done

    def notifications(self, kind: str):
        return Notification.objects.filter(
            pk__gt=self.first_notification or 0, partnership=self.partnership, kind=kind
        )


@pytest.fixture
def year(world):
    return Year(world)


@pytest.mark.parametrize("times", [DAILY, THREE_TIMES], ids=["daily", "three-times-a-day"])
def test_a_year_of_ticks_does_everything_exactly_once(
    year, times, django_capture_on_commit_callbacks
):
    done = year.run(times, django_capture_on_commit_callbacks)

    rounds = list(ReviewRound.objects.filter(partnership=year.partnership).order_by("period_start"))
    # Q4 2025 (planned on the first day) up to Q4 2026, which opens on Mon 4 Jan 2027.
    assert [r.period_start for r in rounds] == [r[0] for r in ROUNDS] + [datetime.date(2026, 10, 1)]
    assert rounds[-1].state == RoundState.SCHEDULED
    assert done["planned"] == 5
    assert done["opened"] == done["closed"] == 4
    for review_round, (_start, opened_on, closed_on) in zip(rounds, ROUNDS, strict=False):
        assert review_round.state == RoundState.CLOSED
        assert review_round.opened_at == at(opened_on, 7, 5)
        assert review_round.closed_at == at(closed_on, 7, 5)
        assert review_round.survey.state == SurveyState.CLOSED
        steps = list(review_round.events.values_list("from_state", "to_state", "actor"))
        assert steps == [("scheduled", "open", None), ("open", "closed", None)]
        reminders = Counter(review_round.reminders.values_list("user__email", "kind"))
        assert reminders == {
            ("manager@hospital.test", "closing_3"): 1,
            ("manager@hospital.test", "closing_1"): 1,
            ("cleaner@cleaner.test", "closing_3"): 1,
            ("cleaner@cleaner.test", "closing_1"): 1,
            ("fac@facilitators.test", "plan_session"): 1,
        }
        # The survey's response rate: the two submitters, one per side.
        assert review_round.survey.responses.filter(submitted_at__isnull=False).count() == 2
    assert RoundEvent.objects.count() == 8

    for kind in ("reviews.closing_3", "reviews.closing_1"):
        told = Counter(year.notifications(kind).values_list("user__email", flat=True))
        assert told == {"manager@hospital.test": 4, "cleaner@cleaner.test": 4}
    plan = Counter(year.notifications("reviews.plan_session").values_list("user__email", flat=True))
    assert plan == {"fac@facilitators.test": 4}
    opened = Counter(year.notifications("sti.survey_opened").values_list("user__email", flat=True))
    assert opened == {
        "manager@hospital.test": 4,
        "member@hospital.test": 4,
        "lead@cleaner.test": 4,
        "cleaner@cleaner.test": 4,
    }
    assert not year.notifications("reviews.round_opened_without_survey").exists()

    # Actions: due soon two days before, overdue the day after; a finished one hears nothing.
    reminders = set(ActionReminder.objects.values_list("action__title", "kind", "due_date"))
    assert reminders == {
        ("Fix the 100% score", "due_soon", datetime.date(2026, 3, 10)),
        ("Fix the 100% score", "overdue", datetime.date(2026, 3, 10)),
        ("Report problems the same day", "due_soon", datetime.date(2026, 8, 20)),
        ("Report problems the same day", "overdue", datetime.date(2026, 8, 20)),
    }
    sent = {
        (r.action.title, r.kind): r.sent_at.astimezone(TIME_ZONE).date()
        for r in ActionReminder.objects.select_related("action")
    }
    assert sent[("Fix the 100% score", "due_soon")] == datetime.date(2026, 3, 8)
    assert sent[("Fix the 100% score", "overdue")] == datetime.date(2026, 3, 11)
    assert sent[("Report problems the same day", "overdue")] == datetime.date(2026, 8, 21)
    for kind in ("reviews.action_due_soon", "reviews.action_overdue"):
        told = Counter(year.notifications(kind).values_list("user__email", flat=True))
        assert told == {"member@hospital.test": 1, "lead@cleaner.test": 1}
    assert done["action_due_soon"] == done["action_overdue"] == 2

    # Every notification of the year went out by e-mail exactly once, and nothing else did.
    expected = Counter(
        (n.user.email, notification_render(n)[0])
        for n in Notification.objects.filter(pk__gt=year.first_notification or 0)
    )
    assert Counter((m.to[0], m.subject) for m in mail.outbox) == expected
    # Per round: opened (4), two reminders (2 + 2), plan (1), results in (6 participants).
    assert len(mail.outbox) == 4 * 15 + 4


def _tick(moment, capture):
    with time_machine.travel(moment, tick=False), capture(execute=True):
        return clock.tick(now=moment)


def test_a_manager_who_opens_and_closes_by_hand_is_not_undone(
    world, django_capture_on_commit_callbacks
):
    sti_f.adopted_set(world.partnership)
    _tick(at(datetime.date(2026, 5, 4), 7, 5), django_capture_on_commit_callbacks)
    q2 = ReviewRound.objects.get(partnership=world.partnership, period_start="2026-04-01")
    with travel(at(datetime.date(2026, 6, 25), 10, 0)):  # a week early
        services.round_open(review_round=q2, actor=world.manager)
    _tick(at(datetime.date(2026, 6, 26), 7, 5), django_capture_on_commit_callbacks)
    _tick(at(datetime.date(2026, 7, 1), 7, 5), django_capture_on_commit_callbacks)
    q2.refresh_from_db()
    assert q2.state == RoundState.OPEN
    assert list(q2.events.values_list("actor", flat=True)) == [world.manager.pk]
    with travel(at(datetime.date(2026, 7, 3), 10, 0)):  # closed before the window ends
        services.round_close(review_round=q2, actor=world.supplier_lead)
    for day in (4, 10, 15, 16):
        _tick(at(datetime.date(2026, 7, day), 7, 5), django_capture_on_commit_callbacks)
    q2.refresh_from_db()
    assert q2.state == RoundState.CLOSED
    assert q2.closed_at == at(datetime.date(2026, 7, 3), 10, 0)
    assert list(q2.events.values_list("actor", flat=True)) == [
        world.manager.pk,
        world.supplier_lead.pk,
    ]
    assert not q2.reminders.filter(kind__startswith="closing").exists()
    assert q2.reminders.filter(kind="plan_session").count() == 1


def test_a_partnership_that_does_not_run_automatically_is_not_opened_by_the_clock(
    world, django_capture_on_commit_callbacks
):
    sti_f.adopted_set(world.partnership)
    ReviewSettings.objects.create(partnership=world.partnership, automatic=False)
    for day in (datetime.date(2026, 5, 4), datetime.date(2026, 7, 1)):
        _tick(at(day, 7, 5), django_capture_on_commit_callbacks)
    q2 = ReviewRound.objects.get(partnership=world.partnership, period_start="2026-04-01")
    assert q2.state == RoundState.SCHEDULED  # planned, but a manager opens it
    other = ReviewRound.objects.get(partnership=world.other_partnership, period_start="2026-04-01")
    assert other.state == RoundState.OPEN  # the other partnership runs by itself
    with travel(at(datetime.date(2026, 7, 2), 9, 0)):
        services.round_open(review_round=q2, actor=world.manager)
    for day in (12, 14, 16, 31):
        _tick(at(datetime.date(2026, 7, day), 7, 5), django_capture_on_commit_callbacks)
    q2.refresh_from_db()
    assert q2.state == RoundState.OPEN  # past its window, still not closed by the clock
    assert q2.events.count() == 1
    # ... but its raters are reminded: reminders are for people, not for the state machine.
    assert Counter(q2.reminders.values_list("kind", flat=True)) == {"closing_3": 3, "closing_1": 3}


def test_a_round_whose_window_passed_while_it_ran_by_hand_is_left_for_a_manager(
    world, django_capture_on_commit_callbacks
):
    sti_f.adopted_set(world.partnership)
    settings = ReviewSettings.objects.create(partnership=world.partnership, automatic=False)
    _tick(at(datetime.date(2026, 5, 4), 7, 5), django_capture_on_commit_callbacks)
    settings.automatic = True  # switched back on after the window closed
    settings.save()
    done = _tick(at(datetime.date(2026, 7, 20), 7, 5), django_capture_on_commit_callbacks)
    q2 = ReviewRound.objects.get(partnership=world.partnership, period_start="2026-04-01")
    assert q2.state == RoundState.SCHEDULED
    assert done.get("opened", 0) == 0
    assert q2.events.count() == 0
