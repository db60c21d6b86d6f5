"""The document library and the versions of each document."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.api_base import FileNegotiation
from partnership.api_lookup import get_in_scope_or_404, validated
from partnership.uploads import download_response

from .. import selectors, services
from ..models import Document, DocumentVersion
from ..serializers import (
    DocumentArchiveSerializer,
    DocumentCreateSerializer,
    DocumentDetailSerializer,
    DocumentQuerySerializer,
    DocumentSerializer,
    DocumentUpdateSerializer,
    DocumentVersionCreateSerializer,
    DocumentVersionSerializer,
)
from .base import (
    BINARY,
    DOCUMENT_ID,
    LIST_ERRORS,
    PARTICIPANTS_ONLY,
    PRESIGNED,
    READ_ERRORS,
    WRITE_ERRORS,
    _HubAPIMixin,
)


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
        fresh = self.get_queryset().get(pk=version.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download a version",
        description="The file of this version, under the name it was uploaded with.",
        responses={(200, "*/*"): BINARY, 302: PRESIGNED, **READ_ERRORS},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="download",
        content_negotiation_class=FileNegotiation,
        pagination_class=None,
    )
    def download(self, request, *args, **kwargs):
        version = self.get_object()
        return download_response(
            version.file, filename=version.download_name, content_type=version.content_type
        )
