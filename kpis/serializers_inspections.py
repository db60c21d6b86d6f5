"""API serializers of inspections and disputes. They validate shapes; the services decide and write.

The partnership and the actor come from the URL and the request, never from a body. A measurement
or inspection named in a dispute's body is re-resolved inside the URL's partnership (the
`partnership` of the serializer context); any other id is "unknown". Scores and verdicts come from
the model and `inspection_scores`, never from here.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnership.api_input import QuerySerializer, StrictModelSerializer, StrictSerializer
from partnership.models import Side

from . import selectors
from .models import AreaType, Dispute, DisputeComment, Inspection, InspectionArea, InspectionKind
from .sampling import AQL_VALUES
from .services_inspections import inspection_scores

AQL_HELP = _(
    "Acceptable quality level from the ISO 2859-1 series (e.g. 4.0 or 6.5); "
    "left out: the usual AQL of the area type."
)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "enum": [str(value) for value in AQL_VALUES],
        "nullable": True,
    }
)
class _AqlField(serializers.DecimalField):
    """An AQL of the ISO 2859-1 series; the schema lists them (any other is a 400)."""


def _aql_field():
    return _AqlField(
        max_digits=7, decimal_places=3, required=False, allow_null=True, help_text=AQL_HELP
    )


def _name(user) -> str | None:
    return user.display_name if user else None


def _percentage(**kwargs):
    return serializers.DecimalField(
        max_digits=5, decimal_places=1, read_only=True, allow_null=True, **kwargs
    )


# --- Inspections: output ---------------------------------------------------------------------


class InspectionAreaSerializer(StrictModelSerializer):
    """An inspected area type: the plan used (sample size, Ac, Re), what was found, the verdict."""

    defects = serializers.IntegerField(read_only=True, help_text=_("All defects found."))
    passed = serializers.BooleanField(
        read_only=True, help_text=_("The defects found do not exceed the acceptance number.")
    )
    score = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=_(
            "Percentage of checked elements without a defect; null while nothing was checked "
            "(an inspection still being recorded room by room)."
        ),
    )
    sample_short = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Fewer rooms were inspected than the sample size: the verdict is not conclusive."
        ),
    )

    class Meta:
        model = InspectionArea
        fields = [
            "id",
            "area_type",
            "lot_size",
            "aql",
            "sample_size",
            "accept",
            "reject",
            "rooms_inspected",
            "elements_checked",
            "defects_dirt",
            "defects_method",
            "defects_material",
            "defects",
            "passed",
            "sample_short",
            "score",
        ]
        read_only_fields = fields


class InspectionSerializer(StrictModelSerializer):
    """An inspection with its areas (read from the prefetched areas: no query per row)."""

    inspector = serializers.SerializerMethodField(help_text=_("Name of who inspected."))
    score = serializers.SerializerMethodField(
        help_text=_("Percentage of all checked elements without a defect.")
    )
    pass_rate = serializers.SerializerMethodField(
        help_text=_("Percentage of the inspected areas that passed.")
    )
    areas = InspectionAreaSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "kind",
            "date",
            "inspector",
            "notes",
            "score",
            "pass_rate",
            "areas",
            "sample_seed",
            "closed_at",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_inspector(self, inspection) -> str | None:
        return _name(inspection.inspector)

    @extend_schema_field(_percentage())
    def get_score(self, inspection):
        return self._figure(inspection, "score")

    @extend_schema_field(_percentage())
    def get_pass_rate(self, inspection):
        return self._figure(inspection, "pass_rate")

    @staticmethod
    def _figure(inspection, key: str) -> str | None:
        value = inspection_scores([inspection])[key]
        return None if value is None else str(value)


# --- Inspections: input ----------------------------------------------------------------------


class InspectionAreaInputSerializer(StrictSerializer):
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    lot_size = serializers.IntegerField(
        min_value=2, help_text=_("Rooms of this type in the lot (at least 2).")
    )
    aql = _aql_field()
    rooms_inspected = serializers.IntegerField(
        min_value=1, help_text=_("Rooms actually inspected (at most the lot size).")
    )
    elements_checked = serializers.IntegerField(min_value=1)
    defects_dirt = serializers.IntegerField(min_value=0, default=0)
    defects_method = serializers.IntegerField(min_value=0, default=0)
    defects_material = serializers.IntegerField(min_value=0, default=0)


class InspectionInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(
        choices=InspectionKind.choices,
        help_text=_("dks is recorded by the supplier, kms by the client."),
    )
    date = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    areas = InspectionAreaInputSerializer(
        many=True,
        allow_empty=False,
        error_messages={"empty": _("Add at least one inspected area.")},
        help_text=_("One entry per area type; the sampling plan is proposed by Tandem."),
    )


class PlanQuerySerializer(QuerySerializer):
    area_type = serializers.ChoiceField(choices=AreaType.choices)
    lot_size = serializers.IntegerField(min_value=2, help_text=_("Rooms of this type."))
    aql = _aql_field()


class PlanSerializer(StrictSerializer):
    code_letter = serializers.CharField(read_only=True, help_text=_("ISO 2859-1 Table I letter."))
    sample_size = serializers.IntegerField(read_only=True, help_text=_("Rooms to inspect."))
    accept = serializers.IntegerField(read_only=True, help_text=_("Acceptance number (Ac)."))
    reject = serializers.IntegerField(read_only=True, help_text=_("Rejection number (Re)."))
    aql = serializers.DecimalField(max_digits=6, decimal_places=3, read_only=True)


# --- Disputes --------------------------------------------------------------------------------


class DisputeCommentSerializer(StrictModelSerializer):
    author = serializers.SerializerMethodField()
    side = serializers.ChoiceField(choices=Side.choices, read_only=True)

    class Meta:
        model = DisputeComment
        fields = ["id", "author", "side", "text", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_author(self, comment) -> str | None:
        return _name(comment.author)


class DisputeSerializer(StrictModelSerializer):
    subject = serializers.SerializerMethodField(help_text=_("What is disputed, in words."))
    raised_by = serializers.SerializerMethodField()
    side = serializers.ChoiceField(
        choices=Side.choices, read_only=True, help_text=_("The side that raised it.")
    )
    is_open = serializers.BooleanField(read_only=True)
    resolved_by = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "measurement",
            "inspection",
            "subject",
            "raised_by",
            "side",
            "reason",
            "created_at",
            "is_open",
            "resolved_at",
            "resolved_by",
            "resolution",
        ]
        read_only_fields = fields

    def get_subject(self, dispute) -> str:
        return str(dispute)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_raised_by(self, dispute) -> str | None:
        return _name(dispute.raised_by)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_resolved_by(self, dispute) -> str | None:
        return _name(dispute.resolved_by)


class DisputeDetailSerializer(DisputeSerializer):
    comments = DisputeCommentSerializer(many=True, read_only=True)

    class Meta(DisputeSerializer.Meta):
        fields = [*DisputeSerializer.Meta.fields, "comments"]
        read_only_fields = fields


class DisputeRaiseSerializer(StrictSerializer):
    """Name exactly one subject, by id; it must belong to the partnership of the URL."""

    measurement = serializers.IntegerField(
        required=False, help_text=_("A measurement of this partnership.")
    )
    inspection = serializers.IntegerField(
        required=False, help_text=_("An inspection of this partnership.")
    )
    reason = serializers.CharField(help_text=_("Why you dispute it."))

    def validate_measurement(self, value):
        partnership = self.context["partnership"]
        found = selectors.measurements_for_partnership(partnership=partnership).filter(pk=value)
        return self._one(found, _("Unknown measurement."))

    def validate_inspection(self, value):
        partnership = self.context["partnership"]
        found = (
            selectors.inspections_for_partnership(partnership=partnership)
            .prefetch_related(None)  # the subject only; its areas are not needed
            .filter(pk=value)
        )
        return self._one(found, _("Unknown inspection."))

    @staticmethod
    def _one(queryset, message):
        subject = queryset.first()
        if subject is None:
            raise serializers.ValidationError(message)
        return subject

    def validate(self, attrs):
        subjects = [attrs[k] for k in ("measurement", "inspection") if attrs.get(k) is not None]
        if len(subjects) != 1:
            raise serializers.ValidationError(
                _("Name either a measurement or an inspection to dispute.")
            )
        return {"subject": subjects[0], "reason": attrs["reason"]}


class DisputeCommentInputSerializer(StrictSerializer):
    text = serializers.CharField()


class DisputeResolveSerializer(StrictSerializer):
    resolution = serializers.CharField(help_text=_("How it was resolved; stays with the history."))
