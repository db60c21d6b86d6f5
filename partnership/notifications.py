"""In-app notifications with an e-mail copy, written to the mail outbox in the same transaction.

Feature apps notify through `notify`, passing lazy text (`gettext_lazy`) and raw values (numbers,
dates, lazy labels), never text they formatted themselves. The message is stored untranslated
with its typed parameters and rendered in the reader's language when it is read (the
notification list) or e-mailed: see `partnership.deferred_text`. The e-mail is rendered in the
recipient's language when the notification is raised and stored in the outbox
(`partnership.outbox`): if the broker or the mail server is down, the request still succeeds and
the mail goes out later, once.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from .deferred_text import params_store, text_store
from .models import Notification

logger = logging.getLogger(__name__)


def enqueue_after_commit(task, *args) -> None:
    """Queue a Celery task once the surrounding transaction commits; never fail the caller."""

    def _send():
        try:
            task.delay(*args)
        except Exception:  # broker unreachable: the clock or a retry picks it up later
            logger.exception("Could not queue %s", getattr(task, "name", task))

    transaction.on_commit(_send)


@dataclass
class Notice:
    """One message to some users, as `notify` takes it; `notify_many` sends many at once."""

    users: Iterable
    kind: str
    title: object
    body: object = ""
    params: dict | None = None
    url: str = ""
    partnership: object = None
    email: bool = True


def notify(
    *,
    users: Iterable,
    kind: str,
    title,
    body="",
    params: dict | None = None,
    url: str = "",
    partnership=None,
    email: bool = True,
) -> list[Notification]:
    return notify_many([Notice(users, kind, title, body, params, url, partnership, email)])


def notify_many(notices: Iterable[Notice]) -> list[Notification]:
    """Store every notice's notifications in one insert and their e-mails in another (the
    clock tells thousands of people at once; the queries do not grow with them)."""
    notifications, mailed = [], []
    for notice in notices:
        recipients = {u.pk: u for u in notice.users if u is not None and u.is_active}
        if not recipients:
            continue
        stored = {
            "title": text_store(notice.title)[:200],
            "body": text_store(notice.body) if notice.body else "",
            "params": params_store(notice.params),
        }
        rows = [
            Notification(
                user=user,
                partnership=notice.partnership,
                kind=notice.kind,
                url=notice.url,
                **stored,
            )
            for user in recipients.values()
        ]
        notifications += rows
        if notice.email:
            mailed += rows
    if notifications:
        Notification.objects.bulk_create(notifications)
    if mailed:
        from .emails import queue_notification_emails

        queue_notification_emails(mailed)
    return notifications


def notification_mark_read(*, user, notification_id=None) -> int:
    """Mark one (or, without an id, all) of the user's notifications read."""
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
