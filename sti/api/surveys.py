"""Surveys: planning, opening and closing them, the caller's own response, and the results
once a survey has closed."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_errors import error_responses
from partnership.api_input import StrictFilterSet
from partnership.api_lookup import get_in_scope_or_404

from .. import selectors, services_surveys
from ..models import Indicator, Survey, SurveyState
from ..models import Response as SurveyResponse
from ..results import results_for
from ..serializers import (
    OwnResponseInputSerializer,
    OwnResponseSerializer,
    ResultsSerializer,
    SurveyCreateSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
)
from .base import ID_REGEX, READ_ERRORS, WRITE_ERRORS

SURVEY_ID = OpenApiParameter(
    "survey_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A survey of this partnership.",
)


# --- Surveys ---------------------------------------------------------------------------------


class SurveyFilter(StrictFilterSet):
    state = filters.ChoiceFilter(
        choices=SurveyState.choices, help_text=_("Only surveys in this state.")
    )

    class Meta:
        model = Survey
        fields = ["state"]


@extend_schema_view(
    list=extend_schema(
        summary="List surveys",
        description=(
            "Newest quarter first, each with its response rate (counts only) and, once closed, "
            "the grades each way. Filter with `state`."
        ),
        responses={200: SurveySerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="Read a survey",
        description="A survey with the indicators of its questionnaire; any other id answers 404.",
        responses={200: SurveyDetailSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="Plan a survey",
        description=(
            "One survey per quarter, using the indicator set in use. With `open` it opens at "
            "once and everyone who rates is notified; planning and opening succeed or fail "
            "together. Managers of either side only."
        ),
        request=SurveyCreateSerializer,
        responses={201: SurveyDetailSerializer, **WRITE_ERRORS},
    ),
)
@extend_schema(tags=["surveys"])
class SurveyViewSet(
    PartnershipScopedAPIMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    queryset = Survey.objects.none()  # only for the schema
    serializer_class = SurveySerializer
    filterset_class = SurveyFilter
    lookup_url_kwarg = "survey_id"
    lookup_value_regex = ID_REGEX
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        surveys = selectors.surveys_for_partnership(partnership=partnership).order_by(
            "-period_start", "-pk"
        )
        if self.action == "list":
            return surveys
        return surveys.prefetch_related(
            Prefetch(
                "indicator_set__indicators", queryset=Indicator.objects.order_by("position", "id")
            )
        )

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rates = selectors.response_rates(partnership=self.partnership, surveys=page)
        context = {**self.get_serializer_context(), "response_rates": rates}
        return self.get_paginated_response(SurveySerializer(page, many=True, context=context).data)

    def _detail(self, survey: Survey, status_code=status.HTTP_200_OK) -> Response:
        survey.partnership = self.partnership  # the same row: spare the query
        context = {
            **self.get_serializer_context(),
            "response_rates": {survey.pk: selectors.response_rate(survey=survey)},
        }
        return Response(SurveyDetailSerializer(survey, context=context).data, status=status_code)

    def _output(self, survey: Survey, status_code=status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().get(pk=survey.pk)  # with the indicators
        return self._detail(fresh, status_code)

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = SurveyCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Planning and opening succeed or fail together: no half-made survey on an error.
        with transaction.atomic():
            survey = services_surveys.survey_create(
                actor=request.user,
                partnership=self.partnership,
                period=data["period"],
                opens_at=data["opens_at"],
                closes_at=data["closes_at"],
            )
            if data["open"]:
                survey = services_surveys.survey_open(survey=survey, actor=request.user)
        return self._output(survey, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Open a survey",
        description=(
            "Opens a scheduled survey now with the indicator set in use and notifies everyone "
            "who rates. One open survey per partnership. Managers only."
        ),
        request=None,
        responses={200: SurveyDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="open")
    def open(self, request, *args, **kwargs):
        survey = services_surveys.survey_open(survey=self.get_object(), actor=request.user)
        return self._output(survey)

    @extend_schema(
        summary="Close a survey",
        description=(
            "Closes an open survey: answers freeze, the grades are kept and the results open to "
            "both sides and the facilitator. Managers only."
        ),
        request=None,
        responses={200: SurveyDetailSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="close")
    def close(self, request, *args, **kwargs):
        survey = services_surveys.survey_close(survey=self.get_object(), actor=request.user)
        return self._output(survey)


class _InSurveyMixin(PartnershipScopedAPIMixin):
    # Resolves the survey of the URL inside the partnership, before the role check, so another
    # partnership's survey answers 404 whatever the method. (A comment: drf-spectacular would
    # show a docstring in the API docs.)

    survey: Survey | None = None

    def resolve_partnership(self, request) -> None:
        super().resolve_partnership(request)
        surveys = selectors.surveys_for_partnership(partnership=self.partnership)
        self.survey = get_in_scope_or_404(surveys, self.kwargs.get("survey_id"))
        self.survey.partnership = self.partnership  # the same row: spare the query


# --- The caller's own response ---------------------------------------------------------------

OWN_ONLY = (
    "Only ever your own response: while a survey is open nobody, through any route, reads "
    "another person's answers."
)
SAVE_MINE = (
    "Save your answers as a draft, or submit them with `submit: true`. Answers left out keep "
    "their saved value; a null score with no motivation clears an answer. Every indicator on "
    "which the other side is rated needs a score to submit; scores of 5 or lower and of 9 or "
    "higher need a motivation. Errors are keyed `score-<indicator>-<rated_side>` and "
    "`motivation-<indicator>-<rated_side>`; on a 400 nothing was saved. Editable until the "
    "survey closes (400 afterwards). Participants of the client and supplier sides only."
)


@extend_schema_view(
    list=extend_schema(
        summary="List your response",
        description=OWN_ONLY + " The list holds your response, or nothing if you have not begun.",
        responses={200: OwnResponseSerializer(many=True), **READ_ERRORS},
    ),
)
@extend_schema(tags=["surveys"], parameters=[SURVEY_ID])
class SurveyResponseViewSet(_InSurveyMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = SurveyResponse.objects.none()  # only for the schema
    serializer_class = OwnResponseSerializer
    read_action = Action.READ
    write_action = Action.PARTICIPATE

    def scoped_queryset(self, partnership):
        # The respondent filter is the seal: never anyone else's response.
        return (
            SurveyResponse.objects.filter(survey=self.survey, respondent=self.request.user)
            .prefetch_related("ratings")
            .order_by("pk")
        )

    def _mine(self) -> Response:
        own = selectors.own_response(survey=self.survey, user=self.request.user)
        if own is None:  # not begun yet: the empty shape, so clients need no special case
            own = SurveyResponse(survey=self.survey, side=self.access.side or "")
        return Response(OwnResponseSerializer(own).data)

    @extend_schema(
        methods=["GET"],
        summary="Read your response",
        description=OWN_ONLY + " Before you begin: no id, no ratings.",
        responses={200: OwnResponseSerializer, **READ_ERRORS},
    )
    @extend_schema(
        methods=["PUT"],
        summary="Save or submit your response",
        description=SAVE_MINE,
        request=OwnResponseInputSerializer,
        responses={200: OwnResponseSerializer, **WRITE_ERRORS},
    )
    @action(
        detail=False,
        methods=["get", "put"],
        url_path="mine",
        pagination_class=None,
        filter_backends=[],
    )
    def mine(self, request, *args, **kwargs):
        if request.method == "PUT":
            serializer = OwnResponseInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            services_surveys.response_save(
                actor=request.user,
                survey=self.survey,
                answers=[dict(answer) for answer in serializer.validated_data["ratings"]],
                submit=serializer.validated_data["submit"],
            )
        return self._mine()


# --- Results ---------------------------------------------------------------------------------


@extend_schema_view(
    retrieve=extend_schema(
        summary="Read the results of a survey",
        description=(
            "Once the survey has closed: per indicator and direction (to_supplier is the "
            "client's view of the supplier, to_client the supplier's of the client) the number "
            "of raters, mean, median, min, max and spread; self-assessments and the perception "
            "gap; the change since the previous closed survey; the grades each way; and the "
            "motivations. Rater names of the other side show only when the partnership chose so. "
            "While the survey is not closed the results are sealed: 403, and no figures."
        ),
        responses={200: ResultsSerializer, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["surveys"], parameters=[SURVEY_ID])
class SurveyResultViewSet(_InSurveyMixin, viewsets.GenericViewSet):
    # One set of results per survey, so it lives at the collection URL (`PartnershipRouter`).

    router_singleton = True
    queryset = Survey.objects.none()  # only for the schema
    serializer_class = ResultsSerializer
    read_action = Action.READ
    write_action = Action.MANAGE

    def scoped_queryset(self, partnership):
        return selectors.surveys_for_partnership(partnership=partnership)

    def retrieve(self, request, *args, **kwargs):
        results = results_for(survey=self.survey, access=self.access)  # 403 until closed
        return Response(ResultsSerializer(results).data)
