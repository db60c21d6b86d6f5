"""Threads, their messages and their attachments."""

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.access import Action
from partnership.api_base import FileNegotiation
from partnership.api_lookup import get_in_scope_or_404, validated
from partnership.uploads import download_response

from .. import selectors, services, services_reading
from ..models import Attachment, Document, Message, Thread
from ..serializers import (
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
from .base import (
    BINARY,
    LIST_ERRORS,
    PARTICIPANTS_ONLY,
    PRESIGNED,
    READ_ERRORS,
    THREAD_ID,
    WRITE_ERRORS,
    _HubAPIMixin,
    _InThreadMixin,
)

THREAD_CREATE = (
    "Opens a thread with its first message. An `internal` thread is seen by your own side only "
    "(never by the other side or the facilitator) and stays internal. Send JSON, or "
    "multipart/form-data to attach files (`attachments`, repeated); every file is checked on "
    "its content and one bad file refuses the whole request. " + PARTICIPANTS_ONLY
)


# Of the assignee and the author a list shows id, e-mail and name (UserSummarySerializer).
_UNSHOWN_USER_COLUMNS = [
    f"{relation}__{column}"
    for relation in ("assignee", "created_by")
    for column in (
        "password",
        "last_login",
        "is_superuser",
        "phone",
        "language",
        "is_staff",
        "is_active",
        "date_joined",
    )
]


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
            "Status, priority, category, subject, assignee and room; fields left out stay as they "
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
        threads = selectors.inbox(access=self.access, **filters)
        if self.action != "list":
            return threads.prefetch_related("documents")
        # The list shows three columns of each linked document and of each person.
        return threads.defer(*_UNSHOWN_USER_COLUMNS).prefetch_related(
            Prefetch("documents", queryset=Document.objects.only("id", "title", "category"))
        )

    def _output(self, thread: Thread, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=thread.pk)  # with the annotations
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
        services_reading.thread_mark_read(user=request.user, thread=thread)
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
        marked = services_reading.threads_mark_read(user=request.user, partnership=self.partnership)
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
        fresh = self.get_queryset().get(pk=message.pk)
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
        responses={(200, "*/*"): BINARY, 302: PRESIGNED, **READ_ERRORS},
    ),
)
@extend_schema(tags=["hub"], parameters=[THREAD_ID])
class AttachmentViewSet(_InThreadMixin, viewsets.GenericViewSet):
    queryset = Attachment.objects.none()  # only for the schema
    filter_backends = []
    lookup_url_kwarg = "attachment_id"
    content_negotiation_class = FileNegotiation

    def scoped_queryset(self, partnership):
        return selectors.attachments_for_access(access=self.access).filter(
            message__thread=self.thread
        )

    def retrieve(self, request, *args, **kwargs):
        attachment = self.get_object()
        return download_response(
            attachment.file, filename=attachment.original_name, content_type=attachment.content_type
        )
