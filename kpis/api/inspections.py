"""REST API v1 of inspections and disputes, nested under /api/v1/partnerships/<uuid>/.

Every viewset subclasses `PartnershipScopedAPIMixin`: the partnership comes from the URL through
the access rule (404 for outsiders, 403 for insiders without the role) and every queryset from
`scoped_queryset`. A measurement or inspection named in a body is re-resolved inside that
partnership (`DisputeRaiseSerializer`). Writes go through `kpis.services_inspections` and
`kpis.services_disputes`.
"""

from django.db.models import BooleanField, ExpressionWrapper, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses
from partnership.api_input import BooleanFilter, StrictFilterSet

from .. import selectors
from ..models import Dispute, DisputeComment, Inspection
from ..serializers_inspections import (
    DisputeCommentInputSerializer,
    DisputeCommentSerializer,
    DisputeDetailSerializer,
    DisputeRaiseSerializer,
    DisputeResolveSerializer,
    DisputeSerializer,
    InspectionInputSerializer,
    InspectionSerializer,
    PlanQuerySerializer,
    PlanSerializer,
)
from ..serializers_samples import ConflictSerializer, DrawInputSerializer
from ..services_disputes import dispute_comment, dispute_raise, dispute_resolve
from ..services_inspections import area_plan, inspection_record
from ..services_samples import InspectionClosed, inspection_close, sample_draw
from .samples import conflict_response

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
ID_REGEX = r"[0-9]+"  # so that "plan" never reaches the detail route


# --- Inspections -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List inspections",
        description=(
            "Newest first, each with its score (% of checked elements without a defect), pass "
            "rate (% of areas approved) and its inspected areas with the ISO 2859-1 plan used."
        ),
        responses={200: InspectionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an inspection",
        description="One inspection of this partnership; any other id answers 404.",
        responses={200: InspectionSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record an inspection",
        description=(
            "Participants of either side. A self-check (dks) is recorded by the supplier, a "
            "client control (kms) by the client. For each area Tandem proposes the sampling plan "
            "from the lot size and the AQL (the area type's usual AQL when left out) and decides "
            "pass/fail; KPIs derived from inspections get their period value. If any area is "
            "wrong nothing is written."
        ),
        request=InspectionInputSerializer,
        responses={201: InspectionSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["inspections"])
class InspectionViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Inspection.objects.none()  # only for the schema
    serializer_class = InspectionSerializer
    lookup_url_kwarg = "inspection_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.PARTICIPATE

    def scoped_queryset(self, partnership):
        # Areas only (photos are not part of the API): scores are computed on the prefetch.
        return (
            selectors.inspections_for_partnership(partnership=partnership)
            .prefetch_related(None)
            .prefetch_related("areas")
            .order_by("-date", "-pk")
        )

    def create(self, request, *args, **kwargs):
        serializer = InspectionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inspection = inspection_record(
            actor=request.user,
            partnership=self.partnership,
            kind=data["kind"],
            date=data["date"],
            notes=data["notes"],
            areas=[dict(area) for area in data["areas"]],
        )
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Draw an inspection's rooms from the register",
        description=(
            "Opens an inspection (same sides as recording one) with, per area type, as many "
            "rooms as the ISO 2859-1 plan's sample size drawn at random from the partnership's "
            "rooms in use of that type; the seed is stored (`sample_seed`) and the same seed "
            "over the same register draws the same rooms. The rooms are listed at "
            "…/inspections/<id>/rooms/. An area type without rooms in use is a 400."
        ),
        request=DrawInputSerializer,
        responses={201: InspectionSerializer, **WRITE_ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="draw", filter_backends=[])
    def draw(self, request, *args, **kwargs):
        serializer = DrawInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        inspection = sample_draw(
            actor=request.user,
            partnership=self.partnership,
            kind=data["kind"],
            date=data["date"],
            notes=data["notes"],
            seed=data.get("seed"),
            areas=[dict(area) for area in data["areas"]],
        )
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Close an inspection recorded room by room",
        description=(
            "Fixes the result: rooms not recorded count as not inspected (the area's sample "
            "is then short), the inspection counts in scores and KPIs from now on, and a "
            "room's result sent later is a 409. Needs at least one inspected room."
        ),
        request=None,
        responses={
            200: InspectionSerializer,
            409: OpenApiResponse(ConflictSerializer, description=_("Already closed.")),
            **WRITE_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="close", filter_backends=[])
    def close(self, request, *args, **kwargs):
        inspection = self.get_object()
        try:
            inspection_close(actor=request.user, inspection=inspection)
        except InspectionClosed as exc:
            return conflict_response(exc)
        fresh = self.get_queryset().get(pk=inspection.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        summary="Propose a sampling plan",
        description=(
            "The ISO 2859-1 single sampling plan (normal inspection, level II) Tandem proposes "
            "for a lot of rooms of one area type: how many to inspect and the acceptance and "
            "rejection numbers. Without `aql`, the area type's usual AQL is used."
        ),
        parameters=[PlanQuerySerializer],
        responses={200: PlanSerializer, **error_responses(400, 401, 404)},
    )
    @action(
        detail=False, methods=["get"], url_path="plan", pagination_class=None, filter_backends=[]
    )
    def plan(self, request, *args, **kwargs):
        query = PlanQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        plan = area_plan(**query.validated_data)
        return Response(PlanSerializer(plan).data)


# --- Disputes --------------------------------------------------------------------------------


class DisputeFilter(StrictFilterSet):
    open = BooleanFilter(
        field_name="resolved_at",
        lookup_expr="isnull",
        help_text=_("true: only open disputes; false: only resolved ones."),
    )

    class Meta:
        model = Dispute
        fields = ["open"]


@extend_schema_view(
    list=extend_schema(
        summary="List disputes",
        description=(
            "Open disputes first, then the newest; filter with `open`. Each names its subject: "
            "a measurement or an inspection."
        ),
        responses={200: DisputeSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a dispute",
        description="One dispute of this partnership with its comments, oldest first.",
        responses={200: DisputeDetailSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Dispute a measurement or an inspection",
        description=(
            "Participants of the side that did not report the figure: send `measurement` or "
            "`inspection` (an id in this partnership) and the reason. One open dispute per "
            "subject; both sides are notified."
        ),
        request=DisputeRaiseSerializer,
        responses={201: DisputeDetailSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["disputes"])
class DisputeViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Dispute.objects.none()  # only for the schema
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilter
    lookup_url_kwarg = "dispute_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.PARTICIPATE

    def action_for_method(self, method: str) -> str:
        # Resolving closes the matter for both sides: managers only.
        if self.action == "resolve":
            return Action.MANAGE
        return super().action_for_method(method)

    def get_serializer_class(self):
        return DisputeSerializer if self.action == "list" else DisputeDetailSerializer

    def scoped_queryset(self, partnership):
        open_first = ExpressionWrapper(Q(resolved_at__isnull=True), output_field=BooleanField())
        disputes = (
            selectors.disputes_for_partnership(partnership=partnership)
            .annotate(open_first=open_first)
            .order_by("-open_first", "-created_at", "-pk")
        )
        if self.action == "list":
            return disputes
        comments = DisputeComment.objects.select_related("author")
        return disputes.prefetch_related(Prefetch("comments", queryset=comments))

    def _output(self, dispute: Dispute, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=dispute.pk)  # with the thread
        return Response(DisputeDetailSerializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = DisputeRaiseSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        serializer.is_valid(raise_exception=True)
        dispute = dispute_raise(actor=request.user, **serializer.validated_data)
        return self._output(dispute, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Comment on a dispute",
        description="Participants of either side add to the thread, also after it is resolved.",
        request=DisputeCommentInputSerializer,
        responses={201: DisputeCommentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="comments")
    def comments(self, request, *args, **kwargs):
        dispute = self.get_object()
        serializer = DisputeCommentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = dispute_comment(
            actor=request.user, dispute=dispute, text=serializer.validated_data["text"]
        )
        return Response(DisputeCommentSerializer(comment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Resolve a dispute",
        description=(
            "Managers of either side close an open dispute with a note that stays with the "
            "history. A dispute already resolved answers 400."
        ),
        request=DisputeResolveSerializer,
        responses={200: DisputeDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="resolve")
    def resolve(self, request, *args, **kwargs):
        dispute = self.get_object()
        serializer = DisputeResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        dispute = dispute_resolve(
            actor=request.user,
            dispute=dispute,
            resolution=serializer.validated_data["resolution"],
        )
        return self._output(dispute)
