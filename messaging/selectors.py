"""Reads of the hub. Every read that returns threads starts from `Thread.objects.for_access` (one
partnership) or `Thread.objects.visible_to` (across partnerships), so an internal thread never
reaches the other side or the facilitator, not even as a count. Each runs a fixed number of queries.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from partnership.models import Membership, Participant, Partnership, Role, Side
from partnership.statements import sum_of_counts
from places.models import Room

from .figures import figures, figures_by_period  # noqa: F401 (read here by the review round)
from .models import (
    DONE_STATUSES,
    Attachment,
    Category,
    Delivery,
    Document,
    DocumentVersion,
    HubPreference,
    Message,
    MessageRevision,
    ReadState,
    Thread,
    Visibility,
)

SEARCH_MIN_LENGTH = 2

# A thread's room as its page shows it: code, name, floor and building.
THREAD_ROOM = "room__floor__building"


def rooms_to_name(*, partnership, current_id=None) -> list[Room]:
    """The rooms a thread of `partnership` may name: those in use, by building and code, plus
    the thread's current room (`current_id`) even when retired. One query."""
    in_use = Q(retired_at__isnull=True)
    if current_id:
        in_use |= Q(pk=current_id)
    return list(
        Room.objects.filter(in_use, partnership=partnership)
        .select_related("floor__building")
        .order_by("floor__building__code", "code", "pk")
    )


def working_sides(visibility: str) -> list[str]:
    """The sides (client, supplier) whose participants read and handle a thread of this
    visibility; the facilitator reads shared threads too but is never notified or assigned."""
    if visibility == Visibility.CLIENT_INTERNAL:
        return [Side.CLIENT]
    if visibility == Visibility.SUPPLIER_INTERNAL:
        return [Side.SUPPLIER]
    return [Side.CLIENT, Side.SUPPLIER]


def assignable_users(*, partnership: Partnership, visibility: str = Visibility.SHARED) -> QuerySet:
    """Who a thread can be assigned to: participants of the sides that may see it who may write
    (never a read-only viewer, nor the facilitator, who guides and does not handle requests)."""
    read_only = Membership.objects.filter(
        role=Role.VIEWER, organization_id__in=[partnership.client_id, partnership.supplier_id]
    ).values("user_id")
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            participations__partnership=partnership,
            participations__side__in=working_sides(visibility),
            participations__deactivated_at__isnull=True,
        )
        .exclude(pk__in=read_only)  # a viewer cannot act on a thread, so cannot own one
        .annotate(
            side=Subquery(
                Participant.objects.filter(partnership=partnership, user=OuterRef("pk")).values(
                    "side"
                )[:1]
            )
        )
        .distinct()
        .order_by("side", "full_name", "email")
    )


def people_to_notify(*, thread: Thread, new_thread: bool) -> QuerySet:
    """The people involved: for a new thread every participant of a side that may see it (the
    facilitator not), for a reply the opener, the assignee and everyone who wrote in it."""
    users = get_user_model().objects.filter(is_active=True)
    may_see = Q(
        participations__partnership_id=thread.partnership_id,
        participations__side__in=working_sides(thread.visibility),
        participations__deactivated_at__isnull=True,
    )
    if new_thread:
        return users.filter(may_see).distinct()
    involved = Q(pk=thread.created_by_id) | Q(pk=thread.assignee_id)
    involved |= Q(pk__in=Message.objects.filter(thread=thread).values("author_id"))
    return users.filter(may_see).filter(involved).distinct()


def deliveries(*, users, category: str) -> dict[int, str]:
    """user id -> how they want to hear about `category` (one query)."""
    chosen = dict(
        HubPreference.objects.filter(user__in=users, category=category).values_list(
            "user_id", "delivery"
        )
    )
    return {u.pk: chosen.get(u.pk, Delivery.IMMEDIATE) for u in users}


def preferences_for(user) -> dict[str, str]:
    chosen = dict(HubPreference.objects.filter(user=user).values_list("category", "delivery"))
    return {c: chosen.get(c, Delivery.IMMEDIATE) for c in Category.values}


def inbox(
    *,
    access,
    category: str = "",
    status: str = "",
    assignee: str = "",
    visibility: str = "",
    q: str = "",
) -> QuerySet:
    """A partnership's threads as `access` may see them, unread first, then newest activity.

    `assignee` is a user id, "me" or "none"."""
    qs = (
        Thread.objects.for_access(access)
        .with_unread(access.user)
        .select_related("assignee", "created_by", THREAD_ROOM)
        .annotate(message_count=_message_count())
    )
    return _filtered(qs, access.user, category, status, assignee, visibility, q).order_by(
        "-is_unread", "-last_message_at", "-pk"
    )


def inbox_across(
    *, user, category: str = "", status: str = "", assignee: str = "", partnership=None
) -> QuerySet:
    """The cross-partnership inbox: every thread `user` may see, unread first."""
    qs = (
        Thread.objects.visible_to(user)
        .with_unread(user)
        .select_related("assignee", "created_by", "partnership", THREAD_ROOM)
        .annotate(message_count=_message_count())
    )
    if partnership:
        qs = qs.filter(partnership_id=partnership)
    return _filtered(qs, user, category, status, assignee, "", "").order_by(
        "-is_unread", "-last_message_at", "-pk"
    )


def _message_count():
    """Messages per thread as a correlated subquery: evaluated only for the rows of a page
    (PostgreSQL postpones it past the sort and limit), and the page count needs no join."""
    per_thread = (
        Message.objects.filter(thread=OuterRef("pk"))
        .order_by()
        .values("thread")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(per_thread), 0)


def _filtered(qs, user, category, status, assignee, visibility, q) -> QuerySet:
    if category in Category.values:
        qs = qs.filter(category=category)
    if status == "active":
        qs = qs.exclude(status__in=DONE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if assignee == "me":
        qs = qs.filter(assignee=user)
    elif assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee.isdigit():
        qs = qs.filter(assignee_id=int(assignee))
    if visibility == "internal":
        qs = qs.exclude(visibility=Visibility.SHARED)
    elif visibility == Visibility.SHARED:
        qs = qs.filter(visibility=Visibility.SHARED)
    if q:
        qs = qs.filter(_text_match(q))
    return qs


def _text_match(q: str) -> Q:
    in_messages = _messages_matching(q)
    in_documents = Document.objects.filter(
        threads=OuterRef("pk"), title__icontains=q, archived_at__isnull=True
    )
    return Q(subject__icontains=q) | Q(Exists(in_messages)) | Q(Exists(in_documents))


def unread_count(*, user) -> int:
    """Unread threads across every partnership the user can see (the header badge). One
    query, compiled once per person (`partnership.statements`)."""
    if not user.is_authenticated:
        return 0
    return sum_of_counts(
        ("hub.unread", user.pk), lambda: [Thread.objects.visible_to(user).unread_for(user)]
    )


def unread_by_partnership(*, user, partnership_ids=None) -> dict:
    """partnership id -> unread thread count, for a page of partnerships or (without ids) for
    every partnership the user can see (one query; partnerships without unread threads are
    left out)."""
    threads = Thread.objects.visible_to(user).unread_for(user)
    if partnership_ids is not None:
        threads = threads.filter(partnership_id__in=list(partnership_ids))
    rows = threads.values("partnership_id").annotate(n=Count("pk")).order_by()
    return {r["partnership_id"]: r["n"] for r in rows}


def hub_counts_by_partnership(*, user, partnership_ids) -> dict:
    """partnership id -> unread, open and open complaint threads the user may see, for the
    dashboard's cards (one query)."""
    read = ReadState.objects.filter(
        thread=OuterRef("pk"), user=user, read_at__gte=OuterRef("last_message_at")
    )
    active = ~Q(status__in=DONE_STATUSES)
    rows = (
        Thread.objects.visible_to(user)
        .filter(partnership_id__in=list(partnership_ids))
        .values("partnership_id")
        .annotate(
            unread=Count("pk", filter=Q(last_message_at__isnull=False) & ~Exists(read)),
            open_threads=Count("pk", filter=active),
            open_complaints=Count("pk", filter=active & Q(category=Category.COMPLAINT)),
        )
        .order_by()
    )
    return {r.pop("partnership_id"): r for r in rows}


def thread_messages(*, thread: Thread) -> QuerySet:
    return (
        Message.objects.filter(thread=thread)
        .select_related("author")
        .prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("pk")),
            Prefetch("revisions", queryset=MessageRevision.objects.order_by("replaced_at")),
        )
    )


def attachments_for_access(*, access) -> QuerySet:
    """Attachments of threads the holder of `access` may see."""
    return Attachment.objects.filter(
        message__thread__in=Thread.objects.for_access(access)
    ).select_related("message__thread")


def documents(*, partnership: Partnership, category: str = "", q: str = "", archived=False):
    """A partnership's documents with their latest version; `archived=None`: archived or not."""
    latest = DocumentVersion.objects.filter(document=OuterRef("pk")).order_by("-number")
    qs = Document.objects.filter(partnership=partnership)
    if archived is not None:
        qs = qs.filter(archived_at__isnull=not archived)
    qs = qs.select_related("created_by").annotate(
        version_count=Count("versions"),
        latest_number=Subquery(latest.values("number")[:1]),
        latest_size=Subquery(latest.values("size")[:1]),
        latest_version_id=Subquery(latest.values("pk")[:1]),
    )
    if category:
        qs = qs.filter(category=category)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(description__icontains=q))
    return qs.order_by("-updated_at", "-pk")


def document_versions(*, document: Document) -> QuerySet:
    return DocumentVersion.objects.filter(document=document).select_related("uploaded_by")


def linkable_documents(*, partnership: Partnership) -> QuerySet:
    return Document.objects.filter(partnership=partnership, archived_at__isnull=True).order_by(
        "title"
    )


def threads_linking(*, access, document: Document) -> QuerySet:
    """Threads that link `document`, limited to those the reader may see."""
    return Thread.objects.for_access(access).filter(documents=document).order_by("-pk")


def search(*, user, q: str, partnership_id=None) -> dict:
    """Threads (by subject or message text) and documents (by title) across the partnerships
    `user` can see; internal threads only for their own side. Two queries."""
    q = (q or "").strip()
    if len(q) < SEARCH_MIN_LENGTH:
        return {"threads": Thread.objects.none(), "documents": Document.objects.none()}
    threads = (
        Thread.objects.visible_to(user)
        .filter(Q(subject__icontains=q) | Q(Exists(_messages_matching(q))))
        .annotate(
            # The first message that matches, for a snippet (computed for the page's rows only).
            match_text=Subquery(
                _messages_matching(q).order_by("created_at", "pk").values("body_text")[:1]
            )
        )
        .select_related("partnership")
        .order_by("-last_message_at", "-pk")
    )
    docs = (
        Document.objects.filter(
            partnership__in=Partnership.objects.visible_to(user),
            archived_at__isnull=True,
            title__icontains=q,
        )
        .select_related("partnership")
        .order_by("-updated_at", "-pk")
    )
    if partnership_id:
        threads = threads.filter(partnership_id=partnership_id)
        docs = docs.filter(partnership_id=partnership_id)
    return {"threads": threads, "documents": docs}


def _messages_matching(q: str) -> QuerySet:
    """Messages of the outer thread whose words (as read, or as typed in Markdown) hold `q`."""
    return Message.objects.filter(
        Q(body_text__icontains=q) | Q(body__icontains=q), thread=OuterRef("pk")
    )


def thread_url(thread: Thread) -> str:
    return reverse(
        "messaging:thread",
        kwargs={"partnership_id": thread.partnership_id, "thread_id": thread.pk},
    )


def document_url(document: Document) -> str:
    return reverse(
        "messaging:document",
        kwargs={"partnership_id": document.partnership_id, "document_id": document.pk},
    )
