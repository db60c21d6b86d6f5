"""Celery entry points of the tenancy core: thin, they load ids and call services."""

from celery import shared_task

from . import outbox, services_orgs


@shared_task
def send_queued_mail(email_ids: list[int] | None = None) -> dict[str, int]:
    """Send the mail a transaction has just committed (`email_ids`), or, every minute from the
    beat, all that is due in the outbox."""
    return outbox.outbox_send_due(email_ids=email_ids)


@shared_task
def clean_sent_mail() -> int:
    return outbox.outbox_clean()


@shared_task
def purge_expired_invitations() -> int:
    return services_orgs.invitations_purge_expired()
