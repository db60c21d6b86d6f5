"""Writes of the hub. Each service is keyword-only, checks the actor's right through
`partnership.access.require_action` and runs in one transaction: on any error nothing is stored,
files included (a stored file is removed again when the transaction rolls back)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, require_action
from partnership.models import Partnership
from partnership.uploads import sha256_of, validate_hub_file

from . import markdown, notifying, selectors, storage
from .models import (
    DONE_STATUSES,
    INTERNAL_FOR_SIDE,
    Attachment,
    Category,
    Document,
    DocumentCategory,
    DocumentVersion,
    Message,
    MessageRevision,
    Priority,
    ReadState,
    Status,
    Thread,
    Visibility,
    visibilities_for_side,
)
from .services_reading import _mark_read

MAX_BODY = 20_000


def _require_visible(access, thread: Thread) -> None:
    """A thread outside what the actor may see is treated as absent (404 upstream)."""
    if thread.partnership_id != access.partnership.pk or thread.visibility not in (
        visibilities_for_side(access.side)
    ):
        raise Thread.DoesNotExist


def _clean_body(body: str, field: str = "body") -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: _("Write a message.")})
    if len(body) > MAX_BODY:
        raise ValidationError(
            {field: _("A message can be at most %(max)s characters.") % {"max": MAX_BODY}}
        )
    return body


def _check_assignee(partnership, visibility, assignee) -> None:
    if assignee is None:
        return
    allowed = selectors.assignable_users(partnership=partnership, visibility=visibility)
    if not allowed.filter(pk=assignee.pk).exists():
        raise ValidationError(
            {"assignee": _("Choose a participant of a side that can see this thread.")}
        )


def _check_room(partnership, room, current_id=None) -> None:
    """A thread names a room of its own partnership's register, one in use. A retired room the
    thread already names may stay (it is shown on old threads), but is not chosen anew."""
    if room is None:
        return
    if room.partnership_id != partnership.pk:
        raise ValidationError({"room": _("Choose a room of this partnership's register.")})
    if room.retired_at is not None and current_id != room.pk:
        raise ValidationError({"room": _("This room is retired from the register.")})


# --- Threads and messages ------------------------------------------------------------------


@storage.atomic_with_file_cleanup
def thread_create(
    *,
    actor,
    partnership: Partnership,
    subject: str,
    body: str,
    category: str = Category.QUESTION,
    priority: str = Priority.NORMAL,
    internal: bool = False,
    assignee=None,
    room=None,
    attachments=(),
    documents=(),
) -> Thread:
    access = require_action(actor, partnership, Action.PARTICIPATE)
    subject = (subject or "").strip()
    errors = {}
    if not subject:
        errors["subject"] = _("Give the thread a subject.")
    if category not in Category.values:
        errors["category"] = _("Choose a category.")
    if priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if errors:
        raise ValidationError(errors)
    body = _clean_body(body)
    visibility = INTERNAL_FOR_SIDE[access.side] if internal else Visibility.SHARED
    _check_assignee(partnership, visibility, assignee)
    _check_room(partnership, room)
    now = timezone.now()
    thread = Thread.objects.create(
        partnership=partnership,
        category=category,
        subject=subject[:200],
        priority=priority,
        visibility=visibility,
        side=access.side,
        assignee=assignee,
        room=room,
        created_by=actor,
        created_at=now,
        last_message_at=now,
    )
    _link(thread, documents)
    message = _add_message(thread, actor, access.side, body, attachments, now)
    ReadState.objects.create(user=actor, thread=thread, read_at=now)
    notifying.announce(thread=thread, message=message, actor=actor, new_thread=True)
    return thread


@storage.atomic_with_file_cleanup
def message_post(*, actor, thread: Thread, body: str, attachments=()) -> Message:
    thread = Thread.objects.select_for_update().select_related("partnership").get(pk=thread.pk)
    access = require_action(actor, thread.partnership, Action.PARTICIPATE)
    _require_visible(access, thread)
    if thread.status == Status.CLOSED:
        raise ValidationError({"body": _("This thread is closed. Reopen it to write in it.")})
    body = _clean_body(body)
    now = timezone.now()
    message = _add_message(thread, actor, access.side, body, attachments, now)
    changed = ["last_message_at"]
    thread.last_message_at = now
    if (
        thread.first_response_at is None
        and thread.visibility == Visibility.SHARED
        and access.side != thread.side
    ):
        thread.first_response_at = now
        changed.append("first_response_at")
    if thread.status == Status.RESOLVED:  # a reply on a resolved thread reopens it
        thread.status, thread.resolved_at = Status.OPEN, None
        changed += ["status", "resolved_at"]
    elif thread.status == Status.WAITING and access.side == thread.waiting_for:
        thread.status, thread.waiting_for = Status.OPEN, ""  # the answer waited for came in
        changed += ["status", "waiting_for"]
    thread.save(update_fields=changed)
    _mark_read(actor, [thread.pk], now)
    notifying.announce(thread=thread, message=message, actor=actor, new_thread=False)
    return message


def _add_message(thread, actor, side, body, attachments, now) -> Message:
    message = Message.objects.create(
        thread=thread,
        author=actor,
        author_side=side,
        body=body,
        body_html=(html := markdown.render(body)),
        body_text=markdown.plain(html),
        created_at=now,
    )
    stored = storage.store_files(attachments, f"hub/{thread.partnership_id}/attachments")
    Attachment.objects.bulk_create([Attachment(message=message, **f) for f in stored])
    return message


def edit_deadline(message: Message):
    return message.created_at + timedelta(minutes=settings.HUB_EDIT_MINUTES)


def can_edit(*, user, message: Message, now=None) -> bool:
    return (
        message.author_id == getattr(user, "pk", None)
        and (now or timezone.now()) <= edit_deadline(message)
        and message.thread.status != Status.CLOSED
    )


@transaction.atomic
def message_edit(*, actor, message: Message, body: str) -> Message:
    message = (
        Message.objects.select_for_update().select_related("thread__partnership").get(pk=message.pk)
    )
    access = require_action(actor, message.thread.partnership, Action.PARTICIPATE)
    _require_visible(access, message.thread)
    if message.author_id != actor.pk:
        raise PermissionDenied
    now = timezone.now()
    if not can_edit(user=actor, message=message, now=now):
        raise ValidationError(
            {
                "body": _("A message can only be edited in the first %(n)s minutes.")
                % {"n": settings.HUB_EDIT_MINUTES}
            }
        )
    body = _clean_body(body)
    if body == message.body:
        return message
    MessageRevision.objects.create(message=message, body=message.body, replaced_at=now)
    message.body, message.body_html, message.edited_at = body, markdown.render(body), now
    message.body_text = markdown.plain(message.body_html)
    message.save(update_fields=["body", "body_html", "body_text", "edited_at"])
    return message


@transaction.atomic
def thread_update(
    *,
    actor,
    thread: Thread,
    status: str | None = None,
    priority: str | None = None,
    category: str | None = None,
    subject: str | None = None,
    assignee=...,
    room=...,
) -> Thread:
    """Change a thread's handling. Its visibility is fixed at creation: making an internal thread
    shared would publish what was written for one side only."""
    thread = Thread.objects.select_for_update().select_related("partnership").get(pk=thread.pk)
    access = require_action(actor, thread.partnership, Action.PARTICIPATE)
    _require_visible(access, thread)
    errors = {}
    if status is not None and status not in Status.values:
        errors["status"] = _("Choose a status.")
    if priority is not None and priority not in Priority.values:
        errors["priority"] = _("Choose a priority.")
    if category is not None and category not in Category.values:
        errors["category"] = _("Choose a category.")
    if subject is not None and not subject.strip():
        errors["subject"] = _("Give the thread a subject.")
    if errors:
        raise ValidationError(errors)
    if assignee is not ...:
        _check_assignee(thread.partnership, thread.visibility, assignee)
        thread.assignee = assignee
    if room is not ...:
        _check_room(thread.partnership, room, current_id=thread.room_id)
        thread.room = room
    if status == Status.WAITING and thread.visibility != Visibility.SHARED:
        raise ValidationError({"status": _("An internal thread has no other side to wait for.")})
    if status is not None and status != thread.status:
        thread.status = status
        thread.waiting_for = access.other_side if status == Status.WAITING else ""
        if status in DONE_STATUSES:
            thread.resolved_at = thread.resolved_at or timezone.now()
        else:
            thread.resolved_at = None
    elif status == Status.WAITING:  # already waiting: now for the other side of this actor
        thread.waiting_for = access.other_side
    thread.priority = priority or thread.priority
    thread.category = category or thread.category
    thread.subject = subject.strip()[:200] if subject else thread.subject
    thread.save()
    return thread


@transaction.atomic
def thread_link_documents(*, actor, thread: Thread, documents) -> Thread:
    access = require_action(actor, thread.partnership, Action.PARTICIPATE)
    _require_visible(access, thread)
    _link(thread, documents)
    return thread


def _link(thread: Thread, documents) -> None:
    documents = list(documents or [])
    if any(d.partnership_id != thread.partnership_id or d.archived_at for d in documents):
        raise ValidationError({"documents": _("Choose documents of this partnership.")})
    thread.documents.add(*documents)


# --- Documents -----------------------------------------------------------------------------


@storage.atomic_with_file_cleanup
def document_create(
    *,
    actor,
    partnership: Partnership,
    title: str,
    file,
    category: str = DocumentCategory.OTHER,
    description: str = "",
    note: str = "",
) -> Document:
    require_action(actor, partnership, Action.PARTICIPATE)
    title = (title or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the document a title.")
    if category not in DocumentCategory.values:
        errors["category"] = _("Choose a category.")
    if file is None:
        errors["file"] = _("Choose a file.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            document = Document.objects.create(
                partnership=partnership,
                category=category,
                title=title[:200],
                description=description or "",
                created_by=actor,
                updated_at=now,
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"title": _("This partnership already has a document by that name.")}
        ) from exc
    _add_version(document, actor, file, note, now)
    return document


@storage.atomic_with_file_cleanup
def document_version_add(*, actor, document: Document, file, note: str = "") -> DocumentVersion:
    document = (
        Document.objects.select_for_update().select_related("partnership").get(pk=document.pk)
    )
    require_action(actor, document.partnership, Action.PARTICIPATE)
    if document.archived_at is not None:
        raise ValidationError({"file": _("This document is archived.")})
    if file is None:
        raise ValidationError({"file": _("Choose a file.")})
    now = timezone.now()
    version = _add_version(document, actor, file, note, now)
    document.updated_at = now
    document.save(update_fields=["updated_at"])
    notifying.announce_version(version=version, actor=actor)
    return version


def _add_version(document, actor, file, note, now) -> DocumentVersion:
    try:
        extension, content_type = validate_hub_file(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    latest = document.versions.order_by("-number").values_list("number", "sha256").first()
    if latest is not None and latest[1] == sha256_of(file):
        raise ValidationError(
            {"file": _("This file is the same as version %(n)s.") % {"n": latest[0]}}
        )
    number = (latest[0] if latest else 0) + 1
    stored = storage.store(
        file, f"hub/{document.partnership_id}/documents", extension, content_type
    )
    return DocumentVersion.objects.create(
        document=document,
        number=number,
        note=(note or "")[:300],
        uploaded_by=actor,
        uploaded_at=now,
        **stored,
    )


@transaction.atomic
def document_update(
    *, actor, document: Document, title=None, category=None, description=None
) -> Document:
    require_action(actor, document.partnership, Action.PARTICIPATE)
    if title is not None and not title.strip():
        raise ValidationError({"title": _("Give the document a title.")})
    if category is not None and category not in DocumentCategory.values:
        raise ValidationError({"category": _("Choose a category.")})
    document.title = title.strip()[:200] if title else document.title
    document.category = category or document.category
    document.description = description if description is not None else document.description
    try:
        with transaction.atomic():
            document.save(update_fields=["title", "category", "description"])
    except IntegrityError as exc:
        raise ValidationError(
            {"title": _("This partnership already has a document by that name.")}
        ) from exc
    return document


@transaction.atomic
def document_archive(*, actor, document: Document, archived: bool = True) -> Document:
    """Documents are archived, never deleted: every version stays downloadable."""
    access = require_action(actor, document.partnership, Action.PARTICIPATE)
    if not access.is_manager and document.created_by_id != actor.pk:
        raise PermissionDenied
    document.archived_at = timezone.now() if archived else None
    try:
        with transaction.atomic():
            document.save(update_fields=["archived_at"])
    except IntegrityError as exc:
        raise ValidationError(
            {"title": _("This partnership already has a document by that name.")}
        ) from exc
    return document
