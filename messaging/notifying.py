"""Who hears about hub activity, and how: each recipient's choice for the thread's category
decides between an e-mail right away, a line in tomorrow's digest, or the in-app bell only."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.models import Side
from partnership.notifications import notify

from . import selectors
from .models import Category, Delivery, DigestItem, DocumentCategory, Message, Thread

PREVIEW_CHARS = 300


def announce(*, thread: Thread, message: Message, actor, new_thread: bool) -> None:
    users = [
        u
        for u in selectors.people_to_notify(thread=thread, new_thread=new_thread)
        if u.pk != actor.pk
    ]
    if not users:
        return
    chosen = selectors.deliveries(users=users, category=thread.category)
    params = {
        "author": actor.display_name,
        # The writer's own words: a parameter, so they are neither translated nor %-formatted.
        "preview": message.body[:PREVIEW_CHARS],
        "category": Category(thread.category).label,
        "subject": thread.subject,
        "partnership": thread.partnership.title,
    }
    if new_thread:
        kind, title = "hub.thread", _("New %(category)s in %(partnership)s: %(subject)s")
    else:
        kind, title = "hub.reply", _("%(author)s replied in “%(subject)s”")
    common = {
        "kind": kind,
        "title": title,
        "body": "%(preview)s",
        "params": params,
        "url": selectors.thread_url(thread),
        "partnership": thread.partnership,
    }
    immediate = [u for u in users if chosen[u.pk] == Delivery.IMMEDIATE]
    quiet = [u for u in users if chosen[u.pk] != Delivery.IMMEDIATE]
    if immediate:
        notify(users=immediate, email=True, **common)
    if quiet:
        notify(users=quiet, email=False, **common)
    now = timezone.now()
    DigestItem.objects.bulk_create(
        [
            DigestItem(user=u, thread=thread, message=message, created_at=now)
            for u in users
            if chosen[u.pk] == Delivery.DIGEST
        ]
    )


def announce_version(*, version, actor) -> None:
    """A new version of a document: both sides' participants see it in the app."""
    document = version.document
    partnership = document.partnership
    users = (
        get_user_model()
        .objects.filter(
            is_active=True,
            participations__partnership=partnership,
            participations__side__in=[Side.CLIENT, Side.SUPPLIER],
            participations__deactivated_at__isnull=True,
        )
        .exclude(pk=actor.pk)
        .distinct()
    )
    notify(
        users=users,
        kind="hub.document",
        title=_("New version %(number)s of %(category)s “%(title)s”"),
        params={
            "number": version.number,
            "category": DocumentCategory(document.category).label,
            "title": document.title,
        },
        url=selectors.document_url(document),
        partnership=partnership,
        email=False,
    )
