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
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    stored = {
        "title": text_store(title)[:200],
        "body": text_store(body) if body else "",
        "params": params_store(params),
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(user=user, partnership=partnership, kind=kind, url=url, **stored)
            for user in recipients.values()
        ]
    )
    if email and notifications:
        from .emails import queue_notification_emails

        queue_notification_emails(notifications)
    return notifications


def notification_mark_read(*, user, notification_id=None) -> int:
    """Mark one (or, without an id, all) of the user's notifications read."""
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        qs = qs.filter(pk=notification_id)
    return qs.update(read_at=timezone.now())
