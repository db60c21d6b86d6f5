"""The hub of the demo world: a year of threads between Sint-Lucas and CleanCare.

The year starts rough (the OK-complex not mopped, the wrong invoice, complaints every other week)
and settles: complaints drop from six in the first quarter to one in the last, answers come
sooner, and ideas start to come from both sides. Both sides keep internal threads. The library
holds the contract, work instructions (a PDF and an image), technical sheets, invoices and a
report, two of them with three versions by different people. The threads are in
`demo_data/threads.toml`, the library in `demo_data/library.toml`.

Everything goes through the services, as the demo people would do it. The services work in
"now", so afterwards the seeder moves each thread, message and version to the moment it was
written (`_backdate_*`), and removes the notifications of long-past events.
"""

import datetime
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from partnership.demo import load_data
from partnership.models import Notification, Side
from places.models import Room

from . import services
from .models import (
    DONE_STATUSES,
    Document,
    DocumentVersion,
    Message,
    ReadState,
    Status,
    Thread,
    Visibility,
)

# Notifications of events older than this are removed: they would only be noise in the bell.
RECENT = datetime.timedelta(days=3)


def seed(world) -> None:
    data = load_data(__file__, "threads")
    users = world.users
    sides = {key: Side.CLIENT if key in data["client_people"] else Side.SUPPLIER for key in users}
    for key, specs in data["threads"].items():
        partnership = world.partnerships[key]
        if Thread.objects.filter(partnership=partnership).exists():
            continue
        # The cleaning partnership has the library, and unread news for the facility manager.
        cleaning = key == "cleaning"
        documents = _library(partnership, users) if cleaning else {}
        threads = [_thread(partnership, users, sides, spec) for spec in specs]
        _link(threads, specs, documents, users)
        _read_states(partnership, users, threads, unread_for=("fm",) if cleaning else ())
        _quiet_old_notifications(threads, documents.values())


# --- Times ---------------------------------------------------------------------------------


def _year_start() -> datetime.date:
    """The first day of the month eleven months ago: the demo year ends with this month."""
    today = timezone.localdate()
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return datetime.date(year, (month - 1) % 12 + 1, 1)


def _when(spec: dict) -> datetime.datetime:
    """{month, day, hour} in the demo year (month 0 is its first), or {days_ago, hour}."""
    if "days_ago" in spec:
        day = timezone.localdate() - datetime.timedelta(days=spec["days_ago"])
    else:
        start = _year_start()
        month = start.month - 1 + spec["month"]
        day = datetime.date(start.year + month // 12, month % 12 + 1, spec["day"])
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(spec["hour"])))


# --- Threads -------------------------------------------------------------------------------


def _thread(partnership, users: dict, sides: dict, spec: dict) -> Thread:
    """Opened by `opener` with the first message's text; the other messages as replies."""
    first, *replies = spec["messages"]
    opener = users[spec["opener"]]
    thread = services.thread_create(
        actor=opener,
        partnership=partnership,
        subject=spec["subject"],
        body=first["text"],
        category=spec["category"],
        priority=spec["priority"],
        internal=spec.get("internal", False),
        assignee=users[spec["assignee"]] if "assignee" in spec else None,
        room=_room(partnership, spec.get("room")),
    )
    for message in replies:
        services.message_post(actor=users[message["author"]], thread=thread, body=message["text"])
    status = spec["status"]
    if status != Status.OPEN:
        services.thread_update(actor=opener, thread=thread, status=status)
    _backdate_thread(thread, sides, spec, status)
    return thread


def _room(partnership, code: str | None):
    """The room of the register by its code; none while the register is not seeded."""
    if not code:
        return None
    return Room.objects.filter(partnership=partnership, code=code).first()


def _backdate_thread(thread: Thread, sides: dict, spec: dict, status: str) -> None:
    opened = _when(spec["opened"])
    messages = spec["messages"]
    times = [opened + datetime.timedelta(hours=m["hours"]) for m in messages]
    for message, when in zip(thread.messages.order_by("pk"), times, strict=True):
        Message.objects.filter(pk=message.pk).update(created_at=when)
    answers = [t for m, t in zip(messages, times, strict=True) if sides[m["author"]] != thread.side]
    first_response = answers[0] if answers and thread.visibility == Visibility.SHARED else None
    resolved = None
    if status in DONE_STATUSES:
        resolved = opened + datetime.timedelta(hours=spec["resolved_after_hours"])
    Thread.objects.filter(pk=thread.pk).update(
        created_at=opened,
        last_message_at=times[-1],
        first_response_at=first_response,
        resolved_at=resolved,
    )
    records = list(thread.history.order_by("history_id"))
    for index, record in enumerate(records):
        at = opened if index == 0 else (resolved or times[-1])
        thread.history.filter(history_id=record.history_id).update(history_date=at)


def _read_states(partnership, users: dict, threads, unread_for=("fm",)) -> None:
    """Everyone has read what happened, except the facility manager's newest news."""
    threads = list(Thread.objects.filter(pk__in=[t.pk for t in threads]))
    ReadState.objects.filter(thread__in=threads).delete()
    recent = timezone.now() - RECENT - datetime.timedelta(days=1)
    last_author = {
        t.pk: t.messages.order_by("-created_at", "-pk").first().author_id for t in threads
    }
    states = []
    for key, user in users.items():
        visible = set(
            Thread.objects.visible_to(user)
            .filter(partnership=partnership)
            .values_list("pk", flat=True)
        )
        for thread in threads:
            if thread.pk not in visible:
                continue
            if (
                key in unread_for
                and thread.last_message_at >= recent
                and last_author[thread.pk] != user.pk
            ):
                continue
            states.append(ReadState(user=user, thread=thread, read_at=thread.last_message_at))
    ReadState.objects.bulk_create(states)


def _quiet_old_notifications(threads, documents) -> None:
    """The services told everyone about every message and version; keep only the last few days'
    news about threads, dated to when it happened."""
    from . import selectors

    cutoff = timezone.now() - RECENT
    urls = {selectors.thread_url(t): t.pk for t in threads}
    last = dict(Thread.objects.filter(pk__in=urls.values()).values_list("pk", "last_message_at"))
    old = [url for url, pk in urls.items() if last[pk] < cutoff]
    hub = Notification.objects.filter(kind__in=["hub.thread", "hub.reply"])
    hub.filter(url__in=old).delete()
    for url, pk in urls.items():
        if url not in old:
            hub.filter(url=url).update(created_at=last[pk])
    Notification.objects.filter(
        kind="hub.document", url__in=[selectors.document_url(d) for d in documents]
    ).delete()


# --- The library ---------------------------------------------------------------------------


def _pdf(title: str) -> bytes:
    """A minimal, valid one-page PDF that shows `title`."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text.replace(b"(", b"[").replace(b")", b"]") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return bytes(out)


def _png(colour: tuple[int, int, int]) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 20, 300, 180), outline=colour, width=6)
    draw.ellipse((120, 60, 200, 140), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(version: dict) -> SimpleUploadedFile:
    """The version's file: an image of its colour, or a PDF that shows its text."""
    if "colour" in version:
        return SimpleUploadedFile(version["file"], _png(tuple(version["colour"])))
    return SimpleUploadedFile(version["file"], _pdf(version["text"]))


def _library(partnership, users: dict) -> dict:
    documents = {}
    for spec in load_data(__file__, "library")["documents"]:
        first, *later = spec["versions"]
        document = services.document_create(
            actor=users[first["uploader"]],
            partnership=partnership,
            title=spec["title"],
            category=spec["category"],
            file=_upload(first),
            note=first.get("note", ""),
        )
        for version in later:
            services.document_version_add(
                actor=users[version["uploader"]],
                document=document,
                file=_upload(version),
                note=version.get("note", ""),
            )
        times = [_when(v["uploaded"]) for v in spec["versions"]]
        for version, at in zip(document.versions.order_by("number"), times, strict=True):
            DocumentVersion.objects.filter(pk=version.pk).update(uploaded_at=at)
        Document.objects.filter(pk=document.pk).update(created_at=times[0], updated_at=times[-1])
        document.history.update(history_date=times[0])
        documents[spec["key"]] = document
    return documents


def _link(threads, specs: list, documents: dict, users: dict) -> None:
    """Attach the library's documents that the threads are about, once all threads exist."""
    for thread, spec in zip(threads, specs, strict=True):
        if "link" in spec:
            services.thread_link_documents(
                actor=users[spec["link"]["by"]],
                thread=thread,
                documents=[documents[spec["link"]["document"]]],
            )
