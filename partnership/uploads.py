"""Uploads done safely, for every app: a size limit, the type judged by content (not by name),
a random stored name, and downloads only through a view that has applied the access rule."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
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
    response = FileResponse(
        file.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
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
