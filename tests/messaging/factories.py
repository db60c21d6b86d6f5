"""Factories of the hub: threads and messages written straight to the database (for figures and
visibility, where the timestamps matter), and upload files of every kind."""

import datetime
import io
import zipfile

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from messaging.models import Message, Thread
from tests.factories import PartnershipFactory

T0 = timezone.make_aware(datetime.datetime(2026, 1, 5, 9, 0))


class ThreadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Thread
        skip_postgeneration_save = True

    partnership = factory.SubFactory(PartnershipFactory)
    category = "question"
    subject = factory.Sequence(lambda n: f"Thread {n}")
    side = "client"
    visibility = "shared"
    created_at = T0
    last_message_at = factory.LazyAttribute(lambda o: o.created_at)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    author_side = factory.LazyAttribute(lambda o: o.thread.side)
    body = factory.Sequence(lambda n: f"Message {n}")
    body_html = factory.LazyAttribute(lambda o: f"<p>{o.body}</p>")
    body_text = factory.LazyAttribute(lambda o: o.body)
    created_at = factory.LazyAttribute(lambda o: o.thread.created_at)


def hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


# --- Upload files --------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def pdf(name: str = "file.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def image_bytes(fmt: str = "PNG") -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(buffer, format=fmt)
    return buffer.getvalue()


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("PNG"))


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes("JPEG"))


def mp4(name: str = "instruction.mp4") -> SimpleUploadedFile:
    box = (24).to_bytes(4, "big") + b"ftypisom" + b"\x00\x00\x02\x00" + b"isomiso2"
    return SimpleUploadedFile(name, box + b"\x00\x00\x00\x08free" + b"\x00" * 64)


def webm(name: str = "instruction.webm") -> SimpleUploadedFile:
    header = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm"
    return SimpleUploadedFile(name, header + b"\x00" * 64)


OFFICE_MAIN = {  # kind -> (main part, its content type)
    "docx": ("word/document.xml", "wordprocessingml.document.main+xml"),
    "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml"),
    "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml"),
}
OOXML_TYPE = "application/vnd.openxmlformats-officedocument."
ROOT_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="{target}" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)


def ooxml(kind: str, *, main_type: str | None = None, extra: dict | None = None) -> bytes:
    """A minimal Office Open XML package as Word, Excel or PowerPoint write it: content types,
    the root relationship to the main part, the main part; `extra` adds parts (a macro)."""
    main, content_type = OFFICE_MAIN[kind]
    main_type = main_type or OOXML_TYPE + content_type
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/{main}" ContentType="{main_type}"/></Types>',
        )
        archive.writestr("_rels/.rels", ROOT_RELS.format(target=main))
        archive.writestr(main, "<root/>")
        for part, content in (extra or {}).items():
            archive.writestr(part, content)
    return buffer.getvalue()


def docx(name: str = "report.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ooxml("docx"))


def xlsx(name: str = "hours.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ooxml("xlsx"))


def plain_zip(name: str = "archive.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return SimpleUploadedFile(name, buffer.getvalue())
