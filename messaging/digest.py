"""The daily digest: one e-mail per user per day with the hub activity they chose to hear about
that way. The `Digest` row (unique per user and day) is claimed before anything is sent, so a
second run, or two workers at once, sends nothing twice; the mail is written to the outbox in the
same transaction as the claim (see `partnership.outbox`), so an outage delays it, never loses it."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import ngettext

from .models import Digest, DigestItem, Thread


def send_digests(*, now=None) -> int:
    """Send today's digests; returns how many went out."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    user_ids = (
        DigestItem.objects.filter(digest__isnull=True, created_at__lte=now)
        .values_list("user_id", flat=True)
        .distinct()
    )
    sent = 0
    for user_id in list(user_ids):
        if _send_one(user_id, day, now):
            sent += 1
    return sent


def _send_one(user_id, day, now) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = Digest.objects.create(user_id=user_id, day=day)
        except IntegrityError:
            return False  # today's digest for this user is already out (or going out)
        items = list(
            DigestItem.objects.select_for_update()
            .filter(user_id=user_id, digest__isnull=True, created_at__lte=now)
            .select_related("user")
        )
        if not items:
            return False
        user = items[0].user
        DigestItem.objects.filter(pk__in=[i.pk for i in items]).update(digest=digest)
        # Visibility is checked again at send time: only threads the user may see today.
        thread_ids = {i.thread_id for i in items}
        threads = list(
            Thread.objects.visible_to(user)
            .filter(pk__in=thread_ids)
            .select_related("partnership")
            .order_by("partnership__title", "-last_message_at")
        )
        if not threads or not user.is_active:
            return False
        counts = {}
        for item in items:
            counts[item.thread_id] = counts.get(item.thread_id, 0) + 1
        subject, body = _render(user, threads, counts)
        # Into the outbox in the claim's transaction: both stand, or neither.
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return True


def _render(user, threads, counts) -> tuple[str, str]:
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = ngettext(
            "[Tandem] Your hub digest: %(n)s thread with news",
            "[Tandem] Your hub digest: %(n)s threads with news",
            len(threads),
        ) % {"n": len(threads)}
        body = render_to_string(
            "messaging/email/digest.txt",
            {
                "user": user,
                "rows": [(t, counts.get(t.pk, 0)) for t in threads],
                "site_url": settings.SITE_URL,
            },
        )
    return subject, body
