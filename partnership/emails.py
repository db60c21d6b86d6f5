"""Outgoing mail, rendered in the recipient's language and written to the outbox (see
`partnership.outbox`) in the transaction that causes it."""

import re
from email.utils import make_msgid
from types import SimpleNamespace

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from post_office.models import STATUS, Email
from post_office.settings import get_message_id_enabled, get_message_id_fqdn
from post_office.signals import email_queued
from post_office.utils import parse_priority

from .models import Invitation, Notification


def _language_for_email(email: str, user=None) -> str:
    if user is not None and getattr(user, "language", ""):
        return user.language
    return settings.LANGUAGE_CODE


def notification_render(notification: Notification, shapes: dict | None = None) -> tuple[str, str]:
    """Subject and text of a notification's e-mail, rendered now in the recipient's language
    and number format: whoever raised it may speak another.

    `shapes` (a dict the caller keeps) lets a batch render the template once per language and
    shape and fill in each message's texts; see `_Shape`."""
    user = notification.user
    language = _language_for_email(user.email, user)
    with translation.override(language):
        title = " ".join(notification.display_title.split())  # one line: it is the subject
        body = notification.display_body
        if shapes is None:
            return f"[Tandem] {title}", _render(notification, title, body)
        key = (
            language,
            notification.partnership_id is not None,
            bool(body),
            bool(notification.url),
        )
        if key not in shapes:
            shapes[key] = _Shape(notification, title, body)
        return f"[Tandem] {title}", shapes[key].fill(notification, title, body)


NOTIFICATION_TEMPLATE = "partnership/email/notification.txt"


def _render(notification, title: str, body: str) -> str:
    context = {
        "notification": notification,
        "title": title,
        "body": body,
        "site_url": settings.SITE_URL,
    }
    return render_to_string(NOTIFICATION_TEMPLATE, context)


class _Shape:
    """The notification template rendered once with markers in place of the message's texts,
    for every message of one language and shape (with or without partnership, body and link):
    filling the markers in costs far less than rendering the template thousands of times.
    Checked on the first message against a real rendering: a template that does more with
    its values than print them (a filter, another field) is rendered for every message."""

    MARK = re.compile("\x00(title|body|partnership|url)\x00")

    def __init__(self, notification, title: str, body: str):
        def mark(name, present=True):
            return f"\x00{name}\x00" if present else ""

        fake = SimpleNamespace(
            partnership=SimpleNamespace(title=mark("partnership"))
            if notification.partnership_id is not None
            else None,
            url=mark("url", bool(notification.url)),
        )
        self.text = _render(fake, mark("title"), mark("body", bool(body)))
        self.exact = self.fill(notification, title, body) == _render(notification, title, body)

    def fill(self, notification, title: str, body: str) -> str:
        if not getattr(self, "exact", True):
            return _render(notification, title, body)
        values = {
            "title": title,
            "body": body,
            "partnership": notification.partnership.title if notification.partnership_id else "",
            "url": notification.url,
        }
        return self.MARK.sub(lambda m: values[m.group(1)], self.text)


def queue_notification_emails(notifications) -> int:
    """Write each notification's e-mail to the outbox in the current transaction, rendered now in
    its recipient's language; returns how many were queued.

    One insert for all of them (the clock queues thousands at once): the rows are those
    post_office's backend writes one by one, and the template is rendered once per language and
    shape of message (see `notification_render`).
    """
    shapes: dict = {}
    emails = []
    priority = parse_priority(None)
    for notification in notifications:
        user = notification.user
        if not user.email:
            continue
        subject, body = notification_render(notification, shapes)
        emails.append(
            Email(
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
                cc=[],
                bcc=[],
                subject=subject,
                message=body,
                html_message="",
                headers={},
                priority=priority,
                status=STATUS.queued,
                message_id=_message_id(),
            )
        )
    if emails:
        Email.objects.bulk_create(emails)
        email_queued.send(sender=Email, emails=emails)  # the outbox sends them after commit
    return len(emails)


def _message_id() -> str | None:
    return make_msgid(domain=get_message_id_fqdn()) if get_message_id_enabled() else None


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
