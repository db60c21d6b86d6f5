"""Celery entry points of the tenancy core: thin, they load ids and call services."""

from celery import shared_task

from . import emails, services_orgs


@shared_task
def send_notification_emails(notification_ids: list[int]) -> int:
    return emails.send_notification_emails(notification_ids)


@shared_task
def send_invitation_email(invitation_id: str) -> None:
    """Deprecated: kept until no caller is left; callers use `emails.send_invitation` in their
    transaction (the raw token is not stored)."""
    from .models import Invitation

    invitation = (
        Invitation.objects.select_related("organization", "invited_by", "partnership")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None or invitation.status != "pending":
        return
    emails.send_invitation(invitation, token=invitation.token)


@shared_task
def purge_expired_invitations() -> int:
    return services_orgs.invitations_purge_expired()
