"""Indicators: those in use, the library, and the versions of the indicator set with their
indicators and sign-offs."""

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
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_lookup import get_in_scope_or_404

from .. import library, selectors, services
from ..models import Indicator, IndicatorSet, SignOff
from ..serializers import (
    IndicatorCreateSerializer,
    IndicatorSerializer,
    IndicatorSetCreateSerializer,
    IndicatorSetSerializer,
    IndicatorUpdateSerializer,
    LibraryIndicatorSerializer,
)
from .base import ID_REGEX, READ_ERRORS, WRITE_ERRORS

INDICATOR_SET_ID = OpenApiParameter(
    "indicator_set_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="An indicator set (version) of this partnership.",
)


def _ordered_indicators() -> Prefetch:
    return Prefetch("indicators", queryset=Indicator.objects.order_by("position", "id"))


# --- Indicators in use -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the indicators in use",
        description=(
            "The indicators of the set signed off by both sides and in use now; an empty list "
            "while no set has been signed off."
        ),
        responses={200: IndicatorSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an indicator in use",
        description="One indicator of the set in use; any other id answers 404.",
        responses={200: IndicatorSerializer, **READ_ERRORS},
    ),
)
@extend_schema(tags=["indicators"])
class IndicatorViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Indicator.objects.none()  # only for the schema
    serializer_class = IndicatorSerializer
    lookup_url_kwarg = "indicator_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        current = selectors.current_set(partnership=partnership)
        if current is None:
            return Indicator.objects.none()
        return selectors.indicators_of(indicator_set=current)

    @extend_schema(
        summary="The indicator library",
        description=(
            "Indicators a workshop starts from, with a generic description and example "
            "behaviours, in your language. Add one to a draft with its `key` as `library_key`."
        ),
        responses={200: LibraryIndicatorSerializer(many=True), **READ_ERRORS},
    )
    @action(
        detail=False, methods=["get"], url_path="library", pagination_class=None, filter_backends=[]
    )
    def library(self, request, *args, **kwargs):
        return Response(LibraryIndicatorSerializer(library.LIBRARY, many=True).data)


# --- Indicator sets --------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List indicator set versions",
        description=(
            "Every version of the partnership's indicator set, newest first: the draft being "
            "agreed (if any), the one in use and those it superseded, with their indicators and "
            "sign-offs."
        ),
        responses={200: IndicatorSetSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an indicator set version",
        responses={200: IndicatorSetSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Start a new version",
        description=(
            "Drafts the next version, a copy of the indicators in use (empty for the first). "
            "One draft at a time. Managers of either side only."
        ),
        request=IndicatorSetCreateSerializer,
        responses={201: IndicatorSetSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Discard a draft",
        description="Only a draft can be discarded (400 otherwise). Managers only.",
        responses={204: OpenApiResponse(description="Discarded."), **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["indicators"])
class IndicatorSetViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    queryset = IndicatorSet.objects.none()  # only for the schema
    serializer_class = IndicatorSetSerializer
    lookup_url_kwarg = "indicator_set_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return selectors.sets_for_partnership(partnership=partnership).prefetch_related(
            _ordered_indicators(),
            Prefetch("sign_offs", queryset=SignOff.objects.select_related("user")),
        )

    def _output(self, indicator_set, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=indicator_set.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = IndicatorSetCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        draft = services.indicator_set_draft(
            actor=request.user, partnership=self.partnership, **serializer.validated_data
        )
        return self._output(draft, status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.indicator_set_discard(actor=self.request.user, indicator_set=instance)

    @extend_schema(
        summary="Sign a draft off for your side",
        description=(
            "A manager signs the draft off for their own side. Once both sides have signed, the "
            "version is in use and the previous one is superseded (past surveys keep theirs). "
            "Every indicator needs its meaning, and each side must be rated on at least one."
        ),
        request=None,
        responses={200: IndicatorSetSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="sign-off")
    def sign_off(self, request, *args, **kwargs):
        indicator_set = self.get_object()
        services.indicator_set_sign_off(actor=request.user, indicator_set=indicator_set)
        return self._output(indicator_set)


# --- Indicators of one set -------------------------------------------------------------------

DRAFT_ONLY = (
    "Only a draft changes (400 otherwise), and every change voids the sign-offs it had. "
    "Managers of either side only."
)


@extend_schema_view(
    list=extend_schema(
        summary="List the indicators of a version",
        responses={200: IndicatorSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an indicator of a version",
        responses={200: IndicatorSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add an indicator to a draft",
        description=(
            "Give `library_key` to start from the library (name and behaviours default to the "
            "library's), or a `name` for a custom indicator. " + DRAFT_ONLY
        ),
        request=IndicatorCreateSerializer,
        responses={201: IndicatorSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace an indicator of a draft",
        description=DRAFT_ONLY,
        request=IndicatorUpdateSerializer,
        responses={200: IndicatorSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an indicator of a draft",
        description="Fields left out stay as they are. " + DRAFT_ONLY,
        request=IndicatorUpdateSerializer,
        responses={200: IndicatorSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove an indicator from a draft",
        description=DRAFT_ONLY,
        responses={204: OpenApiResponse(description="Removed."), **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["indicators"], parameters=[INDICATOR_SET_ID])
class IndicatorSetIndicatorViewSet(PartnershipScopedAPIMixin, viewsets.ModelViewSet):
    queryset = Indicator.objects.none()  # only for the schema
    serializer_class = IndicatorSerializer
    lookup_url_kwarg = "indicator_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.MANAGE

    indicator_set: IndicatorSet | None = None

    def resolve_partnership(self, request) -> None:
        # The set of the URL is part of the scope: resolved inside the partnership before the
        # role check, so another partnership's set answers 404 whatever the method.
        super().resolve_partnership(request)
        sets = selectors.sets_for_partnership(partnership=self.partnership)
        self.indicator_set = get_in_scope_or_404(sets, self.kwargs.get("indicator_set_id"))
        self.indicator_set.partnership = self.partnership

    def scoped_queryset(self, partnership):
        return selectors.indicators_of(indicator_set=self.indicator_set)

    def _attach(self, indicator: Indicator) -> Indicator:
        indicator.indicator_set = self.indicator_set  # spare the services a query per parent
        return indicator

    def create(self, request, *args, **kwargs):
        serializer = IndicatorCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        indicator = services.indicator_add(
            actor=request.user, indicator_set=self.indicator_set, **serializer.validated_data
        )
        return Response(self.get_serializer(indicator).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        indicator = self._attach(self.get_object())
        serializer = IndicatorUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        indicator = services.indicator_update(
            actor=request.user, indicator=indicator, **serializer.validated_data
        )
        return Response(self.get_serializer(indicator).data)

    def perform_destroy(self, instance):
        services.indicator_remove(actor=self.request.user, indicator=self._attach(instance))
