"""Writes of one reader's own state in the hub: which threads they have read, and how they hear
about each category. Reading needs no write role, so viewers and the facilitator keep their own."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.models import Notification, Partnership

from . import selectors
from .models import Category, Delivery, HubPreference, ReadState, Thread


def _mark_read(user, thread_ids, when) -> None:
    ReadState.objects.bulk_create(
        [ReadState(user=user, thread_id=pk, read_at=when) for pk in thread_ids],
        update_conflicts=True,
        unique_fields=["user", "thread"],
        update_fields=["read_at"],
    )


THREAD_NOTIFICATION_KINDS = ("hub.thread", "hub.reply")


def thread_mark_read(*, user, thread: Thread) -> None:
    """Reading needs no write role: viewers and the facilitator keep their own read state.
    The bell's notifications about the thread are read with it."""
    now = timezone.now()
    _mark_read(user, [thread.pk], now)
    Notification.objects.filter(
        user=user,
        read_at__isnull=True,
        kind__in=THREAD_NOTIFICATION_KINDS,
        url=selectors.thread_url(thread),
    ).update(read_at=now)


@transaction.atomic
def threads_mark_read(*, user, partnership: Partnership | None = None) -> int:
    """Mark every thread the user can see read (in one partnership, or everywhere)."""
    threads = Thread.objects.visible_to(user).unread_for(user)
    if partnership is not None:
        threads = threads.filter(partnership=partnership)
    ids = list(threads.values_list("pk", flat=True))
    now = timezone.now()
    _mark_read(user, ids, now)
    notifications = Notification.objects.filter(
        user=user, read_at__isnull=True, kind__in=THREAD_NOTIFICATION_KINDS
    )
    if partnership is not None:
        notifications = notifications.filter(partnership=partnership)
    notifications.update(read_at=now)
    return len(ids)


@transaction.atomic
def preferences_set(*, user, choices: dict[str, str]) -> None:
    errors = {c: _("Choose how to hear about this.") for c, d in choices.items() if
              c not in Category.values or d not in Delivery.values}  # fmt: skip
    if errors:
        raise ValidationError(errors)
    HubPreference.objects.bulk_create(
        [HubPreference(user=user, category=c, delivery=d) for c, d in choices.items()],
        update_conflicts=True,
        unique_fields=["user", "category"],
        update_fields=["delivery"],
    )
