"""Uploads done safely, for every app, in one place: a size limit; a name that ends in the
extension of a type on the allow-list and a content that is that type (Office files checked as
packages: no zip bomb, the right main part, no macros); a virus scan when clamd is configured; a
random stored name; and downloads only through a view that has applied the access rule, under a
name that ends in the extension of the type that was detected."""

import codecs
import hashlib
import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath
from xml.etree import ElementTree

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from . import object_storage, virus_scan

log = logging.getLogger(__name__)

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXCEL = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POWERPOINT = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


@dataclass(frozen=True)
class FileType:
    extension: str  # what stored and downloaded names end in
    content_type: str
    aliases: tuple[str, ...]  # the extensions a name of this type may end in
    label: str  # how a message names it


# The allow-list. A name must end in one of its type's aliases and the content must be that type.
TYPES = {
    t.extension: t
    for t in (
        FileType("pdf", "application/pdf", ("pdf",), "PDF"),
        FileType("jpg", "image/jpeg", ("jpg", "jpeg"), "JPEG"),
        FileType("png", "image/png", ("png",), "PNG"),
        FileType("webp", "image/webp", ("webp",), "WebP"),
        FileType("mp4", "video/mp4", ("mp4", "m4v"), "MP4"),
        FileType("webm", "video/webm", ("webm",), "WebM"),
        FileType("docx", WORD, ("docx",), "Word"),
        FileType("xlsx", EXCEL, ("xlsx",), "Excel"),
        FileType("pptx", POWERPOINT, ("pptx",), "PowerPoint"),
        FileType("txt", "text/plain; charset=utf-8", ("txt", "md"), _("plain text")),
        FileType("csv", "text/csv; charset=utf-8", ("csv",), "CSV"),
    )
}
PHOTO_TYPES = frozenset({"jpg", "png", "webp"})
EVIDENCE_TYPES = PHOTO_TYPES | {"pdf"}
HUB_TYPES = frozenset(TYPES)

# Refused whatever the content: what a computer runs or a browser renders as a page (a script in
# an SVG runs as soon as it is opened), and Office's macro-enabled formats.
_EXECUTABLE = """
    exe com bat cmd msi msp scr pif cpl dll sys so dylib app apk jar class dmg iso img
    js jse mjs vbs vbe wsf wsh ws hta ps1 psm1 psd1 sh bash zsh csh ksh command py pyc pyw
    pl rb php php3 php4 php5 phtml phar asp aspx jsp cgi lnk url reg inf scf msc gadget
    html htm xhtml shtml mht mhtml svg svgz xml xsl xslt swf
"""
_MACRO_ENABLED = "docm dotm xlsm xltm xlam xlsb pptm potm ppsm ppam sldm"
EXECUTABLE_EXTENSIONS = frozenset(_EXECUTABLE.split())
MACRO_EXTENSIONS = frozenset(_MACRO_ENABLED.split())

# What an Office package may unpack to: enough for a thick report full of photos, not a bomb.
OFFICE_MAX_ENTRIES = 2000
OFFICE_MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_OFFICE_MAX_XML_BYTES = 1024 * 1024  # [Content_Types].xml and _rels/.rels
OFFICE_MAIN_PARTS = {
    f"{WORD}.main+xml": "docx",
    f"{EXCEL}.main+xml": "xlsx",
    f"{POWERPOINT}.main+xml": "pptx",
}
_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"

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
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}

HUB_REFUSED = _(
    "This type of file is not allowed. Upload a PDF, a photo (JPEG, PNG, WebP), "
    "a video (MP4, WebM), a Word, Excel or PowerPoint file, or plain text."
)
EVIDENCE_REFUSED = _("Upload a PDF or a JPEG, PNG or WebP image.")
PHOTO_REFUSED = _("This is not a JPEG, PNG or WebP photo.")
NOT_OFFICE = _("This is not a valid Word, Excel or PowerPoint file.")


# --- The validators: (extension, content type) of an upload, or a ValidationError ---------------


def validate_hub_file(upload, max_bytes: int | None = None) -> tuple[str, str]:
    """A hub upload: an attachment or a document version."""
    return _validate(upload, HUB_TYPES, HUB_REFUSED, max_bytes)


def validate_document(upload, max_bytes: int | None = None) -> tuple[str, str]:
    """Evidence: a PDF or a photo."""
    return _validate(upload, EVIDENCE_TYPES, EVIDENCE_REFUSED, max_bytes)


def validate_image(upload, max_bytes: int | None = None) -> tuple[str, str]:
    """A photo, judged by decoding it with Pillow."""
    return _validate(upload, PHOTO_TYPES, PHOTO_REFUSED, max_bytes)


def _validate(upload, allowed: frozenset, refused, max_bytes: int | None) -> tuple[str, str]:
    name = validate_filename(getattr(upload, "name", ""))
    check_size(upload, max_bytes)
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    claimed = _extension_allowed(name, allowed, refused)
    detected = _sniff(upload, claimed)
    if detected == "txt" and claimed == "csv":
        detected = "csv"
    if detected not in allowed:
        raise ValidationError(refused)
    kind = TYPES[detected]
    if claimed not in kind.aliases:
        raise ValidationError(
            _("The file is named .%(claimed)s but its content is %(actual)s.")
            % {"claimed": claimed, "actual": kind.label}
        )
    scan(upload)
    return kind.extension, kind.content_type


def _extension_allowed(name: str, allowed: frozenset, refused) -> str:
    """The name's extension, refused unless it is one of an allowed type's."""
    claimed = PurePath(name).suffix.lower().removeprefix(".")
    if not claimed:
        raise ValidationError(
            _("Give the file a name that ends in the extension of its type, such as .pdf.")
        )
    if claimed in EXECUTABLE_EXTENSIONS:
        raise ValidationError(
            _(
                "Files named .%(extension)s are not allowed: programs, scripts and web pages "
                "can harm whoever opens them."
            )
            % {"extension": claimed}
        )
    if claimed in MACRO_EXTENSIONS:
        raise _macros_refused()
    if not any(claimed in TYPES[kind].aliases for kind in allowed):
        raise ValidationError(refused)
    return claimed


def check_size(upload, max_bytes: int | None = None) -> None:
    limit = max_bytes or settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1024 / 1024)}
        )


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


# --- What the content is ----------------------------------------------------------------------


def _sniff(upload, claimed: str = "") -> str | None:
    """The type on the allow-list that the content is, or None."""
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return "webm"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(upload, claimed)
    if head[:2] in (b"\xff\xd8", b"\x89P", b"RI"):
        return _image_type(upload)
    return "txt" if _is_text(upload) else None


def _zip_type(upload, claimed: str) -> str | None:
    """An Office type, or None for another zip unless its name claims an Office type (then the
    reason it is not a valid one is the message)."""
    try:
        return office_type(upload)
    except ValidationError as exc:
        if exc.code == "not_office" and claimed not in OFFICE_MAIN_PARTS.values():
            return None
        raise


def _image_type(upload) -> str | None:
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image.verify()
            return IMAGE_FORMATS.get(image.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)


def _is_text(upload) -> bool:
    """UTF-8 from the first byte to the last, without NUL bytes: judged on the whole file, so
    text in front of a binary does not pass."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in _chunks(upload):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def office_type(upload) -> str:
    """docx, xlsx or pptx, after checking the file as an Office package: a zip within the
    limits, whose content types and root relationship name a main part of that type, and no
    macros. Raises ValidationError for anything else."""
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            _check_zip_limits(entries)
            names = {e.filename.lower(): e for e in entries}
            types = _xml(archive, names, "[content_types].xml")
            relations = _xml(archive, names, "_rels/.rels")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise ValidationError(NOT_OFFICE, code="not_office") from exc
    finally:
        upload.seek(0)
    declared = _content_types(types)
    if any(_is_macro(t) for t in declared.values()) or any(
        n.rpartition("/")[2] == "vbaproject.bin" for n in names
    ):
        raise _macros_refused()
    main = _main_part(relations)
    if main is None or main.lstrip("/") not in names:
        raise ValidationError(NOT_OFFICE, code="not_office")
    main_type = declared.get(main) or declared.get("." + main.rpartition(".")[2], "")
    if main_type not in OFFICE_MAIN_PARTS:
        raise ValidationError(NOT_OFFICE, code="not_office")
    return OFFICE_MAIN_PARTS[main_type]


def _check_zip_limits(entries) -> None:
    unpacked = sum(e.file_size for e in entries)
    if len(entries) > OFFICE_MAX_ENTRIES or unpacked > OFFICE_MAX_UNPACKED_BYTES:
        raise ValidationError(
            _(
                "This Office file unpacks to more than %(mb)s MB or holds more than %(n)s "
                "parts, so it is not allowed."
            )
            % {"mb": OFFICE_MAX_UNPACKED_BYTES // 1024 // 1024, "n": OFFICE_MAX_ENTRIES},
            code="zip_limits",
        )
    for entry in entries:
        parts = entry.filename.replace("\\", "/").split("/")
        # A part whose path leaves the package, or an encrypted part: no Office file has one.
        if entry.filename.startswith(("/", "\\")) or ".." in parts or entry.flag_bits & 0x1:
            raise ValidationError(NOT_OFFICE, code="not_office")


def _xml(archive, names: dict, name: str) -> ElementTree.Element:
    entry = names.get(name)
    if entry is None or entry.file_size > _OFFICE_MAX_XML_BYTES:
        raise ValueError(f"{name} missing or too large")
    data = archive.read(entry)
    if b"<!DOCTYPE" in data.upper():
        # The Open Packaging Conventions forbid DTDs in a package's XML; refusing them leaves
        # no entity for a billion-laughs expansion, whatever the expat version.
        raise ValueError(f"{name} declares a DTD")
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - no DTD, so nothing to expand
    except ElementTree.ParseError as exc:
        raise ValueError(f"{name} is not XML") from exc


def _content_types(types: ElementTree.Element) -> dict[str, str]:
    """Part name ("/word/document.xml") or extension (".xml") -> content type, lower case."""
    declared = {}
    for item in types.iter(f"{_CT}Default"):
        declared["." + item.get("Extension", "").lower()] = item.get("ContentType", "")
    for item in types.iter(f"{_CT}Override"):
        declared[item.get("PartName", "").lower()] = item.get("ContentType", "")
    return declared


def _is_macro(content_type: str) -> bool:
    lowered = content_type.lower()
    return "macroenabled" in lowered or "vbaproject" in lowered or "macrosheet" in lowered


def _main_part(relations: ElementTree.Element) -> str | None:
    for relation in relations.iter(f"{_RELS}Relationship"):
        if relation.get("Type", "").endswith("/officeDocument"):
            return "/" + relation.get("Target", "").lstrip("/").lower()
    return None


def _macros_refused() -> ValidationError:
    return ValidationError(
        _(
            "This file contains macros, which are not allowed. Save it without macros "
            "(as .docx, .xlsx or .pptx) and upload it again."
        ),
        code="macros",
    )


# --- The virus scan ---------------------------------------------------------------------------


def scan(upload) -> None:
    """Refuse an upload clamd finds infected, and every upload while clamd cannot be reached.
    Does nothing when `CLAMD_SOCKET` is not set."""
    address = settings.CLAMD_SOCKET
    if not address:
        return
    try:
        found = virus_scan.instream(
            address, _chunks(upload, virus_scan.CHUNK_BYTES), timeout=settings.CLAMD_TIMEOUT
        )
    except virus_scan.ScannerUnavailable as exc:
        log.error("Upload refused: the virus scanner at %s is unavailable (%s)", address, exc)
        raise ValidationError(
            _(
                "The virus scanner cannot be reached right now, so the file has not been "
                "saved. Please try again later."
            ),
            code="scanner_unavailable",
        ) from exc
    finally:
        upload.seek(0)
    if found:
        log.warning("Upload refused: clamd found %s in %s", found, display_name(upload.name))
        raise ValidationError(
            _("This file contains a virus (%(name)s) and has not been saved.") % {"name": found},
            code="virus",
        )


# --- Storing and serving ----------------------------------------------------------------------


def random_name(folder: str, extension: str) -> str:
    """Where to store an upload: never the uploader's name, which may carry a path or a script."""
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def display_name(original: str, fallback: str = "file") -> str:
    """A filename safe to show and to send back (no path, no control characters)."""
    name = get_valid_filename(PurePath(str(original).replace("\\", "/")).name) if original else ""
    return name[:150] or fallback


def type_of(content_type: str) -> FileType | None:
    """The allow-list's type a stored content type stands for."""
    base = content_type.split(";", 1)[0].strip().lower()
    return next((t for t in TYPES.values() if t.content_type.split(";")[0] == base), None)


def download_name(filename: str, kind: FileType) -> str:
    """The name a file is served under ends in its detected type's extension, so a file stored
    before the names were checked (x.html holding text) opens as what it is (x.html.txt)."""
    suffix = PurePath(filename).suffix.lower().removeprefix(".")
    return filename if suffix in kind.aliases else f"{filename}.{kind.extension}"


def download_response(
    file, *, filename: str, content_type: str, inline: bool = False, sha256: str | None = None
):
    """Serve a stored file after the caller has checked access; RFC 6266 filename handling is
    Django's (`filename*=UTF-8''…`), and the browser is told not to sniff another type.

    In object storage with `S3_DOWNLOADS=redirect` the answer is a redirect to a presigned URL
    (`partnership.object_storage`); otherwise the web node streams the file. With `sha256` (a
    frozen report) the bytes are read and checked first and exactly those bytes are served, never
    a redirect: the object could change between our check and the browser's request.
    """
    kind = type_of(content_type)
    if kind is None:  # not a type on the allow-list: only ever as an opaque download
        content_type, inline = "application/octet-stream", False
    else:
        filename = download_name(filename, kind)
    if sha256 is not None:
        data = _checked_bytes(file, sha256)
        if data is None:
            return _damaged_response()
        opened, size = io.BytesIO(data), None
    elif object_storage.redirects_downloads(file.storage):
        disposition = content_disposition_header(not inline, filename)
        return object_storage.presigned_redirect(
            file, disposition=disposition, content_type=content_type
        )
    elif object_storage.in_object_storage(file.storage):
        opened, size = object_storage.object_stream(file)
    else:
        opened, size = _open(file), None
    response = FileResponse(
        opened, as_attachment=not inline, filename=filename, content_type=content_type
    )
    if size is not None:
        response["Content-Length"] = size
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


def _open(file):
    try:
        return file.open("rb")
    except FileNotFoundError as exc:
        # A row whose file went missing (a restore without media, a failed copy) is as absent as
        # any other object the reader cannot have: 404, not a server error.
        raise Http404 from exc


def _checked_bytes(file, sha256: str) -> bytes | None:
    """The stored bytes if their SHA-256 is `sha256`; None (and an error logged) otherwise."""
    opened = _open(file)
    try:
        data = opened.read()
    finally:
        opened.close()
    found = hashlib.sha256(data).hexdigest()
    if found != sha256:
        log.error(
            "Stored file %s does not match its recorded SHA-256 (recorded %s, stored %s); "
            "not served",
            file.name,
            sha256,
            found,
        )
        return None
    return data


def _damaged_response() -> HttpResponse:
    """A server error that says what went wrong: the reader can do nothing but report it."""
    response = HttpResponse(
        _(
            "This file has been changed since it was stored, so it is not sent. "
            "The error has been logged; please tell the administrator."
        ),
        status=500,
        content_type="text/plain; charset=utf-8",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


def sha256_of(upload) -> str:
    digest = hashlib.sha256()
    for chunk in _chunks(upload):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _chunks(upload, size: int = 65536):
    """The upload's bytes from the start, for Django's File objects and plain binary files."""
    upload.seek(0)
    if hasattr(upload, "chunks"):
        yield from upload.chunks(size)
    else:
        yield from iter(lambda: upload.read(size), b"")
