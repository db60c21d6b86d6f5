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
    ids = [p.pk for p in partnerships]
    unread = selectors.unread_by_partnership(user=user, partnership_ids=ids)
    rows = (
        Thread.objects.visible_to(user)
        .filter(partnership_id__in=ids)
        .exclude(status__in=DONE_STATUSES)
        .values("partnership_id")
        .annotate(
            open_threads=Count("pk"),
            open_complaints=Count("pk", filter=Q(category=Category.COMPLAINT)),
        )
        .order_by()
    )
    open_by = {r["partnership_id"]: r for r in rows}
    result = {}
    for p in partnerships:
        counts = open_by.get(p.pk, {})
        result[p.pk] = {
            "partnership": p,
            "unread": unread.get(p.pk, 0),
            "open_threads": counts.get("open_threads", 0),
            "open_complaints": counts.get("open_complaints", 0),
        }
    return result
