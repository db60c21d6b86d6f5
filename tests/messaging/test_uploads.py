"""Uploads done safely: size limit, an allow-list judged on content, no path parts or control
characters in names; a refused file leaves no row and no file behind."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging import services
from messaging.models import Attachment, Document, DocumentVersion, Message, Thread

from . import factories as uf

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 54


def _files() -> int:
    root = Path(settings.MEDIA_ROOT)
    return sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def _refused():
    return [
        ("too large", lambda: uf.pdf("big.pdf", uf.PDF + b"x" * 2048)),
        ("zip", uf.plain_zip),
        ("elf renamed", lambda: SimpleUploadedFile("tool.pdf", ELF)),
        ("exe renamed", lambda: SimpleUploadedFile("setup.pdf", MZ)),
        ("png named pdf", lambda: uf.png("photo.pdf")),
        ("pdf named docx", lambda: uf.pdf("report.docx")),
        # An UploadedFile drops folders from its name itself; any other File object does not.
        ("dotdot", lambda: ContentFile(uf.PDF, name="../../etc/passwd.pdf")),
        ("folder", lambda: ContentFile(uf.PDF, name="a/b.pdf")),
        ("backslash", lambda: uf.pdf("a\\b.pdf")),
        ("control", lambda: uf.pdf("fac\x00tuur.pdf")),
        ("newline", lambda: uf.pdf("fac\ntuur.pdf")),
        ("empty", lambda: SimpleUploadedFile("leeg.pdf", b"")),
    ]


REFUSED = _refused()


@pytest.fixture
def small_limit(settings):
    settings.UPLOAD_MAX_BYTES = 1024


@pytest.mark.parametrize(("case", "make"), REFUSED, ids=[c for c, _m in REFUSED])
def test_document_create_refuses_and_stores_nothing(world, small_limit, case, make):
    before = _files()

    with pytest.raises(ValidationError) as exc:
        services.document_create(
            actor=world.member, partnership=world.partnership, title="Factuur", file=make()
        )

    assert "file" in exc.value.message_dict
    assert all(m.strip() for m in exc.value.message_dict["file"]), "a clear message"
    assert not Document.objects.exists() and not DocumentVersion.objects.exists()
    assert _files() == before


@pytest.mark.parametrize(("case", "make"), REFUSED, ids=[c for c, _m in REFUSED])
def test_a_bad_attachment_refuses_the_whole_thread(world, small_limit, case, make):
    before = _files()

    with pytest.raises(ValidationError) as exc:
        services.thread_create(
            actor=world.member,
            partnership=world.partnership,
            subject="Met bijlage",
            body="Zie bijlage",
            attachments=[uf.pdf("goed.pdf"), make()],
        )

    assert "attachments" in exc.value.message_dict
    assert not Thread.objects.exists() and not Message.objects.exists()
    assert not Attachment.objects.exists()
    assert _files() == before, "the good file stored first is removed again"


def test_a_bad_new_version_keeps_the_document_as_it_was(world, small_limit):
    document = services.document_create(
        actor=world.member, partnership=world.partnership, title="Blad", file=uf.pdf()
    )
    before = _files()

    with pytest.raises(ValidationError):
        services.document_version_add(
            actor=world.member, document=document, file=SimpleUploadedFile("v2.pdf", MZ)
        )

    assert list(document.versions.values_list("number", flat=True)) == [1]
    assert _files() == before


def test_the_size_limit_follows_the_setting(world, settings):
    settings.UPLOAD_MAX_BYTES = 10_000
    services.document_create(
        actor=world.member,
        partnership=world.partnership,
        title="Net onder",
        file=uf.pdf("ok.pdf", uf.PDF + b"x" * 9000),
    )
    with pytest.raises(ValidationError):
        services.document_create(
            actor=world.member,
            partnership=world.partnership,
            title="Net boven",
            file=uf.pdf("big.pdf", uf.PDF + b"x" * 10_001),
        )
    assert Document.objects.count() == 1


ACCEPTED = [
    (uf.pdf, "pdf", "application/pdf"),
    (uf.png, "png", "image/png"),
    (uf.jpeg, "jpg", "image/jpeg"),
    (lambda: uf.jpeg("photo.jpeg"), "jpg", "image/jpeg"),
    (uf.mp4, "mp4", "video/mp4"),
    (uf.webm, "webm", "video/webm"),
    (uf.docx, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (uf.xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (lambda: SimpleUploadedFile("notes.txt", "Schoonmaak — één\n".encode()), "txt", "text/plain"),
    (lambda: SimpleUploadedFile("uren.csv", b"afdeling;uren\nC3;12\n"), "csv", "text/csv"),
]


@pytest.mark.parametrize(("make", "extension", "content_type"), ACCEPTED)
def test_allowed_types_are_stored_under_a_random_name(world, make, extension, content_type):
    upload = make()
    document = services.document_create(
        actor=world.member, partnership=world.partnership, title="Bestand", file=upload
    )

    version = document.versions.get()
    assert version.content_type.startswith(content_type)
    assert version.file.name.endswith(f".{extension}")
    assert version.original_name == upload.name
    stored = Path(version.file.name).stem
    assert len(stored) == 32 and stored != Path(upload.name).stem
    assert (Path(settings.MEDIA_ROOT) / version.file.name).is_file()


def test_attachments_are_stored_with_their_message(world):
    thread = services.thread_create(
        actor=world.member,
        partnership=world.partnership,
        subject="Foto's",
        body="Zie de foto's",
        attachments=[uf.png("vloer.png"), uf.pdf("rapport.pdf")],
    )

    attachments = Attachment.objects.filter(message__thread=thread).order_by("pk")
    assert [(a.original_name, a.content_type) for a in attachments] == [
        ("vloer.png", "image/png"),
        ("rapport.pdf", "application/pdf"),
    ]
    assert _files() == 2
