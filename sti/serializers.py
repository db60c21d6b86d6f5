"""API serializers of indicators, indicator sets, surveys, the caller's response and results.

They validate shapes; `sti.services` and `sti.services_surveys` decide and write. The partnership,
the set of an indicator, the survey of a response and the actor come from the URL and the request,
never from a body.

Sealing: no serializer here nests a `Response` or a `Rating` except `OwnResponseSerializer`, which
the API only ever feeds the caller's own response. Other people's scores reach the API solely as
the aggregated `sti.results` of a closed survey.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnership.api_input import StrictModelSerializer, StrictSerializer
from partnership.models import Side

from .models import Indicator, IndicatorSet, RatedSide, Rating, SignOff, Survey, SurveyState
from .models import Response as SurveyResponse

# Values only, so the schema's RatingSideEnum (ENUM_NAME_OVERRIDES) matches in every language;
# labelled like the contact sides, it would take their enum's name.
RATING_SIDE_CHOICES = [Side.CLIENT.value, Side.SUPPLIER.value]
SET_STATUS_CHOICES = [
    ("draft", _("Draft")),
    ("in_use", _("In use")),
    ("superseded", _("Superseded")),
]


def _name(user) -> str | None:
    return user.display_name if user is not None else None


def _lines(behaviours: list[str]) -> str:
    return "\n".join(line.strip() for line in behaviours if line.strip())


# --- Indicators ------------------------------------------------------------------------------


class LibraryIndicatorSerializer(StrictSerializer):
    key = serializers.CharField(
        read_only=True, help_text=_("Send it as library_key to add this indicator to a draft.")
    )
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    behaviours = serializers.ListField(child=serializers.CharField(), read_only=True)


class IndicatorSerializer(StrictModelSerializer):
    behaviours = serializers.ListField(
        source="behaviour_list",
        child=serializers.CharField(),
        read_only=True,
        help_text=_("Behaviours that show the indicator, one per item."),
    )

    class Meta:
        model = Indicator
        fields = [
            "id",
            "lineage",
            "library_key",
            "position",
            "name",
            "meaning",
            "behaviours",
            "rated_side",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "lineage": {"help_text": _("Stays the same across versions of the set.")},
        }


class IndicatorCreateSerializer(StrictSerializer):
    """Add an indicator to a draft: from the library (its texts as a start) or custom."""

    library_key = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text=_("Key of a library indicator; leave out for a custom one (then give a name)."),
    )
    name = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    meaning = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What this indicator means in this partnership."),
    )
    behaviours = serializers.ListField(
        child=serializers.CharField(allow_blank=True), required=False, default=list
    )
    rated_side = serializers.ChoiceField(choices=RatedSide.choices, default=RatedSide.BOTH)

    def validate_behaviours(self, value):
        return _lines(value)


class IndicatorUpdateSerializer(StrictSerializer):
    """Change an indicator of a draft. Fields left out of a PATCH stay as they are."""

    name = serializers.CharField(allow_blank=True, max_length=200)
    meaning = serializers.CharField(allow_blank=True)
    behaviours = serializers.ListField(child=serializers.CharField(allow_blank=True))
    rated_side = serializers.ChoiceField(choices=RatedSide.choices)

    def validate_behaviours(self, value):
        return _lines(value)


# --- Indicator sets --------------------------------------------------------------------------


class SignOffSerializer(StrictModelSerializer):
    user = serializers.SerializerMethodField(help_text=_("Name of who signed, if still known."))

    class Meta:
        model = SignOff
        fields = ["side", "user", "signed_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_user(self, sign_off) -> str | None:
        return _name(sign_off.user)


class IndicatorSetSerializer(StrictModelSerializer):
    status = serializers.SerializerMethodField(
        help_text=_("draft: being agreed; in_use: signed off by both sides; superseded: replaced.")
    )
    created_by = serializers.SerializerMethodField()
    indicators = IndicatorSerializer(many=True, read_only=True)
    sign_offs = SignOffSerializer(many=True, read_only=True)

    class Meta:
        model = IndicatorSet
        fields = [
            "id",
            "version",
            "status",
            "note",
            "created_by",
            "created_at",
            "adopted_at",
            "superseded_at",
            "indicators",
            "sign_offs",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=SET_STATUS_CHOICES))
    def get_status(self, indicator_set) -> str:
        if indicator_set.is_draft:
            return "draft"
        return "in_use" if indicator_set.is_current else "superseded"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_created_by(self, indicator_set) -> str | None:
        return _name(indicator_set.created_by)


class IndicatorSetCreateSerializer(StrictSerializer):
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("What changes in this version, for the people who sign it off."),
    )


# --- Surveys ---------------------------------------------------------------------------------


class SideRateSerializer(StrictSerializer):
    submitted = serializers.IntegerField(read_only=True)
    eligible = serializers.IntegerField(read_only=True)


class ResponseRateSerializer(StrictSerializer):
    """How many submitted, of how many who rate. Counts only, never scores."""

    client = SideRateSerializer(read_only=True)
    supplier = SideRateSerializer(read_only=True)
    total = SideRateSerializer(read_only=True)
    percent = serializers.IntegerField(read_only=True)


class SurveySerializer(StrictModelSerializer):
    """A quarter's survey, with its response rate and, once closed, the grades each way."""

    # The response rate is read from `context["response_rates"][survey.pk]`, so a list page
    # counts for all its surveys at once.

    period = serializers.SerializerMethodField(help_text=_("The quarter, e.g. 2026-Q3."))
    indicator_set_version = serializers.IntegerField(source="indicator_set.version", read_only=True)
    response_rate = serializers.SerializerMethodField()
    grade_to_supplier = serializers.SerializerMethodField(
        help_text=_("The client's overall grade of the supplier; only once closed.")
    )
    grade_to_client = serializers.SerializerMethodField(
        help_text=_("The supplier's overall grade of the client; only once closed.")
    )

    class Meta:
        model = Survey
        fields = [
            "id",
            "period",
            "period_start",
            "opens_at",
            "closes_at",
            "state",
            "opened_at",
            "closed_at",
            "indicator_set",
            "indicator_set_version",
            "response_rate",
            "grade_to_supplier",
            "grade_to_client",
            "created_at",
        ]
        read_only_fields = fields

    def get_period(self, survey) -> str:
        return survey.period.label

    @extend_schema_field(ResponseRateSerializer)
    def get_response_rate(self, survey) -> dict:
        return ResponseRateSerializer(self.context["response_rates"][survey.pk]).data

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True))
    def get_grade_to_supplier(self, survey) -> str | None:
        return _kept(survey, survey.grade_to_supplier)

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True))
    def get_grade_to_client(self, survey) -> str | None:
        return _kept(survey, survey.grade_to_client)


def _kept(survey: Survey, grade) -> str | None:
    if survey.state != SurveyState.CLOSED or grade is None:
        return None
    return serializers.DecimalField(max_digits=4, decimal_places=2).to_representation(grade)


class SurveyDetailSerializer(SurveySerializer):
    indicators = IndicatorSerializer(
        source="indicator_set.indicators",
        many=True,
        read_only=True,
        help_text=_("The questionnaire: the indicators of the set this survey uses."),
    )

    class Meta(SurveySerializer.Meta):
        fields = [*SurveySerializer.Meta.fields, "indicators"]
        read_only_fields = fields


class SurveyCreateSerializer(StrictSerializer):
    period = serializers.CharField(
        max_length=20, help_text=_("The quarter, e.g. 2026-Q3, or any date inside it.")
    )
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    open = serializers.BooleanField(
        default=False,
        help_text=_("Open the survey at once (and notify everyone who rates)."),
    )


# --- The caller's own response ---------------------------------------------------------------


class OwnRatingSerializer(StrictModelSerializer):
    class Meta:
        model = Rating
        fields = ["indicator", "rated_side", "score", "motivation"]
        read_only_fields = fields


class OwnResponseSerializer(StrictModelSerializer):
    """Your own answers in a survey, as a draft or submitted."""

    # The seal: the API only ever feeds this the caller's own response.

    submitted = serializers.BooleanField(source="is_submitted", read_only=True)
    ratings = serializers.SerializerMethodField()

    class Meta:
        model = SurveyResponse
        fields = ["id", "survey", "side", "submitted", "submitted_at", "updated_at", "ratings"]
        read_only_fields = fields
        extra_kwargs = {"id": {"allow_null": True}, "updated_at": {"allow_null": True}}

    @extend_schema_field(OwnRatingSerializer(many=True))
    def get_ratings(self, response) -> list:
        if response.pk is None:  # not started yet: an empty questionnaire
            return []
        return OwnRatingSerializer(response.ratings.all(), many=True).data


class RatingInputSerializer(StrictSerializer):
    """One answer. Score ranges and required motivations are checked by the service, which
    reports them as `score-<indicator>-<rated_side>` / `motivation-<indicator>-<rated_side>`."""

    indicator = serializers.IntegerField(help_text=_("An indicator of this survey's set."))
    rated_side = serializers.ChoiceField(
        choices=RATING_SIDE_CHOICES,
        help_text=_("The other side for a rating, your own side for a self-assessment."),
    )
    score = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=_("1 to 10, or null to clear.")
    )
    motivation = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required with a score of 5 or lower, or of 9 or higher."),
    )


class OwnResponseInputSerializer(StrictSerializer):
    ratings = serializers.ListField(child=RatingInputSerializer(), required=False, default=list)
    submit = serializers.BooleanField(
        default=False,
        help_text=_("true: submit (every rating of the other side needs a score); false: draft."),
    )


# --- Results ---------------------------------------------------------------------------------


def _decimal(**kwargs):
    return serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True, **kwargs)


class FiguresSerializer(StrictSerializer):
    n = serializers.IntegerField(read_only=True, help_text=_("Number of raters."))
    mean = _decimal()
    median = _decimal()
    min = serializers.IntegerField(read_only=True)
    max = serializers.IntegerField(read_only=True)
    spread = _decimal(help_text=_("Standard deviation of the scores."))


class MotivationSerializer(StrictSerializer):
    rater_side = serializers.ChoiceField(choices=RATING_SIDE_CHOICES, read_only=True)
    rated_side = serializers.ChoiceField(choices=RATING_SIDE_CHOICES, read_only=True)
    score = serializers.IntegerField(read_only=True, allow_null=True)
    text = serializers.CharField(read_only=True)
    rater_name = serializers.SerializerMethodField(
        help_text=_("Who wrote it; null when the partnership keeps names from your side.")
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rater_name(self, motivation) -> str | None:
        return motivation.rater_name or None


class IndicatorResultSerializer(StrictSerializer):
    id = serializers.IntegerField(source="indicator.id", read_only=True)
    lineage = serializers.UUIDField(source="indicator.lineage", read_only=True)
    name = serializers.CharField(source="indicator.name", read_only=True)
    rated_side = serializers.ChoiceField(
        source="indicator.rated_side", choices=RatedSide.choices, read_only=True
    )
    to_supplier = FiguresSerializer(read_only=True, allow_null=True)
    to_client = FiguresSerializer(read_only=True, allow_null=True)
    self_supplier = FiguresSerializer(read_only=True, allow_null=True)
    self_client = FiguresSerializer(read_only=True, allow_null=True)
    change_to_supplier = _decimal(allow_null=True)
    change_to_client = _decimal(allow_null=True)
    gap_supplier = _decimal(
        allow_null=True,
        help_text=_("The supplier's self-assessment minus the client's view of it."),
    )
    gap_client = _decimal(
        allow_null=True,
        help_text=_("The client's self-assessment minus the supplier's view of it."),
    )
    motivations = MotivationSerializer(many=True, read_only=True)


class RatersSerializer(StrictSerializer):
    client = serializers.IntegerField(read_only=True)
    supplier = serializers.IntegerField(read_only=True)


class ResultsSerializer(StrictSerializer):
    survey = serializers.IntegerField(source="survey.id", read_only=True)
    period = serializers.SerializerMethodField()
    previous_period = serializers.SerializerMethodField(
        help_text=_("The closed survey changes are measured against, if any.")
    )
    grade_to_supplier = _decimal(allow_null=True)
    grade_to_client = _decimal(allow_null=True)
    change_to_supplier = _decimal(allow_null=True)
    change_to_client = _decimal(allow_null=True)
    raters = RatersSerializer(read_only=True, help_text=_("Submitted responses per side."))
    indicators = IndicatorResultSerializer(many=True, read_only=True)

    def get_period(self, results) -> str:
        return results.survey.period.label

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_previous_period(self, results) -> str | None:
        return results.previous.period.label if results.previous else None
