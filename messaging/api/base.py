"""What every hub viewset shares: the error answers, uploads that refuse file names with
folders, downloads whatever the client accepts, the scoping base and the base of the routes
below one thread."""

import html

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import exceptions, parsers

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses
from partnership.api_input import JSONParser
from partnership.api_lookup import get_in_scope_or_404
from partnership.uploads import validate_filename

from ..models import Thread

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(400, 401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
ID_REGEX = r"[0-9]+"
PARTICIPANTS_ONLY = (
    "Participants of the client and supplier sides only (not viewers, not the facilitator)."
)

THREAD_ID = OpenApiParameter(
    "thread_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A thread of this partnership that you can see.",
)
DOCUMENT_ID = OpenApiParameter(
    "document_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A document of this partnership.",
)
BINARY = OpenApiResponse(OpenApiTypes.BINARY, description="The file, as uploaded.")
# With files in object storage (S3_DOWNLOADS=redirect): the file is fetched from the Location.
PRESIGNED = OpenApiResponse(
    description="The file is at the Location header: a presigned URL that works for at most a "
    "minute, answering the same name and type."
)


# --- Uploads -----------------------------------------------------------------------------------


class _FolderNoticingParser(DjangoMultiPartParser):
    """Django drops folders from an upload's name silently; note them so they can be refused."""

    refused: list[str]

    def sanitize_file_name(self, file_name):
        raw = html.unescape(file_name or "")
        try:
            validate_filename(raw)
        except DjangoValidationError as exc:
            if raw not in {"", ".", ".."}:
                self.refused.extend(exc.messages)
        return super().sanitize_file_name(file_name)


class HubMultiPartParser(parsers.MultiPartParser):
    """multipart/form-data whose file names with folders or control characters answer 400 on
    the view's upload field, instead of being stored under a name the uploader did not give."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            parser = _FolderNoticingParser(meta, stream, request.upload_handlers, encoding)
            parser.refused = []
            data, files = parser.parse()
        except MultiPartParserError as exc:
            raise exceptions.ParseError(f"Multipart form parse error - {exc}") from exc
        if parser.refused:
            field = getattr(parser_context.get("view"), "upload_field", "file")
            raise exceptions.ValidationError({field: parser.refused})
        return parsers.DataAndFiles(data, files)


HUB_PARSERS = [JSONParser, HubMultiPartParser]


class _HubAPIMixin(PartnershipScopedAPIMixin):
    # Services raise Thread.DoesNotExist for a thread the actor may not see: that is a 404.
    read_action = Action.READ
    write_action = Action.PARTICIPATE
    lookup_value_regex = ID_REGEX
    parser_classes = HUB_PARSERS
    upload_field = "attachments"

    def handle_exception(self, exc):
        if isinstance(exc, ObjectDoesNotExist):
            exc = exceptions.NotFound()
        return super().handle_exception(exc)


class _InThreadMixin(_HubAPIMixin):
    # The thread of the URL is resolved through `for_access` before the role check, so a thread
    # of another partnership, or internal to the other side, answers 404 whatever the method.

    thread: Thread | None = None

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        self.thread = get_in_scope_or_404(
            Thread.objects.for_access(self.access), self.kwargs.get("thread_id")
        )
        self.thread.partnership = self.partnership  # the same row: spare the query
