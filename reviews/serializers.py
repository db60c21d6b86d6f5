"""Serializers of the review rounds API: separate output and input shapes.

Output serializers never carry scores while a round's questionnaire is open (only response
counts); grades appear once the survey has closed. Input serializers take related objects by id
and never resolve them: the views re-resolve every id inside the partnership of the URL.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnership.api_input import QuerySerializer, StrictModelSerializer, StrictSerializer
from partnership.serializers import UserSummarySerializer
from sti.models import SurveyState
from sti.serializers import ResponseRateSerializer

from .models import (
    ActionItem,
    ActionOrigin,
    ActionStatus,
    AgendaItem,
    AgendaKind,
    Decision,
    ReviewRound,
    RoundState,
    Session,
)

GRADE = serializers.DecimalField(max_digits=4, decimal_places=2)

# --- Rounds ----------------------------------------------------------------------------------


class SessionSerializer(StrictModelSerializer):
    planned_by = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("Id of the user who planned the session.")
    )
    sequence = serializers.IntegerField(
        read_only=True, help_text=_("Raised each time the invitation changes.")
    )
    video_url = serializers.CharField(read_only=True)  # a link, or empty: not always a URI

    class Meta:
        model = Session
        fields = [
            "starts_at",
            "ends_at",
            "location",
            "video_url",
            "note",
            "planned_by",
            "sequence",
            "invited_at",
            "held_at",
            "updated_at",
        ]
        read_only_fields = fields


class ReportInfoSerializer(StrictSerializer):
    edition = serializers.IntegerField(
        read_only=True, help_text=_("Raised by each publication of the round.")
    )
    published_at = serializers.DateTimeField(read_only=True)
    pdf_url = serializers.CharField(
        read_only=True, help_text=_("The frozen PDF, in the reader's language.")
    )


class RoundSerializer(StrictModelSerializer):
    """A review round with its window, response counts and, once closed, the grades."""

    # Response rates are read from `context["response_rates"][survey_id]` so a page of rounds
    # counts for all its surveys at once.

    period = serializers.CharField(
        source="label", read_only=True, help_text=_("The period, e.g. 2026-Q2.")
    )
    response_rate = serializers.SerializerMethodField(
        help_text=_("Who submitted, of who rates; counts only. Null without a questionnaire.")
    )
    grade_to_supplier = serializers.SerializerMethodField(
        help_text=_("The client's overall grade of the supplier; only once closed.")
    )
    grade_to_client = serializers.SerializerMethodField(
        help_text=_("The supplier's overall grade of the client; only once closed.")
    )
    session = SessionSerializer(
        read_only=True, allow_null=True, help_text=_("The session, once planned.")
    )
    report = serializers.SerializerMethodField(help_text=_("The report, while published."))
    open_action_count = serializers.IntegerField(
        source="open_actions",
        read_only=True,
        help_text=_("Open and in-progress actions agreed in this round."),
    )

    class Meta:
        model = ReviewRound
        fields = [
            "id",
            "period",
            "period_start",
            "period_end",
            "state",
            "opens_at",
            "closes_at",
            "opened_at",
            "closed_at",
            "discussed_at",
            "published_at",
            "reopen_count",
            "survey",
            "response_rate",
            "grade_to_supplier",
            "grade_to_client",
            "session",
            "report",
            "open_action_count",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ResponseRateSerializer(allow_null=True))
    def get_response_rate(self, review_round) -> dict | None:
        if review_round.survey_id is None:
            return None
        rate = self.context["response_rates"].get(review_round.survey_id)
        return ResponseRateSerializer(rate).data if rate is not None else None

    def _grade(self, review_round, name: str) -> str | None:
        survey = review_round.survey
        if not review_round.results_open or survey is None or survey.state != SurveyState.CLOSED:
            return None
        value = getattr(survey, name)
        return None if value is None else GRADE.to_representation(value)

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True))
    def get_grade_to_supplier(self, review_round) -> str | None:
        return self._grade(review_round, "grade_to_supplier")

    @extend_schema_field(serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True))
    def get_grade_to_client(self, review_round) -> str | None:
        return self._grade(review_round, "grade_to_client")

    @extend_schema_field(ReportInfoSerializer(allow_null=True))
    def get_report(self, review_round) -> dict | None:
        if review_round.state != RoundState.PUBLISHED:
            return None
        pdf_url = reverse(
            "partnership-round-report-pdf",
            kwargs={"partnership_id": review_round.partnership_id, "round_id": review_round.pk},
        )
        return {
            "edition": review_round.report_edition,
            "published_at": serializers.DateTimeField().to_representation(
                review_round.published_at
            ),
            "pdf_url": pdf_url,
        }


class RoundReopenSerializer(StrictSerializer):
    reason = serializers.CharField(
        max_length=2000, help_text=_("Why the round goes one step back; kept on record.")
    )


class SessionInputSerializer(StrictSerializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)
    video_url = serializers.URLField(max_length=500, required=False, default="", allow_blank=True)
    note = serializers.CharField(
        max_length=5000,
        required=False,
        default="",
        allow_blank=True,
        help_text=_("A note for the participants, sent with the invitation."),
    )


# --- Agenda and decisions --------------------------------------------------------------------


class AgendaItemSerializer(StrictModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "position",
            "kind",
            "title",
            "details",
            "minutes",
            "indicator",
            "kpi",
            "dispute",
            "action",
            "created_at",
        ]
        read_only_fields = fields


class AgendaItemCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    details = serializers.CharField(max_length=5000, required=False, default="", allow_blank=True)
    kind = serializers.ChoiceField(choices=AgendaKind.choices, default=AgendaKind.OTHER)


class AgendaItemUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    details = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    minutes = serializers.CharField(
        max_length=20000,
        required=False,
        allow_blank=True,
        help_text=_("What was said about this item in the session."),
    )


class AgendaItemMoveSerializer(StrictSerializer):
    position = serializers.IntegerField(
        min_value=1, max_value=10000, help_text=_("The new place on the agenda, from 1.")
    )


class DecisionSerializer(StrictModelSerializer):
    created_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = Decision
        fields = ["id", "agenda_item", "text", "created_by", "created_at"]
        read_only_fields = fields


class DecisionCreateSerializer(StrictSerializer):
    text = serializers.CharField(max_length=5000)
    agenda_item = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Id of an agenda item of this round the decision belongs to."),
    )


# --- Actions ---------------------------------------------------------------------------------


class ActionSerializer(StrictModelSerializer):
    owner = UserSummarySerializer(read_only=True)
    created_by = UserSummarySerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(
        help_text=_("Still open or in progress after its due date.")
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "description",
            "owner",
            "owner_side",
            "due_date",
            "status",
            "overdue",
            "origin",
            "round",
            "agenda_item",
            "kpi",
            "dispute",
            "thread",
            "created_by",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_overdue(self, action) -> bool:
        return action.is_overdue(self.context["today"])


def _id_field(help_text):
    return serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text=help_text
    )


class ActionCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(
        max_length=5000, required=False, default="", allow_blank=True
    )
    owner = serializers.IntegerField(
        help_text=_("Id of a participant of the client or supplier side who owns the action.")
    )
    due_date = serializers.DateField()
    origin = serializers.ChoiceField(choices=ActionOrigin.choices, default=ActionOrigin.MANUAL)
    round = _id_field(_("Id of a review round of this partnership."))
    agenda_item = _id_field(_("Id of an agenda item of that round."))
    kpi = _id_field(_("Id of a KPI of this partnership."))
    dispute = _id_field(_("Id of a dispute of this partnership."))
    thread = _id_field(_("Id of a hub thread of this partnership both sides can read."))


class ActionUpdateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    owner = serializers.IntegerField(
        required=False,
        help_text=_("Id of a participant of the client or supplier side who owns the action."),
    )
    due_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)


class ActionQuerySerializer(QuerySerializer):
    status = serializers.ChoiceField(
        choices=ActionStatus.choices,
        required=False,
        help_text=_("A status; `open` lists open and in-progress actions."),
    )
    owner = serializers.IntegerField(required=False, help_text=_("A user id."))
    round = serializers.IntegerField(required=False, help_text=_("A round id."))
    origin = serializers.ChoiceField(choices=ActionOrigin.choices, required=False)
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true: only overdue actions; false: none that are overdue."),
    )
