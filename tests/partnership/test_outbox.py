"""The mail outbox (issue 14, items 1 and 2): an outage of the broker or of the mail server
delays mail, never loses it, never sends it twice.

The mail server is real (aiosmtpd on a local port, `tests/mail_server.py`), the broker is taken
down by pointing Celery at a closed port (`tests/broker.py`), and the worker's task function is
called to drain the outbox, on a clock that time-machine moves.
"""

import datetime
import threading

import pytest
import time_machine
from django.core.mail import send_mail
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from icalendar import Calendar
from post_office.models import PRIORITY, STATUS, Email

from kpis import services
from messaging.models import Thread
from partnership import outbox, tasks
from partnership.emails import notification_render
from partnership.models import Invitation, Notification
from partnership.notifications import notify
from reviews.models import RoundState
from tests import factories as f
from tests.broker import Broker
from tests.kpis.factories import KPIFactory
from tests.mail_server import smtp_server
from tests.reviews.factories import review_round
from tests.reviews.test_ics import plan

MINUTE = datetime.timedelta(minutes=1)
CHANGELIST = reverse("admin:post_office_email_changelist")


@pytest.fixture
def mail_server(settings):
    with smtp_server(settings) as server:
        yield server


@pytest.fixture
def broker(settings, monkeypatch):
    broker = Broker(settings, monkeypatch)
    yield broker
    broker.up()


def _waiting() -> list[tuple[str, str]]:
    waiting = Email.objects.filter(status__in=outbox.WAITING)
    return sorted((e.to[0], " ".join(e.subject.split())) for e in waiting)


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_and_then_smtp_down_every_mail_of_a_scenario_arrives_exactly_once(
    client, world, broker, mail_server, caplog
):
    opened = review_round(world.partnership, RoundState.OPEN, facilitator=world.facilitator)
    Email.objects.all().delete()  # the scene's own mail (sent while setting it up)
    mail_server.messages.clear()
    broker.down()
    mail_server.refuse()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        # A hub thread (its notifications), a round closing by hand, an invitation: each request
        # answers although nothing can be queued on Celery.
        client.force_login(world.member)
        response = client.post(
            reverse("messaging:thread_new", kwargs={"partnership_id": world.partnership.pk}),
            {"category": "complaint", "subject": "Toilets", "priority": "high", "body": "Twice."},
        )
        assert response.status_code == 302
        client.force_login(world.manager)
        kwargs = {"partnership_id": world.partnership.pk, "round_id": opened.pk}
        assert client.post(reverse("reviews:round_close", kwargs=kwargs)).status_code == 302
        response = client.post(
            reverse("orgs:invitations", kwargs={"slug": "hospital"}),
            {"email": "new.person@example.com", "role": "member"},
        )
        assert response.status_code == 302
        assert "Could not queue" in caplog.text  # logged, not raised

        # Everything is in the outbox, rendered in each recipient's language.
        expected = _waiting()
        thread = Thread.objects.get()
        hub = Notification.objects.filter(kind="hub.thread", url__contains=str(thread.pk))
        planning = Notification.objects.filter(kind="reviews.plan_session")
        assert planning.exists()
        for notification in planning:
            assert (notification.user.email, notification_render(notification)[0]) in expected
        assert any((n.user.email, notification_render(n)[0]) in expected for n in hub)
        invitation = Invitation.objects.get(email="new.person@example.com")
        assert [to for to, _subject in expected].count(invitation.email) == 1
        assert mail_server.messages == []

        broker.up()  # the broker is back; the mail server still refuses
        assert tasks.send_queued_mail() == {"sent": 0, "requeued": len(expected), "failed": 0}
        assert mail_server.refused == len(expected)
        assert tasks.send_queued_mail() == {"sent": 0, "requeued": 0, "failed": 0}  # not yet due
        mail_server.accept()
        clock.shift(MINUTE - datetime.timedelta(seconds=1))
        assert tasks.send_queued_mail()["sent"] == 0  # the backoff is honoured
        clock.shift(datetime.timedelta(seconds=1))
        assert tasks.send_queued_mail() == {"sent": len(expected), "requeued": 0, "failed": 0}
        clock.shift(datetime.timedelta(days=1))
        tasks.send_queued_mail()

    assert mail_server.received() == expected  # each exactly once
    assert mail_server.refused == len(expected)
    assert not Email.objects.exclude(status=STATUS.sent).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_draining_at_once_send_nothing_twice(mail_server):
    Email.objects.bulk_create(
        Email(
            from_email="noreply@tandem.test",
            to=[f"person{n}@example.com"],
            subject=f"Mail {n}",
            message="Hello",
            status=STATUS.queued,
            priority=PRIORITY.medium,
        )
        for n in range(30)
    )
    mail_server.delay = 0.005  # both workers are still at it when the other claims
    start, results = threading.Barrier(2), []

    def worker():
        try:
            start.wait()
            results.append(outbox.outbox_send_due())
        finally:
            connection.close()  # each thread has its own PostgreSQL connection

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    subjects = sorted(str(m["Subject"]) for m in mail_server.messages)
    assert subjects == sorted(f"Mail {n}" for n in range(30))
    assert sum(r["sent"] for r in results) == 30
    assert Email.objects.filter(status=STATUS.sent).count() == 30


@pytest.mark.django_db
def test_the_backoff_doubles_and_gives_up_after_the_maximum_with_the_reason_in_the_admin(
    client, settings, mail_server, django_capture_on_commit_callbacks
):
    settings.POST_OFFICE = {**settings.POST_OFFICE, "MAX_RETRIES": 3, "RETRY_INTERVAL": MINUTE}
    mail_server.refuse()
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        send_mail("[Tandem] Stuck", "Body", None, ["someone@example.com"])
        email = Email.objects.get()
        while True:
            outbox.outbox_send_due()
            email.refresh_from_db()
            if email.status != STATUS.requeued:
                break
            waits.append(email.scheduled_time - timezone.now())
            clock.move_to(email.scheduled_time - datetime.timedelta(seconds=1))
            outbox.outbox_send_due()  # a second early: not tried
            assert mail_server.refused == len(waits)
            clock.move_to(email.scheduled_time)
    assert waits == [MINUTE, 2 * MINUTE, 4 * MINUTE]
    assert (email.status, email.number_of_retries, mail_server.refused) == (STATUS.failed, 3, 4)
    assert email.logs.filter(status=STATUS.failed).count() == 4

    client.force_login(f.UserFactory(email="ops@tandem.test", is_staff=True, is_superuser=True))
    page = client.get(CHANGELIST, {"status__exact": STATUS.failed})
    assert page.status_code == 200
    text = page.content.decode()
    assert "someone@example.com" in text
    assert "SMTPDataError" in text and "Mail server busy, try again later" in text

    # The operator requeues it; it goes out once the server accepts again.
    mail_server.accept()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(CHANGELIST, {"action": "requeue_mail", "_selected_action": email.pk})
    assert response.status_code == 302
    email.refresh_from_db()
    assert (email.status, email.number_of_retries) == (STATUS.sent, 0)
    assert [str(m["Subject"]) for m in mail_server.messages] == ["[Tandem] Stuck"]


@pytest.mark.django_db
def test_only_staff_reach_the_outbox_admin(client, world):
    client.force_login(world.manager)  # an organisation's admin, not staff
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.django_db
def test_mail_queued_in_a_transaction_that_rolls_back_is_never_sent(
    world, mail_server, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(users=[world.member], kind="test", title=gettext_lazy("Hello"))
        assert Email.objects.count() == 1  # written in the transaction ...
        raise RuntimeError("the change fails after the mail was queued")
    assert callbacks == []  # ... so no send was asked for
    assert not Email.objects.exists()
    assert tasks.send_queued_mail() == {"sent": 0, "requeued": 0, "failed": 0}
    assert mail_server.messages == []


@pytest.mark.django_db
def test_a_session_invitation_keeps_its_ics_request_through_the_outbox(world, mail_server):
    closed = review_round(world.partnership, RoundState.CLOSED, facilitator=world.facilitator)
    Email.objects.all().delete()
    mail_server.messages.clear()
    with transaction.atomic():
        plan(world, closed, datetime.date(2026, 7, 22))
        assert Email.objects.exists()  # queued with the plan
    tasks.send_queued_mail()
    invitations = [m for m in mail_server.messages if m.get_content_type() == "multipart/mixed"]
    assert {m["To"] for m in invitations} == {
        p.email for p in (world.manager, world.member, world.viewer, world.supplier_lead)
    } | {world.facilitator.email}
    for message in invitations:
        (part,) = [p for p in message.iter_attachments() if p.get_filename() == "invite.ics"]
        assert part.get_content_type() == "text/calendar"
        assert part.get_param("method") == "REQUEST"
        calendar = Calendar.from_ical(part.get_payload(decode=True))
        assert str(calendar["method"]) == "REQUEST"
        assert len(calendar.walk("VEVENT")) == 1


def test_the_retry_delay_doubles_from_the_interval(settings):
    settings.POST_OFFICE = {**settings.POST_OFFICE, "RETRY_INTERVAL": MINUTE}
    assert [outbox.retry_delay(n) for n in (1, 2, 3, 10)] == [
        MINUTE,
        2 * MINUTE,
        4 * MINUTE,
        512 * MINUTE,
    ]


def test_the_beat_sweeps_the_outbox_every_minute_on_the_mail_queue(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["mail-send-queued"]
    assert entry["task"] == tasks.send_queued_mail.name
    assert entry["schedule"].minute == set(range(60)) and entry["schedule"].hour == set(range(24))
    assert settings.CELERY_TASK_ROUTES[tasks.send_queued_mail.name] == {"queue": "mail"}
    assert settings.CELERY_BEAT_SCHEDULE["mail-clean-sent"]["task"] == tasks.clean_sent_mail.name


@pytest.mark.django_db
def test_cleaning_deletes_old_sent_and_failed_mail_but_never_waiting_mail(settings):
    now = timezone.now()

    def aged(status, days):
        email = Email.objects.create(
            from_email="noreply@tandem.test",
            to=["a@example.com"],
            subject=f"{status}-{days}",
            status=status,
        )
        Email.objects.filter(pk=email.pk).update(created=now - datetime.timedelta(days=days))

    ages = (settings.MAIL_RETENTION_DAYS + 1, settings.MAIL_FAILED_RETENTION_DAYS + 1)
    for status in (STATUS.sent, STATUS.failed, STATUS.queued, STATUS.requeued):
        for days in ages:
            aged(status, days)
    assert outbox.outbox_clean(now=now) == 3
    left = sorted(Email.objects.values_list("subject", flat=True))
    assert left == sorted(
        [
            f"{STATUS.failed}-{settings.MAIL_RETENTION_DAYS + 1}",
            *(f"{s}-{d}" for s in (STATUS.queued, STATUS.requeued) for d in ages),
        ]
    )


@pytest.mark.django_db
def test_a_red_value_queues_its_alert_mail_in_the_same_transaction(world, settings):
    # Before: the alert was a Celery task queued after commit, lost with the broker down. Now the
    # claim and the e-mails are written with the value; nothing after the commit is needed.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    kpi = KPIFactory(partnership=world.partnership, source="supplier", target=95, tolerance=5)
    with transaction.atomic():
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-02", value="70"
        )
    queued = Email.objects.filter(status=STATUS.queued).values_list("to", flat=True)
    assert sorted(to for (to,) in queued) == sorted(
        u.email for u in (world.manager, world.member, world.viewer, world.supplier_lead)
    )
