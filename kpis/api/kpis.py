"""REST API v1 of KPIs and measurements, nested under /api/v1/partnerships/<uuid>/.

Every viewset subclasses `PartnershipScopedAPIMixin`: the partnership comes from the URL through
the access rule (404 for outsiders, 403 for insiders without the role) and every queryset from
`scoped_queryset`. A KPI named in a URL or a body is looked up inside that partnership only. Writes
go through `kpis.services` / `kpis.services_bulk`; statuses through `KPI.status_of`.
"""

from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses
from partnership.api_input import BooleanFilter, StrictFilterSet
from partnership.api_lookup import get_in_scope_or_404

from .. import library, selectors, services, services_bulk, services_norms
from ..models import KPI, Measurement, NormProposal
from ..serializers import (
    BulkErrorsSerializer,
    BulkMeasurementsSerializer,
    BulkResultSerializer,
    KPIChangeAcceptedSerializer,
    KPIFromLibrarySerializer,
    KPISerializer,
    KPITemplateSerializer,
    KPIWriteSerializer,
    MeasurementConflictSerializer,
    MeasurementInputSerializer,
    MeasurementSerializer,
    NormDecisionSerializer,
    NormProposalInputSerializer,
    NormProposalSerializer,
)

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
KPI_ID_REGEX = r"[0-9]+"  # the nested measurements prefix; spelled out so "library" never matches


def _with_latest(kpis: QuerySet) -> QuerySet:
    """Annotate each KPI with its newest measurement: two subqueries, no query per KPI."""
    newest = Measurement.objects.filter(kpi=OuterRef("pk")).order_by("-period_start")
    return kpis.annotate(
        latest_period_start=Subquery(newest.values("period_start")[:1]),
        latest_value=Subquery(newest.values("value")[:1]),
    )


# --- KPIs ------------------------------------------------------------------------------------


class KPIFilter(StrictFilterSet):
    active = BooleanFilter(help_text=_("true: only active KPIs; false: only retired ones."))

    class Meta:
        model = KPI
        fields = ["active"]


KPI_WRITE = (
    "Managers of either side only. The name is unique within the partnership (ignoring case). "
    "Fields left out of a PATCH stay as they are."
)
KPI_CHANGE = KPI_WRITE + (
    " The norm (`target`, `tolerance`, `weight`) is agreed by both sides: a change of it is not "
    "applied but proposed to the other side, and the answer is **202** with the KPI (the other "
    "fields applied) and the `norm_proposal`, which a manager of the other side accepts or "
    "rejects under `kpis/<id>/norm-proposals/`. A request that changes no norm field answers 200."
)


@extend_schema_view(
    list=extend_schema(
        summary="List KPIs",
        description=(
            "The partnership's KPIs by name, each with its newest measurement and that value's "
            "status (green / amber / red, or missing). Filter with `active`."
        ),
        responses={200: KPISerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a KPI",
        description="One KPI of this partnership; any other id answers 404.",
        responses={200: KPISerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Define a KPI",
        description=KPI_WRITE,
        request=KPIWriteSerializer,
        responses={201: KPISerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a KPI",
        description=KPI_CHANGE,
        request=KPIWriteSerializer,
        responses={
            200: KPISerializer,
            202: OpenApiResponse(KPIChangeAcceptedSerializer, description="Norm proposed."),
            **WRITE_ERRORS,
        },
    ),
    partial_update=extend_schema(
        summary="Change a KPI",
        description=KPI_CHANGE,
        request=KPIWriteSerializer,
        responses={
            200: KPISerializer,
            202: OpenApiResponse(KPIChangeAcceptedSerializer, description="Norm proposed."),
            **WRITE_ERRORS,
        },
    ),
)
@extend_schema(tags=["kpis"])
class KPIViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = KPI.objects.none()  # only for the schema
    serializer_class = KPISerializer
    filterset_class = KPIFilter
    lookup_url_kwarg = "kpi_id"
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return _with_latest(selectors.kpis_for_partnership(partnership=partnership)).order_by(
            "name", "pk"
        )

    def _output(self, kpi: KPI, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=kpi.pk)  # with the annotations
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = KPIWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kpi = services.kpi_create(
            actor=request.user, partnership=self.partnership, **serializer.validated_data
        )
        return self._output(kpi, status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        kpi = self.get_object()
        serializer = KPIWriteSerializer(kpi, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        kpi, proposal = services.kpi_update(
            actor=request.user, kpi=kpi, **serializer.validated_data
        )
        if proposal is None:
            return self._output(kpi)
        fresh = self.get_queryset().get(pk=kpi.pk)
        body = {
            "kpi": self.get_serializer(fresh).data,
            "norm_proposal": NormProposalSerializer(proposal).data,
        }
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="KPI templates for this partnership",
        description=(
            "Ready-made KPIs for the services of this partnership (the whole library when none "
            "match), in your language. Copy one in with `from-library`."
        ),
        responses={200: KPITemplateSerializer(many=True), **READ_ERRORS},
    )
    @action(
        detail=False, methods=["get"], url_path="library", pagination_class=None, filter_backends=[]
    )
    def library(self, request, *args, **kwargs):
        templates = library.templates_for(self.partnership.services)
        return Response(KPITemplateSerializer(templates, many=True).data)

    @extend_schema(
        summary="Copy a KPI from the library",
        description="Creates a KPI from a template, named in your language. Managers only.",
        request=KPIFromLibrarySerializer,
        responses={201: KPISerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="from-library")
    def from_library(self, request, *args, **kwargs):
        serializer = KPIFromLibrarySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kpi = services.kpi_copy_from_library(
            actor=request.user, partnership=self.partnership, key=serializer.validated_data["key"]
        )
        return self._output(kpi, status.HTTP_201_CREATED)


# --- Measurements ----------------------------------------------------------------------------

KPI_ID = OpenApiParameter(
    "kpi_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="A KPI of this partnership."
)


class KPIScopedAPIMixin(PartnershipScopedAPIMixin):
    # A viewset under kpis/<kpi_id>/: the KPI of the URL is part of the scope, resolved inside
    # the partnership before the role check, so another partnership's KPI answers 404 whatever
    # the method. (A comment, not a docstring, which drf-spectacular would show in the docs.)

    kpi: KPI | None = None

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        self.kpi = get_in_scope_or_404(
            selectors.kpis_for_partnership(partnership=self.partnership), self.kwargs.get("kpi_id")
        )


@extend_schema_view(
    list=extend_schema(
        summary="List a KPI's measurements",
        description="Newest period first, each with its status against the KPI's target.",
        responses={200: MeasurementSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a measurement",
        description="One measurement of this KPI; any other id answers 404.",
        responses={200: MeasurementSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record a value",
        description=(
            "Enter the value of the KPI for one period that has ended (a period still running or "
            "to come answers 400). Participants of the side that reports the KPI's source only "
            "(supplier KPIs by the supplier, client KPIs by the client; inspection KPIs are "
            "derived). Answers 201 when the period had no value yet. A value already stored is "
            "never replaced unseen: send `overwrite: true`, or the header `If-Match` with the "
            "stored value's `version` (its ETag); then the answer is 200. Without either the "
            "answer is **409** with the `current` value and how to overwrite; an `If-Match` that "
            "no longer matches answers **412** with the same body."
        ),
        parameters=[
            OpenApiParameter(
                "If-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                required=False,
                description="The `version` of the stored value this request replaces.",
            )
        ],
        request=MeasurementInputSerializer,
        responses={
            201: OpenApiResponse(MeasurementSerializer, description="Recorded."),
            200: OpenApiResponse(MeasurementSerializer, description="Replaced the value."),
            409: OpenApiResponse(
                MeasurementConflictSerializer,
                description="The period has a value; nothing was written.",
            ),
            412: OpenApiResponse(
                MeasurementConflictSerializer,
                description="If-Match names a value that has changed since; nothing was written.",
            ),
            **WRITE_ERRORS,
        },
    ),
)
@extend_schema(tags=["kpis"], parameters=[KPI_ID])
class MeasurementViewSet(
    KPIScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Measurement.objects.none()  # only for the schema
    serializer_class = MeasurementSerializer
    lookup_url_kwarg = "measurement_id"
    read_action = Action.READ
    write_action = Action.PARTICIPATE

    def scoped_queryset(self, partnership):
        if self.action == "list":
            # Every row is of the KPI of the URL, already resolved inside the partnership: the
            # KPI's manager hands each row that instance (the period and the status read it)
            # instead of joining and building the same KPI once per row. (`within` adds the
            # partnership's filter, as to every scoped queryset.)
            return self.kpi.measurements.select_related("entered_by").order_by(
                "-period_start", "-pk"
            )
        return (
            selectors.measurements_for_partnership(partnership=partnership)
            .filter(kpi=self.kpi)
            .order_by("-period_start", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = MeasurementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if_match = request.headers.get("If-Match") or None
        try:
            with transaction.atomic():
                existed = self._has_value_for(data["period"])
                measurement = services.measurement_record(
                    actor=request.user,
                    kpi=self.kpi,
                    period=data["period"],
                    value=data["value"],
                    note=data["note"],
                    overwrite=data["overwrite"],
                    if_match=if_match,
                )
        except services.OverwriteRequired as exc:
            return self._conflict(exc)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        response = Response(self.get_serializer(measurement).data, status=code)
        response["ETag"] = measurement.version
        return response

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = response.data["version"]
        return response

    def _conflict(self, exc) -> Response:
        body = {
            "detail": " ".join(exc.messages),
            "current": self.get_serializer(exc.existing).data,
            "how_to_overwrite": str(
                _(
                    "Send overwrite: true, or the header If-Match: %(version)s, to replace "
                    "this value."
                )
                % {"version": exc.existing.version}
            ),
        }
        code = status.HTTP_412_PRECONDITION_FAILED if exc.stale else status.HTTP_409_CONFLICT
        response = Response(body, status=code)
        response["ETag"] = exc.existing.version
        return response

    def _has_value_for(self, period: str) -> bool:
        try:
            start = self.kpi.period(period).start
        except ValueError:
            return False  # the service rejects the period
        return self.kpi.measurements.filter(period_start=start).exists()


# --- Norm proposals --------------------------------------------------------------------------

NORM_DECIDE = (
    "A manager (admin or manager of the organisation) of the side that did not propose decides. "
    "Accepting applies the norm to the KPI in the same transaction; the proposer is notified "
    "either way. A proposal already decided answers 400."
)


@extend_schema_view(
    list=extend_schema(
        summary="List a KPI's norm proposals",
        description="Newest first: the open one (at most one) and the decided ones.",
        responses={200: NormProposalSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a norm proposal",
        responses={200: NormProposalSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Propose a new norm",
        description=(
            "A manager of either side proposes new values for `target`, `tolerance` and/or "
            "`weight` (fields left out stay as they are). The other side's managers are "
            "notified. The side's own open proposal is replaced; while the other side's is open "
            "the answer is 400. The same happens when a PATCH of the KPI changes a norm field."
        ),
        request=NormProposalInputSerializer,
        responses={201: NormProposalSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["kpis"], parameters=[KPI_ID])
class NormProposalViewSet(
    KPIScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = NormProposal.objects.none()  # only for the schema
    serializer_class = NormProposalSerializer
    lookup_url_kwarg = "proposal_id"
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return selectors.norm_proposals_for_partnership(partnership=partnership).filter(
            kpi=self.kpi
        )

    def create(self, request, *args, **kwargs):
        serializer = NormProposalInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services_norms.norm_propose(
            actor=request.user, kpi=self.kpi, **serializer.validated_data
        )
        return Response(self.get_serializer(proposal).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, service, with_reason=True) -> Response:
        proposal = self.get_object()
        serializer = NormDecisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extra = {"reason": serializer.validated_data["reason"]} if with_reason else {}
        proposal = service(actor=request.user, proposal=proposal, **extra)
        return Response(self.get_serializer(self.get_queryset().get(pk=proposal.pk)).data)

    @extend_schema(
        summary="Accept a norm proposal",
        description=NORM_DECIDE,
        request=NormDecisionSerializer,
        responses={200: NormProposalSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        return self._decide(request, services_norms.norm_proposal_accept)

    @extend_schema(
        summary="Reject a norm proposal",
        description=NORM_DECIDE,
        request=NormDecisionSerializer,
        responses={200: NormProposalSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        return self._decide(request, services_norms.norm_proposal_reject)

    @extend_schema(
        summary="Withdraw a norm proposal",
        description="The proposing side's manager takes the proposal back.",
        request=None,
        responses={200: NormProposalSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        return self._decide(request, services_norms.norm_proposal_withdraw, with_reason=False)


# --- Bulk ------------------------------------------------------------------------------------


@extend_schema(tags=["kpis"])
class MeasurementBulkViewSet(PartnershipScopedAPIMixin, viewsets.GenericViewSet):
    """Only the bulk action: there is no partnership-wide list of measurements (yet)."""

    queryset = Measurement.objects.none()  # only for the schema
    serializer_class = BulkMeasurementsSerializer
    read_action = Action.READ
    write_action = Action.PARTICIPATE

    def scoped_queryset(self, partnership):
        return selectors.measurements_for_partnership(partnership=partnership)

    @extend_schema(
        summary="Record many values at once",
        description=(
            "For integrations. Each row names a KPI of this partnership (by id or exact name), a "
            "period, a value and optionally a note, and is an upsert on (KPI, period): sending the "
            f"same rows again changes nothing. At most {services_bulk.MAX_ROWS} rows. Every row "
            "is checked first; if any is wrong nothing is written and the 400 lists the errors "
            "per row number under `rows` (1 is the first row). Each row follows the same rules "
            "as recording one value (who reports which KPI, period format, two decimals, only "
            "periods that have ended). A row that would replace a stored value with a different "
            "one is an error saying what is stored, unless the request sends `overwrite: true`."
        ),
        request=BulkMeasurementsSerializer,
        responses={
            200: BulkResultSerializer,
            400: OpenApiResponse(
                BulkErrorsSerializer, description="Some rows are invalid; nothing was written."
            ),
            **error_responses(401, 403, 404),
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs):
        serializer = BulkMeasurementsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = services_bulk.measurements_bulk_upsert(
                actor=request.user,
                partnership=self.partnership,
                rows=serializer.validated_data["measurements"],
                overwrite=serializer.validated_data["overwrite"],
            )
        except services_bulk.RowErrors as exc:
            rows = {str(number): errors for number, errors in sorted(exc.rows.items())}
            raise exceptions.ValidationError({"rows": rows}) from exc
        return Response(BulkResultSerializer(result).data)
