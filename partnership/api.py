"""REST API v1 of the tenancy core: partnerships, participants, contracts, communication plan.

Partnerships are the entry point of the access rule, so their viewset starts from
`Partnership.objects.visible_to` (`listed_partnerships`). Everything under a partnership subclasses
`PartnershipScopedAPIMixin`, which resolves the partnership from the URL (404 for outsiders, 403
for insiders without the role) and builds every queryset from `scoped_queryset`. Writes go through
the services; the partnership and the actor come from the URL and the request, never the body.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from . import selectors, services
from .access import Action, access_for
from .api_base import PartnershipScopedAPIMixin
from .api_errors import error_responses
from .filters import PartnershipFilter
from .models import CommunicationPlan, Contract, Participant, Partnership
from .serializers import (
    CommunicationPlanSerializer,
    ContractSerializer,
    ParticipantCreateSerializer,
    ParticipantInvitationSerializer,
    ParticipantSerializer,
    ParticipantUpdateSerializer,
    PartnershipCreateSerializer,
    PartnershipSerializer,
    PartnershipUpdateSerializer,
)
from .services_plan_api import communication_plan_replace

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
DELETE_ERRORS = error_responses(401, 403, 404)


def _renamed(error: DjangoValidationError, names: dict[str, str]) -> DjangoValidationError:
    """A service's error keyed by the request field the client actually sent."""
    if not hasattr(error, "error_dict"):
        return error
    return DjangoValidationError(
        {names.get(field, field): errors for field, errors in error.error_dict.items()}
    )


# --- Partnerships ----------------------------------------------------------------------------


def _with_what_the_api_shows(partnerships: QuerySet) -> QuerySet:
    latest_contract = Contract.objects.filter(partnership=OuterRef("pk")).order_by("-end_date")
    participants = (
        Participant.objects.filter(partnership=OuterRef("pk"))  # current ones only
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        partnerships.select_related("client", "supplier")
        .annotate(
            contract_end=Subquery(latest_contract.values("end_date")[:1]),
            participant_count=Coalesce(Subquery(participants), 0),
        )
        .order_by("title", "pk")
    )


class _PageFirst:
    """A list of partnerships as the paginator reads it: a page is one query whose subquery
    picks the page's ids (the access rule, the filters, the order and the limit, on the
    partnership table alone) before the organisations are joined and the counts worked out for
    those rows only. Joining first made PostgreSQL hash-join every visible partnership with its
    two organisations before it sorted them. `count` is the filtered list's."""

    ordered = True

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __getitem__(self, page: slice) -> list:
        ids = self.queryset.values("pk")[page]
        return list(_with_what_the_api_shows(Partnership.objects.filter(pk__in=ids)))


def listed_partnerships(user) -> QuerySet:
    """The partnerships `user` sees (`visible_to`), with what the API shows of each.

    The contract's end and the participant count are correlated subqueries, which PostgreSQL
    evaluates for the rows of the page only, after the sort and the limit; the page's COUNT
    leaves them out. (`selectors.partnerships_for_user` counts participants with a JOIN and
    GROUP BY, which aggregates every visible partnership before the limit, the COUNT included.)
    """
    return _with_what_the_api_shows(Partnership.objects.visible_to(user))


@extend_schema_view(
    list=extend_schema(
        summary="List partnerships",
        description=(
            "The partnerships you take part in, or whose client or supplier organisation you "
            "administer or manage. Filter with `phase` and `service`."
        ),
        responses={200: PartnershipSerializer(many=True), **error_responses(400, 401)},
    ),
    retrieve=extend_schema(
        summary="Read a partnership",
        description="One partnership you can see; any other id answers 404.",
        responses={200: PartnershipSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Create a partnership",
        description=(
            "Join a client and a supplier organisation. You must be an admin or manager of one "
            "of them; you become a participant on that side. A communication plan is created."
        ),
        request=PartnershipCreateSerializer,
        responses={201: PartnershipSerializer, **error_responses(400, 401, 403)},
    ),
    update=extend_schema(
        summary="Replace a partnership's details",
        description="Title, services, phase and vision. Admins and managers of either side only.",
        request=PartnershipUpdateSerializer,
        responses={200: PartnershipSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a partnership's details",
        description="Send only the fields to change. Admins and managers of either side only.",
        request=PartnershipUpdateSerializer,
        responses={200: PartnershipSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["partnerships"])
class PartnershipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Partnership.objects.none()  # only for the schema; see get_queryset
    serializer_class = PartnershipSerializer
    filterset_class = PartnershipFilter
    lookup_url_kwarg = "partnership_id"

    _partnership = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authenticates first: 401 before 404
        if self.lookup_url_kwarg in self.kwargs:
            # Resolve the partnership before the method is checked, so that an outsider gets 404
            # for every method, never a 405 that tells them the id exists.
            self.get_object()

    def get_queryset(self):
        # The entry point of the access rule, so the one viewset that builds its own queryset.
        return listed_partnerships(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(_PageFirst(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self) -> Partnership:
        if self._partnership is None:
            self._partnership = super().get_object()
        return self._partnership

    def get_serializer_class(self):
        return {
            "create": PartnershipCreateSerializer,
            "update": PartnershipUpdateSerializer,
            "partial_update": PartnershipUpdateSerializer,
        }.get(self.action, PartnershipSerializer)

    def _output(self, partnership: Partnership) -> dict:
        fresh = self.get_queryset().get(pk=partnership.pk)  # with the list's annotations
        return PartnershipSerializer(fresh, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partnership = services.partnership_create(actor=request.user, **serializer.validated_data)
        return Response(self._output(partnership), status=status.HTTP_201_CREATED)

    def update(self, request, *args, partial=False, **kwargs):
        partnership = self.get_object()
        access_for(request.user, partnership).require(Action.MANAGE)
        serializer = self.get_serializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        services.partnership_update(
            actor=request.user, partnership=partnership, **serializer.validated_data
        )
        return Response(self._output(partnership))


# --- Participants ----------------------------------------------------------------------------

TITLE_CHANGE = (
    "Only the title can change; managers of the participant's side (for the facilitator, of "
    "either side) only: the other side's people answer 403."
)


@extend_schema_view(
    list=extend_schema(
        summary="List participants",
        description=(
            "Everyone taking part in the partnership, with their side and title; former "
            "participants (`active` false) last."
        ),
        responses={200: ParticipantSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a participant",
        responses={200: ParticipantSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Add a participant",
        description=(
            "Managers add people of their own side: `user_id` or `email` of a member of their "
            "organisation (201). The facilitator is added by either side's managers: by "
            "`user_id` of a facilitator they already work with in another partnership, who is "
            "no member of either organisation (201), or by `email`, which always answers 202 "
            "with a pending invitation, whether or not the address has an account; the person "
            "joins as facilitator when they accept. A former participant is re-activated. "
            "Nobody's organisation role changes."
        ),
        request=ParticipantCreateSerializer,
        responses={
            201: ParticipantSerializer,
            202: ParticipantInvitationSerializer,
            **WRITE_ERRORS,
        },
    ),
    update=extend_schema(
        summary="Change a participant's title",
        description=TITLE_CHANGE,
        request=ParticipantUpdateSerializer,
        responses={200: ParticipantSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a participant's title",
        description=TITLE_CHANGE,
        request=ParticipantUpdateSerializer,
        responses={200: ParticipantSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a participant",
        description=(
            "Managers remove people of their own side and the facilitator, never the other "
            "side's (403). Someone who submitted ratings becomes a former participant (no "
            "access, `active` false, their ratings kept) instead of being deleted."
        ),
        responses={204: OpenApiResponse(description="Removed."), **DELETE_ERRORS},
    ),
)
@extend_schema(tags=["participants"])
class ParticipantViewSet(PartnershipScopedAPIMixin, viewsets.ModelViewSet):
    queryset = Participant.objects.none()  # only for the schema
    serializer_class = ParticipantSerializer
    lookup_url_kwarg = "participant_id"
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return selectors.participants_with_former(partnership=partnership)

    def create(self, request, *args, **kwargs):
        serializer = ParticipantCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        common = {
            "actor": request.user,
            "partnership": self.partnership,
            "side": data["side"],
            "title": data["title"],
        }
        if "user_id" in data:
            try:
                added = services.participant_add_by_id(user_id=data["user_id"], **common)
            except DjangoValidationError as exc:
                raise _renamed(exc, {"user": "user_id"}) from exc
        else:
            try:
                added = services.participant_add_by_email(email=data["email"], **common)
            except DjangoValidationError as exc:
                raise _renamed(exc, {"user": "email"}) from exc
        if isinstance(added, Participant):
            return Response(ParticipantSerializer(added).data, status=status.HTTP_201_CREATED)
        return Response(
            ParticipantInvitationSerializer(added).data, status=status.HTTP_202_ACCEPTED
        )

    def update(self, request, *args, partial=False, **kwargs):
        participant = self.get_object()
        serializer = ParticipantUpdateSerializer(participant, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        participant = services.participant_update(
            actor=request.user,
            participant=participant,
            title=serializer.validated_data.get("title", participant.title),
        )
        return Response(self.get_serializer(participant).data)

    def perform_destroy(self, instance):
        services.participant_remove(actor=self.request.user, participant=instance)


# --- Contracts -------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List contracts",
        description="The partnership's contracts, latest start first.",
        responses={200: ContractSerializer(many=True), **READ_ERRORS},
    ),
    retrieve=extend_schema(
        summary="Read a contract", responses={200: ContractSerializer, **READ_ERRORS}
    ),
    create=extend_schema(
        summary="Add a contract",
        description="The reference is unique within the partnership. Managers only.",
        responses={201: ContractSerializer, **WRITE_ERRORS},
    ),
    update=extend_schema(
        summary="Replace a contract",
        description="Managers only.",
        responses={200: ContractSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Change a contract",
        description="Send only the fields to change. Managers only.",
        responses={200: ContractSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="Delete a contract",
        description="Managers only.",
        responses={204: OpenApiResponse(description="Deleted."), **DELETE_ERRORS},
    ),
)
@extend_schema(tags=["contracts"])
class ContractViewSet(PartnershipScopedAPIMixin, viewsets.ModelViewSet):
    queryset = Contract.objects.none()  # only for the schema
    serializer_class = ContractSerializer
    lookup_url_kwarg = "contract_id"
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return selectors.contracts_for_partnership(partnership=partnership).order_by(
            "-start_date", "pk"
        )

    def perform_create(self, serializer):
        serializer.instance = services.contract_create(
            actor=self.request.user, partnership=self.partnership, **serializer.validated_data
        )

    def perform_update(self, serializer):
        serializer.instance = services.contract_update(
            actor=self.request.user, contract=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.contract_delete(actor=self.request.user, contract=instance)


# --- Communication plan ----------------------------------------------------------------------

PLAN_WRITE = (
    "Managers only. Fields left out stay as they are; a list that is sent (`contacts`, "
    "`meetings`, `escalation_steps`) replaces the stored list. Everything is saved in one "
    "transaction: on a 400 nothing changed."
)


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read the communication plan",
        description="Emergency number, channels, contacts per side, meetings and escalation.",
        responses={200: CommunicationPlanSerializer, **READ_ERRORS},
    ),
    update=extend_schema(
        summary="Update the communication plan",
        description=PLAN_WRITE,
        responses={200: CommunicationPlanSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="Update the communication plan",
        description=PLAN_WRITE,
        responses={200: CommunicationPlanSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["communication plan"])
class CommunicationPlanViewSet(PartnershipScopedAPIMixin, viewsets.GenericViewSet):
    """One plan per partnership, so it lives at the collection URL (see `PartnershipRouter`)."""

    router_singleton = True
    queryset = CommunicationPlan.objects.none()  # only for the schema
    serializer_class = CommunicationPlanSerializer
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return CommunicationPlan.objects.filter(partnership=partnership).prefetch_related(
            "contacts", "meetings", "escalation_steps"
        )

    def _plan_data(self) -> dict:
        plan = self.get_queryset().first()
        if plan is None:  # every partnership gets one on creation; answer its empty shape anyway
            return {
                **dict.fromkeys(["emergency_number", "emergency_instructions", "channels"], ""),
                **dict.fromkeys(["contacts", "meetings", "escalation_steps"], []),
                "updated_at": None,
            }
        return self.get_serializer(plan).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._plan_data())

    def update(self, request, *args, **kwargs):
        # PUT and PATCH both change what is sent; nested items are always validated in full.
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        communication_plan_replace(
            actor=request.user, partnership=self.partnership, **serializer.validated_data
        )
        return Response(self._plan_data())

    def partial_update(self, request, *args, **kwargs):
        return self.update(request, *args, **kwargs)
