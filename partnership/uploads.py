"""Uploads done safely, for every app: a size limit, the type judged by content (not by name),
a random stored name, and downloads only through a view that has applied the access rule."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

IMAGE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}


def check_size(upload, max_bytes: int | None = None) -> None:
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024)}
        )


def validate_image(upload, max_bytes: int | None = None) -> tuple[str, str]:
    """(extension, content type) of an uploaded photo, judged by decoding it with Pillow."""
    from PIL import Image, UnidentifiedImageError

    check_size(upload, max_bytes)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            detected = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(_("This is not a JPEG, PNG or WebP photo.")) from exc
    finally:
        upload.seek(0)
    if detected not in IMAGE_FORMATS:
        raise ValidationError(_("This is not a JPEG, PNG or WebP photo."))
    return IMAGE_FORMATS[detected]


def random_name(folder: str, extension: str) -> str:
    """Where to store an upload: never the uploader's name, which may carry a path or a script."""
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def display_name(original: str, fallback: str = "file") -> str:
    """A filename safe to show and to send back (no path, no control characters)."""
    name = get_valid_filename(PurePath(str(original).replace("\\", "/")).name) if original else ""
    return name[:150] or fallback


def download_response(file, *, filename: str, content_type: str, inline: bool = False):
    """Serve a stored file after the caller has checked access; RFC 6266 filename handling is
    Django's (`filename*=UTF-8''…`), and the browser is told not to sniff another type."""
    try:
        opened = file.open("rb")
    except FileNotFoundError as exc:
        # A row whose file went missing (a restore without media, a failed copy) is as absent as
        # any other object the reader cannot have: 404, not a server error.
        raise Http404 from exc
    response = FileResponse(
        opened, as_attachment=not inline, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def validate_document(upload, max_bytes: int | None = None) -> tuple[str, str]:
    """(extension, content type) of an uploaded PDF or photo, judged by its content."""
    check_size(upload, max_bytes)
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        return "pdf", "application/pdf"
    try:
        return validate_image(upload, max_bytes)
    except ValidationError:
        raise ValidationError(_("Upload a PDF or a JPEG, PNG or WebP image.")) from None


# The hub's allow-list: what a partnership exchanges (PDF, photos, short instruction videos,
# office documents and plain text), each recognised by its content. Extensions that name one of
# these types must agree with the content, so a renamed file is refused rather than mislabelled.
HUB_EXTENSIONS = {
    "pdf": ("pdf",),
    "jpg": ("jpg", "jpeg"),
    "png": ("png",),
    "webp": ("webp",),
    "mp4": ("mp4", "m4v"),
    "webm": ("webm",),
    "docx": ("docx",),
    "xlsx": ("xlsx",),
    "pptx": ("pptx",),
    "txt": ("txt", "md"),
    "csv": ("csv",),
}
OFFICE_TYPES = {
    "word/": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xl/": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "ppt/": ("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
}


def validate_filename(original) -> str:
    """The uploader's file name, refused when it carries folders or control characters."""
    name = str(original or "").strip()
    if not name or name in {".", ".."}:
        raise ValidationError(_("The file has no name."))
    if "/" in name or "\\" in name:
        raise ValidationError(_("The file name may not contain folders (/ or \\)."))
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise ValidationError(_("The file name contains control characters."))
    if len(name) > 150:
        raise ValidationError(_("The file name is longer than 150 characters."))
    return name


def _sniff(upload) -> tuple[str, str] | None:
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf", "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4", "video/mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "webm", "video/webm"
    if head.startswith(b"PK\x03\x04"):
        return _sniff_office(upload)
    if head[:2] in (b"\xff\xd8", b"\x89P", b"RI"):
        try:
            return validate_image(upload)
        except ValidationError:
            return None
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            # The 4 KB cut may split a character: judge the longest prefix that decodes.
            try:
                head[:-3].decode("utf-8")
            except UnicodeDecodeError:
                return None
        return "txt", "text/plain; charset=utf-8"
    return None


def _sniff_office(upload) -> tuple[str, str] | None:
    import zipfile

    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" not in names:
        return None
    for prefix, kind in OFFICE_TYPES.items():
        if any(n.startswith(prefix) for n in names):
            return kind
    return None


def validate_hub_file(upload, max_bytes: int | None = None) -> tuple[str, str]:
    """(extension, content type) of a hub upload: attachment or document version."""
    validate_filename(getattr(upload, "name", ""))
    check_size(upload, max_bytes)
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    detected = _sniff(upload)
    if detected is None:
        raise ValidationError(
            _(
                "This type of file is not allowed. Upload a PDF, a photo (JPEG, PNG, WebP), "
                "a video (MP4, WebM), a Word, Excel or PowerPoint file, or plain text."
            )
        )
    extension, content_type = detected
    claimed = PurePath(upload.name).suffix.lower().lstrip(".")
    if extension == "txt" and claimed == "csv":
        return "csv", "text/csv; charset=utf-8"
    named_other = any(
        claimed in aliases for kind, aliases in HUB_EXTENSIONS.items() if kind != extension
    )
    if named_other and not (extension == "txt" and claimed in HUB_EXTENSIONS["txt"]):
        raise ValidationError(
            _("The file is named .%(claimed)s but its content is %(actual)s.")
            % {"claimed": claimed, "actual": extension.upper()}
        )
    return extension, content_type


def sha256_of(upload) -> str:
    import hashlib

    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in (
        upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b"")
    ):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()
