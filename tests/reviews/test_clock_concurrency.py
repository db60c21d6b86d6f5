"""Two ticks at the same moment, in two threads on real PostgreSQL: everything happens once."""

import datetime
import logging
import threading
from collections import Counter

import pytest
import time_machine
from django.core import mail
from django.db import connection

from partnership.emails import notification_render
from partnership.models import Notification
from reviews import clock
from reviews.calendar import TIME_ZONE
from reviews.models import ActionReminder, ReviewRound, RoundEvent, RoundReminder, RoundState
from sti.models import Survey
from tests.reviews.factories import action, travel
from tests.sti import factories as sti_f


def at(month: int, day: int) -> datetime.datetime:
    return datetime.datetime(2026, month, day, 7, 5, tzinfo=TIME_ZONE)


def race(moment: datetime.datetime) -> list[dict]:
    """Run `clock.tick(now=moment)` in two threads released together; return both results."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(clock.tick(now=moment))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    with time_machine.travel(moment, tick=False):
        workers = [threading.Thread(target=worker) for _ in range(2)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(timeout=60)
    assert not errors, errors
    assert len(results) == 2
    return results


def total(results: list[dict], step: str) -> int:
    return sum(r.get(step, 0) for r in results)


@pytest.mark.django_db(transaction=True)
def test_two_ticks_at_once_plan_open_remind_and_close_once(world, caplog):
    caplog.set_level(logging.WARNING)
    sti_f.adopted_set(world.partnership)
    with travel(at(5, 1)):
        due_soon = action(world.partnership, world.member, world.manager, due=at(7, 14).date())
    mail.outbox.clear()
    before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # Planning: one round per partnership, one survey for the one with an indicator set.
    assert total(race(at(5, 4)), "planned") == 2
    assert ReviewRound.objects.count() == 2
    assert Survey.objects.count() == 1
    q2 = ReviewRound.objects.get(partnership=world.partnership)

    # Opening: both rounds open once; everyone who rates hears it once.
    assert total(race(at(7, 1)), "opened") == 2
    q2.refresh_from_db()
    assert q2.state == RoundState.OPEN and q2.survey.state == "open"
    assert RoundEvent.objects.filter(to_state="open").count() == 2
    opened = Counter(
        Notification.objects.filter(kind="sti.survey_opened").values_list("user__email", flat=True)
    )
    assert opened == {"manager@hospital.test": 1, "member@hospital.test": 1, "lead@cleaner.test": 1}

    # Reminders three days before closing, and the action due in two days.
    results = race(at(7, 12))
    assert total(results, "reminded") == 3
    assert total(results, "action_due_soon") == 1
    assert RoundReminder.objects.filter(kind="closing_3").count() == 3
    assert ActionReminder.objects.get().action == due_soon
    assert Notification.objects.filter(kind="reviews.closing_3").count() == 3
    assert Notification.objects.filter(kind="reviews.action_due_soon").count() == 1

    # The day before, and closing.
    assert total(race(at(7, 14)), "reminded") == 3
    assert total(race(at(7, 15)), "closed") == 2
    q2.refresh_from_db()
    assert q2.state == RoundState.CLOSED and q2.survey.state == "closed"
    assert RoundEvent.objects.filter(to_state="closed").count() == 2
    assert RoundReminder.objects.filter(round=q2, kind="plan_session").count() == 1
    assert (
        Notification.objects.filter(
            kind="reviews.plan_session", partnership=world.partnership
        ).count()
        == 1
    )
    assert Notification.objects.filter(kind="sti.survey_closed").count() == 5

    # Nothing twice, and every notification mailed exactly once.
    reminders = Counter(RoundReminder.objects.values_list("round", "user", "kind"))
    assert max(reminders.values()) == 1
    told = Notification.objects.filter(pk__gt=before).select_related("user", "partnership")
    expected = Counter((n.user.email, notification_render(n)[0]) for n in told)
    assert Counter((m.to[0], m.subject) for m in mail.outbox) == expected
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
