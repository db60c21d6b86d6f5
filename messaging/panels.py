"""The hub on the partnership overview and the dashboard cards: unread threads and what is
still open. Counts start from the visibility rule, so internal threads of the other side are
never counted; each hook runs a fixed number of queries however many partnerships it shows."""

from django.db.models import Count, Q

from . import selectors
from .models import DONE_STATUSES, Category, Thread


def _open_counts(threads) -> dict:
    return threads.exclude(status__in=DONE_STATUSES).aggregate(
        open_threads=Count("pk"),
        open_complaints=Count("pk", filter=Q(category=Category.COMPLAINT)),
    )


def overview(partnership, access):
    threads = Thread.objects.for_access(access)
    return {
        "partnership": partnership,
        "unread": threads.unread_for(access.user).count(),
        **_open_counts(threads),
    }


def cards(partnerships):
    """Without a reader there is nothing to show: unread and internal threads are per person."""
    return {}


def cards_for_user(partnerships, user):
    counts = selectors.hub_counts_by_partnership(
        user=user, partnership_ids=[p.pk for p in partnerships]
    )
    empty = {"unread": 0, "open_threads": 0, "open_complaints": 0}
    return {p.pk: {"partnership": p, **counts.get(p.pk, empty)} for p in partnerships}
