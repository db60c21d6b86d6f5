"""Celery entry points of the tenancy core: thin, they load ids and call services."""

from celery import shared_task

from . import emails, services_orgs


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    return emails.send_notification_emails(notification_ids)


@shared_task
def send_invitation_email(invitation_id: str) -> None:
    emails.send_invitation(invitation_id)


@shared_task
def purge_expired_invitations() -> int:
    return services_orgs.invitations_purge_expired()
