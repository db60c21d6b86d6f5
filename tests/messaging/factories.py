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


def office(name: str, folder: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return SimpleUploadedFile(name, buffer.getvalue())


def docx(name: str = "report.docx") -> SimpleUploadedFile:
    return office(name, "word/")


def xlsx(name: str = "hours.xlsx") -> SimpleUploadedFile:
    return office(name, "xl/")


def plain_zip(name: str = "archive.zip") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    return SimpleUploadedFile(name, buffer.getvalue())
