"""Review rounds: the list, one round, and its transitions by hand (open, close, finish,
publish, reopen)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.access import Action
from partnership.api_input import StrictFilterSet
from partnership.api_lookup import validated
from sti import selectors as sti_selectors

from .. import selectors, services
from ..models import ReviewRound, RoundState
from ..serializers import RoundReopenSerializer, RoundSerializer
from .base import LIST_ERRORS, READ_ERRORS, SESSION_RUNNERS, WRITE_ERRORS, _ReviewsAPIMixin


class RoundFilter(StrictFilterSet):
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
        fresh = self.get_queryset().get(pk=review_round.pk)
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
