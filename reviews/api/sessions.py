"""Below one round: its session, the agenda with the minutes, and the decisions."""

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

from partnership.api_lookup import get_in_scope_or_400, validated

from .. import services_sessions
from ..models import AgendaItem, Decision, Session
from ..serializers import (
    AgendaItemCreateSerializer,
    AgendaItemMoveSerializer,
    AgendaItemSerializer,
    AgendaItemUpdateSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    SessionInputSerializer,
    SessionSerializer,
)
from .base import READ_ERRORS, ROUND_ID, SESSION_RUNNERS, WRITE_ERRORS, _InRoundMixin

# --- Session ---------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read the session of a round",
        description="When and where the session takes place; 404 while none is planned.",
        responses={200: SessionSerializer, **READ_ERRORS},
    ),
    update=extend_schema(
        summary="Plan or move the session",
        description=(
            "Plans the session (or moves it) while the round is open or closed; everyone taking "
            "part receives a calendar invitation. A place or a video link is required. "
            + SESSION_RUNNERS
        ),
        request=SessionInputSerializer,
        responses={200: SessionSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["review rounds"], parameters=[ROUND_ID])
class SessionViewSet(_InRoundMixin, viewsets.GenericViewSet):
    # One session per round, so it lives at the collection URL (see `PartnershipRouter`).

    router_singleton = True
    queryset = Session.objects.none()  # only for the schema
    serializer_class = SessionSerializer

    def scoped_queryset(self, partnership):
        return Session.objects.filter(round=self.review_round)

    def retrieve(self, request, *args, **kwargs):
        session = self.get_queryset().first()
        if session is None:
            raise exceptions.NotFound()
        return Response(SessionSerializer(session).data)

    def update(self, request, *args, **kwargs):
        self._require_runner()
        data = validated(SessionInputSerializer, request.data)
        session = services_sessions.session_plan(
            actor=request.user, review_round=self.review_round, **data
        )
        return Response(SessionSerializer(session).data)


# --- Agenda ----------------------------------------------------------------------------------

AGENDA_WRITE = "While the round is closed or discussed (400 otherwise). " + SESSION_RUNNERS


@extend_schema_view(
    list=extend_schema(
        summary="List the agenda of a round",
        description="The agenda items in order, with their minutes.",
        responses={200: AgendaItemSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an agenda item",
        parameters=[
            OpenApiParameter(
                "agenda_item_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="An agenda item of this round.",
            )
        ],
        responses={200: AgendaItemSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add an agenda item",
        description="Adds an item at the end of the agenda. " + AGENDA_WRITE,
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an agenda item or write its minutes",
        description="Title, details and minutes; fields left out stay as they are. " + AGENDA_WRITE,
        request=AgendaItemUpdateSerializer,
        responses={200: AgendaItemSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove an agenda item",
        description="An item with minutes, decisions or actions stays (400). " + AGENDA_WRITE,
        responses={204: OpenApiResponse(description="Removed."), **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["review rounds"], parameters=[ROUND_ID])
class AgendaItemViewSet(
    _InRoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = AgendaItem.objects.none()  # only for the schema
    serializer_class = AgendaItemSerializer
    lookup_url_kwarg = "agenda_item_id"

    def scoped_queryset(self, partnership):
        return AgendaItem.objects.filter(round=self.review_round).order_by("position", "pk")

    def _item(self) -> AgendaItem:
        item = self.get_object()
        item.round = self.review_round  # the same row: spare the services a query
        self._require_runner()
        return item

    def _output(self, item: AgendaItem, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=item.pk)
        return Response(AgendaItemSerializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        self._require_runner()
        data = validated(AgendaItemCreateSerializer, request.data)
        item = services_sessions.agenda_item_create(
            actor=request.user, review_round=self.review_round, **data
        )
        return self._output(item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        item = self._item()
        data = validated(AgendaItemUpdateSerializer, request.data)
        if data:
            item = services_sessions.agenda_item_update(actor=request.user, item=item, **data)
        return self._output(item)

    def destroy(self, request, *args, **kwargs):
        item = self._item()
        services_sessions.agenda_item_delete(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move an agenda item",
        description="Puts the item at `position` (from 1) and numbers the agenda again; the "
        "whole agenda is returned in its new order. " + AGENDA_WRITE,
        request=AgendaItemMoveSerializer,
        responses={200: AgendaItemSerializer(many=True), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="move", pagination_class=None)
    def move(self, request, *args, **kwargs):
        item = self._item()
        data = validated(AgendaItemMoveSerializer, request.data)
        services_sessions.agenda_item_move(actor=request.user, item=item, position=data["position"])
        items = self.get_queryset()
        return Response(AgendaItemSerializer(items, many=True).data)


# --- Decisions -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List the decisions of a round",
        description="In the order they were recorded.",
        responses={200: DecisionSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a decision",
        parameters=[
            OpenApiParameter(
                "decision_id",
                OpenApiTypes.INT,
                OpenApiParameter.PATH,
                description="A decision of this round.",
            )
        ],
        responses={200: DecisionSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record a decision",
        description="Optionally under an agenda item of this round. " + AGENDA_WRITE,
        request=DecisionCreateSerializer,
        responses={201: DecisionSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a decision",
        description=AGENDA_WRITE,
        responses={204: OpenApiResponse(description="Removed."), **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["review rounds"], parameters=[ROUND_ID])
class DecisionViewSet(
    _InRoundMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Decision.objects.none()  # only for the schema
    serializer_class = DecisionSerializer
    lookup_url_kwarg = "decision_id"

    def scoped_queryset(self, partnership):
        return (
            Decision.objects.filter(round=self.review_round)
            .select_related("created_by")
            .order_by("created_at", "pk")
        )

    def create(self, request, *args, **kwargs):
        self._require_runner()
        data = validated(DecisionCreateSerializer, request.data)
        agenda_item = get_in_scope_or_400(
            AgendaItem.objects.filter(round=self.review_round),
            data["agenda_item"],
            field="agenda_item",
            message=_("Choose an agenda item of this round."),
        )
        decision = services_sessions.decision_create(
            actor=request.user,
            review_round=self.review_round,
            text=data["text"],
            agenda_item=agenda_item,
        )
        fresh = self.get_queryset().get(pk=decision.pk)
        return Response(DecisionSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        decision = self.get_object()
        decision.round = self.review_round
        self._require_runner()
        services_sessions.decision_delete(actor=request.user, decision=decision)
        return Response(status=status.HTTP_204_NO_CONTENT)
