"""The hub's stored files, on disk or in object storage. Every upload is checked on its content
before any is stored, and is stored under a random name; files stored while a service runs are
deleted again if its transaction fails, so a refused request leaves no file behind."""

from contextvars import ContextVar
from functools import wraps

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from partnership.uploads import display_name, random_name, sha256_of, validate_hub_file

MAX_ATTACHMENTS = 10


def store_files(files, folder: str) -> list[dict]:
    """Validate every upload first, then store them; a bad one refuses the whole request."""
    files = list(files or [])
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"attachments": _("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS}}
        )
    checked = []
    for upload in files:
        try:
            extension, content_type = validate_hub_file(upload)
        except ValidationError as exc:
            raise ValidationError(
                {"attachments": [f"{display_name(upload.name)}: {m}" for m in exc.messages]}
            ) from exc
        checked.append((upload, extension, content_type))
    return [store(upload, folder, ext, ctype) for upload, ext, ctype in checked]


def store(upload, folder: str, extension: str, content_type: str) -> dict:
    from django.core.files.storage import default_storage

    # Hashed before it is stored: a storage may close the upload once it has sent it (S3).
    digest, size = sha256_of(upload), upload.size
    name = default_storage.save(random_name(folder, extension), upload)
    stored = _STORED.get()
    if stored is not None:
        stored.append(name)
    return {
        "file": name,
        "original_name": display_name(upload.name),
        "content_type": content_type,
        "size": size,
        "sha256": digest,
    }


# Files stored by the service running in this context, removed again if its transaction fails.
_STORED: ContextVar[list | None] = ContextVar("hub_stored_files", default=None)


def atomic_with_file_cleanup(func):
    """One transaction; files stored during it are deleted again if it fails."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        from django.core.files.storage import default_storage

        if _STORED.get() is not None:  # nested: the outer call owns the cleanup
            with transaction.atomic():
                return func(*args, **kwargs)
        token = _STORED.set([])
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except BaseException:
            for name in _STORED.get():
                default_storage.delete(name)
            raise
        finally:
            _STORED.reset(token)

    return wrapper
