"""Outgoing mail, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Invitation, Notification


def _language_for_email(email: str, user=None) -> str:
    if user is not None and getattr(user, "language", ""):
        return user.language
    return settings.LANGUAGE_CODE


def notification_render(notification: Notification) -> tuple[str, str]:
    """Subject and text of a notification's e-mail, rendered now in the recipient's language
    and number format: whoever raised it may speak another."""
    user = notification.user
    with translation.override(_language_for_email(user.email, user)):
        title = " ".join(notification.display_title.split())  # one line: it is the subject
        context = {
            "notification": notification,
            "title": title,
            "body": notification.display_body,
            "site_url": settings.SITE_URL,
        }
        return f"[Tandem] {title}", render_to_string("partnership/email/notification.txt", context)


def send_notification_emails(notification_ids: list[int]) -> int:
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related(
        "user", "partnership"
    ):
        subject, body = notification_render(notification)
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
        sent += 1
    return sent


def send_invitation(invitation: Invitation, *, token: str) -> None:
    """Render the invitation in the inviter's language and write it to the mail outbox in the
    current transaction: the raw `token` (the accept link) exists only while the invitation is
    created or resent, so the mail is rendered now, never later by a worker."""
    with translation.override(_language_for_email(invitation.email, invitation.invited_by)):
        url = settings.SITE_URL + reverse("partnership:invitation_accept", kwargs={"token": token})
        context = {"invitation": invitation, "url": url}
        subject = _("You are invited to join %(org)s on Tandem") % {
            "org": invitation.joins_name
        }
        body = render_to_string("partnership/email/invitation.txt", context)
    send_mail(f"[Tandem] {subject}", body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
