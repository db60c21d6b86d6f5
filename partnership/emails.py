"""Outgoing mail, rendered in the recipient's language and written to the outbox (see
`partnership.outbox`) in the transaction that causes it."""

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
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


def queue_notification_emails(notifications) -> int:
    """Write each notification's e-mail to the outbox in the current transaction, rendered now in
    its recipient's language; returns how many were queued."""
    messages = []
    for notification in notifications:
        if not notification.user.email:
            continue
        subject, body = notification_render(notification)
        messages.append(
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.user.email])
        )
    if messages:
        get_connection().send_messages(messages)  # the outbox: one row per message
    return len(messages)


def send_invitation(invitation: Invitation, *, token: str) -> None:
    """Render the invitation in the inviter's language and write it to the mail outbox in the
    current transaction: the raw `token` (the accept link) exists only while the invitation is
    created or resent, so the mail is rendered now, never later by a worker."""
    with translation.override(_language_for_email(invitation.email, invitation.invited_by)):
        url = settings.SITE_URL + reverse("partnership:invitation_accept", kwargs={"token": token})
        context = {"invitation": invitation, "url": url}
        subject = _("You are invited to join %(org)s on Tandem") % {"org": invitation.joins_name}
        body = render_to_string("partnership/email/invitation.txt", context)
    send_mail(f"[Tandem] {subject}", body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
