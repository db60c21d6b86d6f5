"""With the broker unreachable, web requests that send mail still answer; the clock catches up
(the mail itself waits in the outbox: tests/partnership/test_outbox.py).

`django_db(transaction=True)`: the on-commit hooks that queue the e-mails really run, against a
Redis port where nothing listens.
"""

import datetime
import logging

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from post_office.models import STATUS, Email

from messaging.models import Thread
from partnership.emails import notification_render
from partnership.models import Notification
from reviews import calendar, clock
from reviews.models import ReportFile, RoundState
from tests.broker import Broker
from tests.reviews.factories import review_round


@pytest.fixture
def broker(settings, monkeypatch):
    broker = Broker(settings, monkeypatch)
    yield broker
    broker.up()


@pytest.mark.django_db(transaction=True)
def test_a_new_hub_thread_is_saved_and_announced_while_the_broker_is_down(
    client, world, broker, caplog
):
    broker.down()
    client.force_login(world.member)
    response = client.post(
        reverse("messaging:thread_new", kwargs={"partnership_id": world.partnership.pk}),
        {"category": "complaint", "subject": "Toilets", "priority": "high", "body": "Twice."},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302
    assert Notification.objects.filter(kind="hub.thread", url__contains=str(thread.pk)).exists()
    assert mail.outbox == []  # the send could not be queued on Celery ...
    assert "Could not queue" in caplog.text  # ... which was logged, not raised, ...
    waiting = Email.objects.filter(status=STATUS.queued).values_list("to", flat=True)
    assert ["lead@cleaner.test"] in list(waiting)  # ... and the e-mail waits in the outbox


@pytest.mark.django_db(transaction=True)
def test_closing_and_publishing_by_hand_answer_and_the_next_tick_finishes_the_report(
    client, world, broker, caplog
):
    caplog.set_level(logging.WARNING)
    q1 = calendar.ReviewPeriod.containing(datetime.date(2026, 2, 1))
    discussed = review_round(
        world.partnership, RoundState.DISCUSSED, period=q1, facilitator=world.facilitator
    )
    opened = review_round(world.partnership, RoundState.OPEN)
    mail.outbox.clear()
    broker.down()

    kwargs = {"partnership_id": world.partnership.pk, "round_id": opened.pk}
    client.force_login(world.manager)
    response = client.post(reverse("reviews:round_close", kwargs=kwargs))
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.state == RoundState.CLOSED
    assert Notification.objects.filter(kind="reviews.plan_session", user=world.facilitator).exists()

    client.force_login(world.facilitator)
    kwargs = {"partnership_id": world.partnership.pk, "round_id": discussed.pk}
    response = client.post(reverse("reviews:round_publish", kwargs=kwargs))
    assert response.status_code == 302
    discussed.refresh_from_db()
    assert discussed.state == RoundState.PUBLISHED
    assert discussed.report_notified_at is None  # the render task could not be queued
    assert not ReportFile.objects.filter(round=discussed).exists()
    assert mail.outbox == []
    assert "Could not queue" in caplog.text

    broker.up()  # the broker is back; the daily tick catches up (on the reports queue)
    done = clock.tick(now=timezone.now())
    assert done["reports_queued"] == 1
    discussed.refresh_from_db()
    assert discussed.report_notified_at is not None
    files = ReportFile.objects.filter(round=discussed, edition=discussed.report_edition)
    assert sorted(files.values_list("language", flat=True)) == ["en", "nl"]
    told = Notification.objects.filter(kind="reviews.report_published")
    # Everyone in the partnership, once: both sides and the facilitator.
    assert sorted(told.values_list("user__email", flat=True)) == sorted(
        [
            "fac@facilitators.test",
            "lead@cleaner.test",
            "manager@hospital.test",
            "member@hospital.test",
            "viewer@hospital.test",
        ]
    )
    expected = sorted((n.user.email, notification_render(n)[0]) for n in told)
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == expected
    assert clock.tick(now=timezone.now()).get("reports", 0) == 0
    assert told.count() == 5
