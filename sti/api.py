"""REST API v1 of cooperation indicators and surveys, nested under /api/v1/partnerships/<uuid>/.

Every viewset subclasses `PartnershipScopedAPIMixin`: the partnership comes from the URL through
the access rule (404 for outsiders, 403 for insiders without the role) and every queryset from
`scoped_queryset`. An indicator set or survey named in a URL is looked up inside that partnership
before the role check, so another partnership's id answers 404 whatever the method. Writes go
through `sti.services` / `sti.services_surveys`.

Sealing: the responses endpoints only ever load the caller's own response, and results come from
`sti.results.results_for`, which refuses (403) a survey that has not closed.
"""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
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

from config.api_errors import error_responses
from partnership.access import Action
from partnership.api_base import PartnershipScopedAPIMixin
from partnership.api_lookup import get_in_scope_or_404

from . import library, selectors, services, services_surveys
from .models import Indicator, IndicatorSet, SignOff, Survey, SurveyState
from .models import Response as SurveyResponse
from .results import results_for
from .serializers import (
    IndicatorCreateSerializer,
    IndicatorSerializer,
    IndicatorSetCreateSerializer,
    IndicatorSetSerializer,
    IndicatorUpdateSerializer,
    LibraryIndicatorSerializer,
    OwnResponseInputSerializer,
    OwnResponseSerializer,
    ResultsSerializer,
    SurveyCreateSerializer,
    SurveyDetailSerializer,
    SurveySerializer,
)

READ_ERRORS = error_responses(401, 404)
WRITE_ERRORS = error_responses(400, 401, 403, 404)
ID_REGEX = r"[0-9]+"  # ids only, so "library" and "mine" never reach a detail route

INDICATOR_SET_ID = OpenApiParameter(
    "indicator_set_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="An indicator set (version) of this partnership.",
)
SURVEY_ID = OpenApiParameter(
    "survey_id",
    OpenApiTypes.INT,
    OpenApiParameter.PATH,
    description="A survey of this partnership.",
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
        fresh = self.scoped_queryset(self.partnership).get(pk=indicator_set.pk)
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


# --- Surveys ---------------------------------------------------------------------------------


class SurveyFilter(filters.FilterSet):
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
        fresh = self.scoped_queryset(self.partnership).get(pk=survey.pk)  # with the indicators
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
