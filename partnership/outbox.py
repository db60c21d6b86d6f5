"""The mail outbox: every e-mail is a row, written in the transaction that causes it.

`EMAIL_BACKEND` is django-post-office's backend, so every `send_mail` (ours and allauth's) stores
an `Email` row instead of sending; a rolled-back transaction takes its mail with it. Once the
transaction commits, a send is queued on Celery (never failing the caller when the broker is
down), and the beat sweeps the outbox every minute whatever happened to that message.

Sending is ours, not post_office's `send_queued_mail`: that one guards against a second sender
with a lock file on the local disk (two workers on two machines would both send) and retries at
a fixed interval. Here each due mail is claimed with one conditional UPDATE (compare and set: it
is still due, so only one worker's UPDATE matches, on PostgreSQL and SQLite alike), which moves
its `scheduled_time` a lease ahead; the claimer sends it and records the outcome. A failure is
retried with exponential backoff (`POST_OFFICE["RETRY_INTERVAL"] * 2**(n-1)` before the n-th
retry) up to `POST_OFFICE["MAX_RETRIES"]`, then the mail is "failed"; every attempt leaves a
`Log` row with the error, which the admin shows. A worker that dies while sending leaves the
claim to expire: the mail is sent again after the lease (at least once, never lost).
"""

import datetime
import logging
import smtplib

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone
from post_office.connections import connections as transports
from post_office.models import STATUS, Attachment, Email, Log
from post_office.settings import get_default_mailer, get_max_retries, get_retry_timedelta
from post_office.signals import email_queued

logger = logging.getLogger(__name__)

# How long a claimed mail is left to its sender before another worker may take it: well above
# EMAIL_TIMEOUT times the few SMTP round trips of one message.
LEASE = datetime.timedelta(minutes=10)
WAITING = (STATUS.queued, STATUS.requeued)


def mail_due(now: datetime.datetime) -> QuerySet:
    """Mail waiting to be sent whose time has come (new, requeued, or a claim that expired)."""
    return Email.objects.filter(
        Q(scheduled_time__isnull=True) | Q(scheduled_time__lte=now),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        status__in=WAITING,
    )


def retry_delay(retry: int) -> datetime.timedelta:
    """The wait before the `retry`-th retry (1, 2, ...): doubles each time."""
    return get_retry_timedelta() * 2 ** (retry - 1)


def outbox_send_due(*, email_ids=None, batch_size: int = 100) -> dict[str, int]:
    """Send every mail that is due now (or only those of `email_ids`, the mail a transaction has
    just committed); returns how many were sent, requeued and failed.

    Each mail is tried at most once per run (a requeued one waits for its next turn), and only by
    the worker whose claim succeeded, so two runs at once never send one mail twice.
    """
    counts = {"sent": 0, "requeued": 0, "failed": 0}
    tried: set[int] = set()
    try:
        while True:
            due = mail_due(timezone.now())
            if email_ids is not None:
                due = due.filter(pk__in=list(email_ids))
            ids = list(
                due.exclude(pk__in=tried)
                .order_by("-priority", "pk")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                break
            for pk in ids:
                tried.add(pk)
                email = _claim(pk)
                if email is not None:
                    counts[_send(email)] += 1
    finally:
        transports.close()
    if any(counts.values()):
        logger.info("Outbox: %(sent)s sent, %(requeued)s requeued, %(failed)s failed", counts)
    return counts


def _claim(pk: int) -> Email | None:
    now = timezone.now()
    claimed = mail_due(now).filter(pk=pk).update(scheduled_time=now + LEASE, last_updated=now)
    if not claimed:
        return None  # another worker has it, or it is no longer due
    return Email.objects.prefetch_related("attachments").get(pk=pk)


def _send(email: Email) -> str:
    try:
        message = email.email_message()
        if message.recipients():
            transports[email.backend_alias or get_default_mailer()].send_messages([message])
    except Exception as error:
        transports.close()  # a broken SMTP session is not reused for the next mail
        logger.warning("Outbox: mail %s not sent: %r", email.pk, error)
        return _failed(email, error)
    with transaction.atomic():
        Email.objects.filter(pk=email.pk).update(
            status=STATUS.sent, scheduled_time=None, last_updated=timezone.now()
        )
        Log.objects.create(email=email, status=STATUS.sent)
    return "sent"


def _permanent(error: Exception) -> bool:
    """Every recipient refused for good (5xx): trying again cannot help."""
    return isinstance(error, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _message in error.recipients.values()
    )


def _failed(email: Email, error: Exception) -> str:
    now = timezone.now()
    retries = email.number_of_retries or 0
    if retries < get_max_retries() and not _permanent(error):
        update = {
            "status": STATUS.requeued,
            "number_of_retries": retries + 1,
            "scheduled_time": now + retry_delay(retries + 1),
        }
        outcome = "requeued"
    else:
        update = {"status": STATUS.failed, "scheduled_time": None}
        outcome = "failed"
    with transaction.atomic():
        Email.objects.filter(pk=email.pk).update(last_updated=now, **update)
        Log.objects.create(
            email=email,
            status=STATUS.failed,
            message=str(error) or repr(error),
            exception_type=type(error).__name__,
        )
    return outcome


@transaction.atomic
def outbox_requeue(*, email_ids) -> int:
    """Give failed (or waiting) mail a fresh start: due now, with all its retries again."""
    return Email.objects.filter(
        pk__in=list(email_ids), status__in=(STATUS.failed, *WAITING)
    ).update(
        status=STATUS.queued,
        number_of_retries=0,
        scheduled_time=None,
        last_updated=timezone.now(),
    )


def outbox_clean(*, now: datetime.datetime | None = None, batch_size: int = 1000) -> int:
    """Delete sent mail after MAIL_RETENTION_DAYS and failed mail after
    MAIL_FAILED_RETENTION_DAYS (with their logs and attachment files); mail still waiting is
    never deleted. Returns how many were deleted."""
    now = now or timezone.now()
    old = Q(status=STATUS.sent, created__lt=now - datetime.timedelta(settings.MAIL_RETENTION_DAYS))
    old |= Q(
        status=STATUS.failed,
        created__lt=now - datetime.timedelta(settings.MAIL_FAILED_RETENTION_DAYS),
    )
    deleted = 0
    while ids := list(Email.objects.filter(old).values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            Email.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    while orphans := list(Attachment.objects.filter(emails=None)[:batch_size]):
        for attachment in orphans:
            attachment.file.delete(save=False)
        Attachment.objects.filter(pk__in=[a.pk for a in orphans]).delete()
    return deleted


@receiver(email_queued, dispatch_uid="partnership.outbox.send_after_commit")
def _send_after_commit(sender, emails, **kwargs) -> None:
    """New mail in the outbox: ask a worker to send it once the transaction commits. If the
    broker is down this is logged, the request stands, and the beat's sweep sends it."""
    from .notifications import enqueue_after_commit
    from .tasks import send_queued_mail

    enqueue_after_commit(send_queued_mail, [email.pk for email in emails])
