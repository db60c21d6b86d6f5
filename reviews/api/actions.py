"""Improvement actions of a partnership: the filtered list, recording one, changing it."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from kpis import selectors as kpi_selectors
from messaging.models import Thread
from partnership.api_lookup import get_in_scope_or_400, validated

from .. import selectors, services_actions
from ..models import OPEN_ACTION_STATUSES, ActionItem, ActionStatus, AgendaItem, ReviewRound
from ..serializers import (
    ActionCreateSerializer,
    ActionQuerySerializer,
    ActionSerializer,
    ActionUpdateSerializer,
)
from .base import LIST_ERRORS, READ_ERRORS, WRITE_ERRORS, _ReviewsAPIMixin

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
        # The list shows the round, KPI, dispute and thread by id only (their `_id` columns):
        # joining their rows cost PostgreSQL more planning than the page itself and the ORM a
        # model instance each. The owner and who recorded it are shown, so they stay joined.
        actions = actions.select_related(None).select_related("owner", "created_by")
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
        users = get_user_model().objects.filter(
            participations__partnership=self.partnership,
            participations__deactivated_at__isnull=True,
        )
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
