""" "My work" from the hub: shared threads waiting for the user's side to answer.

Imported by `partnership.work` when the apps are ready; the source registers itself below.
One query whatever the number of partnerships or threads.
"""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.access import Action, partnerships_where
from partnership.models import Side
from partnership.statements import rows
from partnership.work import WorkItem, WorkSource, register_work_source

from .models import Status, Thread, Visibility


def threads_waiting(*, user):
    """Threads waiting for the side the user writes for (waiting threads are always shared)."""
    waiting = Q()
    for side in (Side.CLIENT, Side.SUPPLIER):
        waiting |= Q(
            waiting_for=side, partnership__in=partnerships_where(user, Action.PARTICIPATE, side)
        )
    return Thread.objects.filter(waiting, status=Status.WAITING, visibility=Visibility.SHARED)


def _items(user, today):
    def threads():
        return (
            threads_waiting(user=user)
            .select_related("partnership")
            .order_by("last_message_at", "pk")
        )

    return [
        WorkItem(
            kind="messaging.thread",
            title=_("Answer in the hub: %(subject)s") % {"subject": thread.subject},
            partnership=thread.partnership,
            url=reverse(
                "messaging:thread",
                kwargs={"partnership_id": thread.partnership_id, "thread_id": thread.pk},
            ),
        )
        # Built and compiled once per person (`partnership.statements.rows`), run each time.
        for thread in rows(("messaging.thread", user.pk, user.is_active), threads)
    ]


def _count(user, today):
    return threads_waiting(user=user).count()


register_work_source(
    WorkSource(
        "messaging.thread",
        gettext_lazy("Hub thread"),
        order=30,
        items=_items,
        count=_count,
        queryset=lambda user, today: threads_waiting(user=user),
    )
)
