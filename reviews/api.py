"""REST API v1 of review rounds, nested under /api/v1/partnerships/<uuid>/: rounds and their
transitions, the session, the agenda with its minutes, decisions, and improvement actions.

Every viewset subclasses `PartnershipScopedAPIMixin`. The round named in a URL is resolved inside
the partnership before anything else, so another partnership's round answers 404 whatever the
method; so are agenda items and decisions below it. Every id that arrives in a body (an owner, a
round, a KPI, a dispute, a thread) is re-resolved inside the partnership of the URL; one from
elsewhere is a 400 on that field, never a lookup outside the scope.

Who may write follows the services (`reviews.services`, `services_sessions`, `services_actions`):
the view checks the same rule once the object is found and before the body is read, so the
answers come in the order 404, 403, 400. Everyone who sees the partnership reads, the facilitator
included; nothing here is internal to one side, and no score leaves before the survey closes.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
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

from config.api_errors import error_responses
from kpis import selectors as kpi_selectors
from messaging.models import Thread
from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_lookup import get_in_scope_or_400, get_in_scope_or_404, validated
from sti import selectors as sti_selectors

from . import selectors, services, services_actions, services_sessions
from .models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionStatus,
    AgendaItem,
    Decision,
    ReviewRound,
    RoundState,
    Session,
)
from .serializers import (
    ActionCreateSerializer,
    ActionQuerySerializer,
    ActionSerializer,
    ActionUpdateSerializer,
    AgendaItemCreateSerializer,
    AgendaItemMoveSerializer,
    AgendaItemSerializer,
    AgendaItemUpdateSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    RoundReopenSerializer,
    RoundSerializer,
    SessionInputSerializer,
    SessionSerializer,
)

READ_ERRORS = error_responses(401, 404)
LIST_ERRORS = error_responses(400, 401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
ID_REGEX = r"[0-9]+"

ROUND_ID = OpenApiParameter(
    "round_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A review round of this partnership.",
)
SESSION_RUNNERS = "The facilitator, or a manager of either side."


class _ReviewsAPIMixin(PartnershipScopedAPIMixin):
    # Writes are allowed per endpoint by the services' own rules (see `_require`), checked once
    # the object of the URL is found, so a foreign id answers 404 before any 403.
    read_action = Action.READ
    write_action = Action.READ
    lookup_value_regex = ID_REGEX
    filter_backends = []

    def _require(self, allowed: bool) -> None:
        if not allowed:
            raise exceptions.PermissionDenied()

    def handle_exception(self, exc):
        if isinstance(exc, ObjectDoesNotExist):
            exc = exceptions.NotFound()
        return super().handle_exception(exc)


class _InRoundMixin(_ReviewsAPIMixin):
    # The round of the URL is resolved inside the partnership before the role check.

    review_round: ReviewRound | None = None

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        rounds = ReviewRound.objects.filter(partnership=self.partnership)
        self.review_round = get_in_scope_or_404(rounds, self.kwargs.get("round_id"))
        self.review_round.partnership = self.partnership  # the same row: spare the query

    def _require_runner(self) -> None:
        self._require(services_sessions.can_run_session(self.access))


# --- Rounds ----------------------------------------------------------------------------------


class RoundFilter(filters.FilterSet):
    state = filters.ChoiceFilter(
        choices=RoundState.choices, help_text=_("Only rounds in this state.")
    )

    class Meta:
        model = ReviewRound
        fields = ["state"]


def _transition(summary: str, description: str, request=None):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={200: RoundSerializer, **WRITE_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="List review rounds",
        description=(
            "Newest period first, each with its window, response counts (never scores while "
            "open), the grades once closed, the session, the report once published and the "
            "number of open actions. Filter with `state`."
        ),
        responses={200: RoundSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a review round",
        description="One round of this partnership; any other id answers 404.",
        responses={200: RoundSerializer, **READ_ERRORS},
    ),
)
@extend_schema(tags=["review rounds"])
class RoundViewSet(
    _ReviewsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ReviewRound.objects.none()  # only for the schema
    serializer_class = RoundSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = RoundFilter
    lookup_url_kwarg = "round_id"

    def scoped_queryset(self, partnership):
        return selectors.rounds_for_partnership(partnership=partnership)

    def _context(self, rounds) -> dict:
        surveys = [r.survey for r in rounds if r.survey is not None]
        rates = (
            sti_selectors.response_rates(partnership=self.partnership, surveys=surveys)
            if surveys
            else {}
        )
        return {**self.get_serializer_context(), "response_rates": rates}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        data = RoundSerializer(page, many=True, context=self._context(page)).data
        return self.get_paginated_response(data)

    def _output(self, review_round: ReviewRound) -> Response:
        fresh = self.scoped_queryset(self.partnership).get(pk=review_round.pk)
        return Response(RoundSerializer(fresh, context=self._context([fresh])).data)

    def retrieve(self, request, *args, **kwargs):
        return self._output(self.get_object())

    def _round_for(self, *actions: str) -> ReviewRound:
        review_round = self.get_object()
        self._require(any(self.access.can(a) for a in actions))
        review_round.partnership = self.partnership
        return review_round

    @_transition(
        "Open a round",
        "Opens the questionnaire of a scheduled round by hand: the survey opens and everyone "
        "who rates is told. Managers of either side only.",
    )
    @action(detail=True, methods=["post"], url_path="open")
    def open(self, request, *args, **kwargs):
        review_round = self._round_for(Action.MANAGE)
        return self._output(services.round_open(review_round=review_round, actor=request.user))

    @_transition(
        "Close a round",
        "Closes the questionnaire of an open round by hand: results open to both sides, the "
        "agenda is proposed and the facilitator is asked to plan the session. Managers only.",
    )
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request, *args, **kwargs):
        review_round = self._round_for(Action.MANAGE)
        return self._output(services.round_close(review_round=review_round, actor=request.user))

    @_transition(
        "Mark a round as discussed",
        "The session has been held (closed → discussed); it must have been planned. "
        + SESSION_RUNNERS,
    )
    @action(detail=True, methods=["post"], url_path="finish")
    def finish(self, request, *args, **kwargs):
        review_round = self._round_for(Action.FACILITATE, Action.MANAGE)
        return self._output(services.round_finish(review_round=review_round, actor=request.user))

    @_transition(
        "Publish the report",
        "Freezes the report of a discussed round and shares it with both sides; the PDF is "
        "rendered in the background and then downloadable at `report.pdf`. " + SESSION_RUNNERS,
    )
    @action(detail=True, methods=["post"], url_path="publish")
    def publish(self, request, *args, **kwargs):
        review_round = self._round_for(Action.FACILITATE, Action.MANAGE)
        return self._output(services.round_publish(review_round=review_round, actor=request.user))

    @_transition(
        "Reopen a round",
        "Takes a round one step back with a reason on record: published → discussed, "
        "discussed → closed. A closed questionnaire never reopens. " + SESSION_RUNNERS,
        request=RoundReopenSerializer,
    )
    @action(detail=True, methods=["post"], url_path="reopen")
    def reopen(self, request, *args, **kwargs):
        review_round = self._round_for(Action.FACILITATE, Action.MANAGE)
        data = validated(RoundReopenSerializer, request.data)
        return self._output(
            services.round_reopen(
                review_round=review_round, actor=request.user, reason=data["reason"]
            )
        )


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
        fresh = self.scoped_queryset(self.partnership).get(pk=item.pk)
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
        items = self.scoped_queryset(self.partnership)
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
        fresh = self.scoped_queryset(self.partnership).get(pk=decision.pk)
        return Response(DecisionSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        decision = self.get_object()
        decision.round = self.review_round
        self._require_runner()
        services_sessions.decision_delete(actor=request.user, decision=decision)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Actions ---------------------------------------------------------------------------------

ACTION_ID = OpenApiParameter(
    "action_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="An action of this partnership.",
)


@extend_schema_view(
    list=extend_schema(
        summary="List actions",
        description=(
            "The partnership's improvement actions by due date. Filter with `status` (`open` "
            "lists open and in-progress ones), `owner`, `round`, `origin` and `overdue`."
        ),
        parameters=[ActionQuerySerializer],
        responses={200: ActionSerializer(many=True), **LIST_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read an action",
        parameters=[ACTION_ID],
        responses={200: ActionSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Record an action",
        description=(
            "The owner is a participant of the client or supplier side; the round, agenda "
            "item, KPI, dispute and thread are ids of this partnership. Participants of either "
            "side and the facilitator."
        ),
        request=ActionCreateSerializer,
        responses={201: ActionSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change an action",
        description=(
            "Title, description, owner, due date and status; fields left out stay as they are. "
            "The owner, who recorded it, the facilitator and the managers."
        ),
        parameters=[ACTION_ID],
        request=ActionUpdateSerializer,
        responses={200: ActionSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["actions"])
class ActionViewSet(
    _ReviewsAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    queryset = ActionItem.objects.none()  # only for the schema
    serializer_class = ActionSerializer
    lookup_url_kwarg = "action_id"

    def scoped_queryset(self, partnership):
        actions = selectors.actions_for_partnership(partnership=partnership).select_related(
            "created_by"
        )
        if self.action != "list":
            return actions
        return self._filtered(actions, validated(ActionQuerySerializer, self.request.query_params))

    def _filtered(self, actions: QuerySet, query: dict) -> QuerySet:
        wanted = query.get("status")
        if wanted == ActionStatus.OPEN:  # open means not finished: open or in progress
            actions = actions.open()
        elif wanted:
            actions = actions.filter(status=wanted)
        for name in ("owner", "round", "origin"):
            if query.get(name) is not None:
                actions = actions.filter(**{name: query[name]})
        today = selectors.today()
        if query.get("overdue") is True:
            actions = actions.overdue(today)
        elif query.get("overdue") is False:
            actions = actions.exclude(status__in=OPEN_ACTION_STATUSES, due_date__lt=today)
        return actions.order_by("due_date", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": selectors.today()}

    def _output(self, action_item: ActionItem, status_code=status.HTTP_200_OK) -> Response:
        fresh = (
            selectors.actions_for_partnership(partnership=self.partnership)
            .select_related("created_by")
            .get(pk=action_item.pk)
        )
        return Response(self.get_serializer(fresh).data, status=status_code)

    def _owner(self, pk):
        users = get_user_model().objects.filter(participations__partnership=self.partnership)
        return get_in_scope_or_400(
            users.distinct(),
            pk,
            field="owner",
            message=_("Choose a participant of this partnership."),
        )

    def create(self, request, *args, **kwargs):
        self._require(services_actions.can_record(self.access))
        data = dict(validated(ActionCreateSerializer, request.data))
        partnership = self.partnership
        review_round = get_in_scope_or_400(
            ReviewRound.objects.filter(partnership=partnership),
            data.pop("round"),
            field="round",
            message=_("Choose a round of this partnership."),
        )
        agenda_item = get_in_scope_or_400(
            AgendaItem.objects.filter(round=review_round),
            data.pop("agenda_item"),
            field="agenda_item",
            message=_("Choose an agenda item of that round."),
        )
        links = {
            "kpi": get_in_scope_or_400(
                kpi_selectors.kpis_for_partnership(partnership=partnership),
                data.pop("kpi"),
                field="kpi",
                message=_("Choose a KPI of this partnership."),
            ),
            "dispute": get_in_scope_or_400(
                kpi_selectors.disputes_for_partnership(partnership=partnership),
                data.pop("dispute"),
                field="dispute",
                message=_("Choose a dispute of this partnership."),
            ),
            "thread": get_in_scope_or_400(
                Thread.objects.for_access(self.access).filter(partnership=partnership),
                data.pop("thread"),
                field="thread",
                message=_("Choose a thread of this partnership."),
            ),
        }
        data["owner"] = self._owner(data["owner"])
        action_item = services_actions.action_create(
            actor=request.user,
            partnership=partnership,
            review_round=review_round,
            agenda_item=agenda_item,
            **links,
            **data,
        )
        return self._output(action_item, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        action_item = self.get_object()
        action_item.partnership = self.partnership
        self._require(services_actions.can_change(self.access, action_item))
        data = dict(validated(ActionUpdateSerializer, request.data))
        if "owner" in data:
            data["owner"] = self._owner(data["owner"])
        action_item = services_actions.action_update(actor=request.user, action=action_item, **data)
        return self._output(action_item)
