"""The daily digest: once per user per day, even when the task runs twice or on two workers at
once; only for those who chose it; in the reader's language."""

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from messaging import services, services_reading
from messaging.digest import send_digests
from messaging.models import Digest, DigestItem
from messaging.tasks import send_digests as send_digests_task

from .factories import T0, ThreadFactory, hours

DAY1 = T0  # Monday 5 January 2026, 9:00 in Amsterdam
DAY2 = T0 + datetime.timedelta(days=1)


def _item(user, thread, when) -> DigestItem:
    return DigestItem.objects.create(user=user, thread=thread, created_at=when)


def _send(now, capture) -> int:
    with capture(execute=True):
        return send_digests(now=now)


@pytest.mark.django_db
def test_the_digest_goes_out_once_even_when_the_task_runs_twice(
    world, django_capture_on_commit_callbacks
):
    thread = ThreadFactory(partnership=world.partnership, subject="Lift plakt")
    _item(world.member, thread, DAY1)
    _item(world.member, thread, DAY1 + hours(1))
    mail.outbox.clear()

    assert _send(DAY1 + hours(8), django_capture_on_commit_callbacks) == 1
    assert _send(DAY1 + hours(9), django_capture_on_commit_callbacks) == 0

    (message,) = mail.outbox
    assert message.to == ["member@hospital.test"]
    assert "Lift plakt" in message.body and "2" in message.body
    assert Digest.objects.count() == 1
    assert not DigestItem.objects.filter(digest__isnull=True).exists()


@pytest.mark.django_db
def test_news_after_todays_digest_goes_out_the_next_day(world, django_capture_on_commit_callbacks):
    first = ThreadFactory(partnership=world.partnership, subject="Eerste")
    later = ThreadFactory(partnership=world.partnership, subject="Later")
    _item(world.member, first, DAY1)
    mail.outbox.clear()
    assert _send(DAY1 + hours(8), django_capture_on_commit_callbacks) == 1

    _item(world.member, later, DAY1 + hours(10))
    assert _send(DAY1 + hours(11), django_capture_on_commit_callbacks) == 0
    assert _send(DAY2 + hours(8), django_capture_on_commit_callbacks) == 1
    assert _send(DAY2 + hours(9), django_capture_on_commit_callbacks) == 0

    assert len(mail.outbox) == 2
    assert "Later" not in mail.outbox[0].body and "Later" in mail.outbox[1].body
    assert "Eerste" not in mail.outbox[1].body, "each item goes out once"


@pytest.mark.django_db
def test_items_of_the_future_wait(world, django_capture_on_commit_callbacks):
    thread = ThreadFactory(partnership=world.partnership)
    _item(world.member, thread, DAY1 + hours(5))

    assert _send(DAY1 + hours(4), django_capture_on_commit_callbacks) == 0
    assert DigestItem.objects.filter(digest__isnull=True).count() == 1


@pytest.mark.django_db
def test_only_those_who_chose_the_digest_get_one(world, django_capture_on_commit_callbacks):
    services_reading.preferences_set(user=world.member, choices={"complaint": "digest"})
    services_reading.preferences_set(user=world.viewer, choices={"complaint": "in_app"})
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_create(
            actor=world.manager,
            partnership=world.partnership,
            subject="Klacht",
            body="Vies",
            category="complaint",
        )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert send_digests_task.delay().get() == 1

    assert [m.to for m in mail.outbox] == [["member@hospital.test"]]


@pytest.mark.django_db
def test_nobody_with_nothing_pending_gets_a_digest(world, django_capture_on_commit_callbacks):
    thread = ThreadFactory(partnership=world.partnership)
    _item(world.member, thread, DAY1)
    mail.outbox.clear()
    _send(DAY1 + hours(1), django_capture_on_commit_callbacks)

    assert _send(DAY2 + hours(1), django_capture_on_commit_callbacks) == 0
    assert len(mail.outbox) == 1
    assert Digest.objects.filter(user=world.manager).count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "status"), [("nl", "Afgehandeld"), ("en", "Resolved")])
def test_the_digest_is_in_the_readers_language(
    world, django_capture_on_commit_callbacks, language, status
):
    world.member.language = language
    world.member.save(update_fields=["language"])
    thread = ThreadFactory(
        partnership=world.partnership, status="resolved", resolved_at=DAY1, subject="Ramen"
    )
    _item(world.member, thread, DAY1)
    mail.outbox.clear()

    _send(DAY1 + hours(1), django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    assert "Ramen" in message.body and status in message.body
    other = "Resolved" if language == "nl" else "Afgehandeld"
    assert other not in message.body


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_one_digest(world):
    thread = ThreadFactory(partnership=world.partnership, subject="Tegelijk")
    _item(world.member, thread, DAY1)
    _item(world.supplier_lead, thread, DAY1)
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(send_digests(now=DAY1 + hours(8)))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=30)

    assert not errors, errors
    assert sum(results) == 2, results
    assert sorted(m.to[0] for m in mail.outbox) == ["lead@cleaner.test", "member@hospital.test"]
    assert Digest.objects.count() == 2
