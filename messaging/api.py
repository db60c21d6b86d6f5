"""REST API v1 of the hub, nested under /api/v1/partnerships/<uuid>/: threads, their messages and
attachments, and the document library with its versions.

Every viewset subclasses `PartnershipScopedAPIMixin`. Threads always come from
`Thread.objects.for_access`, so an internal thread of the other side answers 404 to them and to
the facilitator on every route: the thread named in a URL is resolved through it before the role
check, and so is every message and attachment below it. Writes go through `messaging.services`
(participants of either side); files leave only through `partnership.uploads.download_response`.
"""

import html

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, parsers, status, viewsets
from rest_framework.decorators import action
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from config.api_errors import error_responses
from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_lookup import get_in_scope_or_404, validated
from partnership.uploads import download_response, validate_filename

from . import selectors, services
from .models import Attachment, Document, DocumentVersion, Message, Thread
from .serializers import (
    DocumentArchiveSerializer,
    DocumentCreateSerializer,
    DocumentDetailSerializer,
    DocumentQuerySerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    DocumentVersionCreateSerializer,
    DocumentVersionSerializer,
    InboxQuerySerializer,
    MessageCreateMultipartSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    MessageUpdateSerializer,
    ThreadCreateMultipartSerializer,
    ThreadCreateSerializer,
    ThreadSerializer,
    ThreadUpdateSerializer,
)

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


HUB_PARSERS = [parsers.JSONParser, HubMultiPartParser]


class _FileNegotiation(DefaultContentNegotiation):
    """A download answers with the file whatever the client accepts (errors stay JSON)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


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


# --- Threads -----------------------------------------------------------------------------------

THREAD_CREATE = (
    "Opens a thread with its first message. An `internal` thread is seen by your own side only "
    "(never by the other side or the facilitator) and stays internal. Send JSON, or "
    "multipart/form-data to attach files (`attachments`, repeated); every file is checked on "
    "its content and one bad file refuses the whole request. " + PARTICIPANTS_ONLY
)


@extend_schema_view(
    list=extend_schema(
        summary="List threads",
        description=(
            "The threads you can see, unread first, then newest activity. Internal threads of "
            "the other side are never listed or counted."
        ),
        parameters=[InboxQuerySerializer],
        responses={200: ThreadSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a thread",
        description="A thread you can see; any other id answers 404. Messages are listed apart.",
        responses={200: ThreadSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Open a thread",
        description=THREAD_CREATE,
        request={
            "application/json": ThreadCreateSerializer,
            "multipart/form-data": ThreadCreateMultipartSerializer,
        },
        responses={201: ThreadSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a thread",
        description=(
            "Status, priority, category, subject and assignee; fields left out stay as they "
            "are. Visibility never changes. " + PARTICIPANTS_ONLY
        ),
        request=ThreadUpdateSerializer,
        responses={200: ThreadSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["hub"])
class ThreadViewSet(
    _HubAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Thread.objects.none()  # only for the schema
    serializer_class = ThreadSerializer
    filter_backends = []  # the inbox selector filters (see `InboxQuerySerializer`)
    lookup_url_kwarg = "thread_id"

    def resolve_partnership(self, request) -> None:
        # A thread named in the URL is looked up before the role check, so an internal thread
        # of the other side answers 404 (not 403) to every method, the facilitator's included.
        super().resolve_partnership(request)
        if "thread_id" in self.kwargs:
            get_in_scope_or_404(Thread.objects.for_access(self.access), self.kwargs["thread_id"])

    def action_for_method(self, method: str) -> str:
        # Your own read state is reading: viewers and the facilitator keep one too.
        if self.action in ("read", "mark_all_read"):
            return Action.READ
        return super().action_for_method(method)

    def scoped_queryset(self, partnership):
        filters = {}
        if self.action == "list":
            filters = validated(InboxQuerySerializer, self.request.query_params)
        return selectors.inbox(access=self.access, **filters).prefetch_related("documents")

    def _output(self, thread: Thread, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.scoped_queryset(self.partnership).get(pk=thread.pk)  # with the annotations
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated(
            ThreadCreateMultipartSerializer, request.data, context=self.get_serializer_context()
        )
        thread = services.thread_create(actor=request.user, partnership=self.partnership, **data)
        return self._output(thread, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        thread = self.get_object()
        data = validated(
            ThreadUpdateSerializer,
            request.data,
            partial=True,
            context=self.get_serializer_context(),
        )
        thread = services.thread_update(actor=request.user, thread=thread, **data)
        return self._output(thread)

    @extend_schema(
        summary="Mark a thread read",
        description="Marks the thread read up to now, for you only. Any reader may.",
        request=None,
        responses={200: ThreadSerializer, **READ_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="read")
    def read(self, request, *args, **kwargs):
        thread = self.get_object()
        services.thread_mark_read(user=request.user, thread=thread)
        return self._output(thread)

    @extend_schema(
        summary="Mark every thread read",
        description="Marks every thread of this partnership you can see read, for you only.",
        request=None,
        responses={
            200: OpenApiResponse(
                response={
                    "type": "object",
                    "properties": {"marked": {"type": "integer"}},
                    "required": ["marked"],
                },
                description="How many threads were unread.",
            ),
            **READ_ERRORS,
        },
    )
    @action(detail=False, methods=["post"], url_path="mark-all-read")
    def mark_all_read(self, request, *args, **kwargs):
        marked = services.threads_mark_read(user=request.user, partnership=self.partnership)
        return Response({"marked": marked})


# --- Messages ----------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List a thread's messages",
        description="Oldest first, with the rendered body, attachments and edit information.",
        responses={200: MessageSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a message",
        responses={200: MessageSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Write a message",
        description=(
            "Adds a message (Markdown) to the thread; a reply on a resolved thread reopens it, a "
            "closed thread refuses (400). Send JSON, or multipart/form-data with `attachments` "
            "(repeated); one bad file refuses the whole request. " + PARTICIPANTS_ONLY
        ),
        request={
            "application/json": MessageCreateSerializer,
            "multipart/form-data": MessageCreateMultipartSerializer,
        },
        responses={201: MessageSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Edit your message",
        description=(
            "Only the author, only within the edit window (`editable_until`; 400 afterwards). "
            "The earlier text is kept as a revision."
        ),
        request=MessageUpdateSerializer,
        responses={200: MessageSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["hub"], parameters=[THREAD_ID])
class MessageViewSet(
    _InThreadMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Message.objects.none()  # only for the schema
    serializer_class = MessageSerializer
    filter_backends = []
    lookup_url_kwarg = "message_id"

    def scoped_queryset(self, partnership):
        return selectors.thread_messages(thread=self.thread).order_by("created_at", "pk")

    def _output(self, message: Message, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.scoped_queryset(self.partnership).get(pk=message.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated(MessageCreateMultipartSerializer, request.data)
        message = services.message_post(actor=request.user, thread=self.thread, **data)
        return self._output(message, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        message = self.get_object()
        data = validated(MessageUpdateSerializer, request.data)
        message = services.message_edit(actor=request.user, message=message, body=data["body"])
        return self._output(message)


# --- Attachments -------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="Download an attachment",
        description="The file of an attachment of a message in this thread.",
        parameters=[
            OpenApiParameter(
                "attachment_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="An attachment of a message in this thread.",
            )
        ],
        responses={(200, "application/octet-stream"): BINARY, **READ_ERRORS},
    ),
)
@extend_schema(tags=["hub"], parameters=[THREAD_ID])
class AttachmentViewSet(_InThreadMixin, viewsets.GenericViewSet):
    queryset = Attachment.objects.none()  # only for the schema
    filter_backends = []
    lookup_url_kwarg = "attachment_id"
    content_negotiation_class = _FileNegotiation

    def scoped_queryset(self, partnership):
        return selectors.attachments_for_access(access=self.access).filter(
            message__thread=self.thread
        )

    def retrieve(self, request, *args, **kwargs):
        attachment = self.get_object()
        return download_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )


# --- Documents ---------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List documents",
        description="The document library, last changed first, each with its latest version.",
        parameters=[DocumentQuerySerializer],
        responses={200: DocumentSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a document",
        description="A document with every version, and the threads you can see that link it.",
        responses={200: DocumentDetailSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add a document",
        description=(
            "multipart/form-data with the first version's `file`, checked on its content. "
            "Titles are unique among a partnership's documents in use. " + PARTICIPANTS_ONLY
        ),
        request={"multipart/form-data": DocumentCreateSerializer},
        responses={201: DocumentDetailSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a document",
        description="Title, category and description; fields left out stay. " + PARTICIPANTS_ONLY,
        request=DocumentUpdateSerializer,
        responses={200: DocumentDetailSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["hub"])
class DocumentViewSet(
    _HubAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Document.objects.none()  # only for the schema
    serializer_class = DocumentSerializer
    filter_backends = []
    lookup_url_kwarg = "document_id"
    upload_field = "file"

    def resolve_partnership(self, request) -> None:
        # Another partnership's document answers 404 whatever the method (not 403).
        super().resolve_partnership(request)
        if "document_id" in self.kwargs:
            documents = selectors.documents(partnership=self.partnership, archived=None)
            get_in_scope_or_404(documents, self.kwargs["document_id"])

    def get_serializer_class(self):
        return DocumentSerializer if self.action == "list" else DocumentDetailSerializer

    def scoped_queryset(self, partnership):
        if self.action == "list":
            filters = validated(DocumentQuerySerializer, self.request.query_params)
            return selectors.documents(partnership=partnership, **filters)
        return selectors.documents(partnership=partnership, archived=None).prefetch_related(
            _versions()
        )

    def _output(self, document: Document, status_code=status.HTTP_200_OK) -> Response:
        fresh = (
            selectors.documents(partnership=self.partnership, archived=None)
            .prefetch_related(_versions())
            .get(pk=document.pk)
        )
        serializer = DocumentDetailSerializer(fresh, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = validated(DocumentCreateSerializer, request.data)
        document = services.document_create(
            actor=request.user, partnership=self.partnership, **data
        )
        return self._output(document, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        document = self.get_object()
        data = validated(DocumentUpdateSerializer, request.data, partial=True)
        document = services.document_update(actor=request.user, document=document, **data)
        return self._output(document)

    @extend_schema(
        summary="Archive or restore a document",
        description=(
            "Documents are archived, never deleted: every version stays downloadable. The "
            "document's creator or a manager only."
        ),
        request=DocumentArchiveSerializer,
        responses={200: DocumentDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="archive")
    def archive(self, request, *args, **kwargs):
        document = self.get_object()
        data = validated(DocumentArchiveSerializer, request.data)
        document = services.document_archive(
            actor=request.user, document=document, archived=data["archived"]
        )
        return self._output(document)


def _versions():
    from django.db.models import Prefetch

    return Prefetch(
        "versions",
        queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
    )


# --- Document versions -------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List a document's versions",
        description="Newest first.",
        responses={200: DocumentVersionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a version",
        responses={200: DocumentVersionSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Upload a new version",
        description=(
            "multipart/form-data with `file` (checked on its content) and an optional `note`. "
            "An archived document takes no new versions (400). " + PARTICIPANTS_ONLY
        ),
        request={"multipart/form-data": DocumentVersionCreateSerializer},
        responses={201: DocumentVersionSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["hub"], parameters=[DOCUMENT_ID])
class DocumentVersionViewSet(
    _HubAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = DocumentVersion.objects.none()  # only for the schema
    serializer_class = DocumentVersionSerializer
    filter_backends = []
    lookup_url_kwarg = "version_id"
    upload_field = "file"

    document: Document | None = None

    def resolve_partnership(self, request) -> None:
        # The document of the URL is resolved inside the partnership before the role check.
        super().resolve_partnership(request)
        documents = selectors.documents(partnership=self.partnership, archived=None)
        self.document = get_in_scope_or_404(documents, self.kwargs.get("document_id"))
        self.document.partnership = self.partnership

    def scoped_queryset(self, partnership):
        return selectors.document_versions(document=self.document).order_by("-number")

    def create(self, request, *args, **kwargs):
        data = validated(DocumentVersionCreateSerializer, request.data)
        version = services.document_version_add(actor=request.user, document=self.document, **data)
        fresh = self.scoped_queryset(self.partnership).get(pk=version.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a version",
        description="The file of this version, under the name it was uploaded with.",
        responses={(200, "application/octet-stream"): BINARY, **READ_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="download",
        content_negotiation_class=_FileNegotiation,
        pagination_class=None,
    )
    def download(self, request, *args, **kwargs):
        version = self.get_object()
        return download_response(
            version.file, filename=version.download_name, content_type=version.content_type
        )
