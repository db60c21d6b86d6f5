"""API serializers of KPIs and measurements. They validate shapes; the services decide and write.

The partnership, the KPI of a measurement and the actor come from the URL and the request, never
from a body. Statuses are computed by `KPI.status_of` (that is, `kpi_status`), never here.
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from partnership.api_input import StrictModelSerializer, StrictSerializer
from partnership.models import Service

from .models import KPI, KPI_FIELDS, Direction, Frequency, Measurement, NormProposal, Source
from .services_bulk import MAX_ROWS
from .status import STATUS_LABELS, Status

STATUS_CHOICES = [(status.value, STATUS_LABELS[status]) for status in Status]


def _status_field(**kwargs):
    return serializers.ChoiceField(
        choices=STATUS_CHOICES,
        read_only=True,
        help_text=_("green: on target; amber: within tolerance; red: off target; missing."),
        **kwargs,
    )


# --- KPIs ------------------------------------------------------------------------------------


class KPISerializer(StrictModelSerializer):
    """A KPI with its most recent measurement (read from the list's annotations)."""

    latest_period = serializers.SerializerMethodField(
        help_text=_("Label of the newest period with a value, e.g. 2026-03 or 2026-Q1.")
    )
    latest_value = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True, allow_null=True
    )
    latest_status = serializers.SerializerMethodField()

    class Meta:
        model = KPI
        fields = [
            "id",
            *KPI_FIELDS,
            "created_at",
            "latest_period",
            "latest_value",
            "latest_status",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_latest_period(self, kpi) -> str | None:
        start = getattr(kpi, "latest_period_start", None)
        return kpi.period(start).label if start else None

    @extend_schema_field(_status_field())
    def get_latest_status(self, kpi) -> str:
        return kpi.status_of(getattr(kpi, "latest_value", None)).value


class KPIWriteSerializer(StrictModelSerializer):
    """Define or change a KPI. Fields left out of a PATCH stay as they are."""

    class Meta:
        model = KPI
        fields = list(KPI_FIELDS)
        validators = []  # name uniqueness is the service's (case-insensitive, per partnership)


class KPITemplateSerializer(StrictSerializer):
    key = serializers.CharField(read_only=True, help_text=_("Send it to from-library to copy."))
    service = serializers.ChoiceField(choices=Service.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    unit = serializers.CharField(read_only=True)
    direction = serializers.ChoiceField(choices=Direction.choices, read_only=True)
    target = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    tolerance = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    frequency = serializers.ChoiceField(choices=Frequency.choices, read_only=True)
    source = serializers.ChoiceField(choices=Source.choices, read_only=True)


class KPIFromLibrarySerializer(StrictSerializer):
    key = serializers.CharField(
        max_length=100, help_text=_("Key of a template from the library, e.g. cleaning.complaints.")
    )


# --- Measurements ----------------------------------------------------------------------------


class MeasurementSerializer(StrictModelSerializer):
    period = serializers.SerializerMethodField(help_text=_("e.g. 2026-03 or 2026-Q1."))
    status = serializers.SerializerMethodField()
    entered_by = serializers.SerializerMethodField(help_text=_("Name of who entered the value."))

    class Meta:
        model = Measurement
        fields = [
            "id",
            "kpi",
            "period",
            "period_start",
            "value",
            "note",
            "status",
            "entered_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    version = serializers.CharField(
        read_only=True,
        help_text=_(
            "Entity tag of the stored value; send it as If-Match to replace exactly this value."
        ),
    )

    def get_period(self, measurement) -> str:
        return measurement.period.label

    @extend_schema_field(_status_field())
    def get_status(self, measurement) -> str:
        return measurement.status.value

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_entered_by(self, measurement) -> str | None:
        return measurement.entered_by.display_name if measurement.entered_by else None


def validate_number(value) -> str:
    """A finite number (the service parses it; NaN and Infinity are not values)."""
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise serializers.ValidationError(_("Enter a number.")) from None
    if not number.is_finite():
        raise serializers.ValidationError(_("Enter a number."))
    return str(value)


@extend_schema_field({"oneOf": [{"type": "string", "maxLength": 30}, {"type": "number"}]})
class _NumberField(serializers.CharField):
    """A number as JSON sends it, or as text ("96,5" too); the service parses it."""


class MeasurementInputSerializer(StrictSerializer):
    period = serializers.CharField(
        max_length=20, help_text=_("2026-03 for a monthly KPI, 2026-Q1 for a quarterly one.")
    )
    value = _NumberField(
        max_length=30,
        help_text=_("A number with at most two decimals, e.g. 96.5."),
        validators=[validate_number],
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    overwrite = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "true to replace a value already stored for the period. Without it (or an If-Match "
            "header with the stored value's version) such a request answers 409."
        ),
    )


class MeasurementConflictSerializer(StrictSerializer):
    detail = serializers.CharField(help_text=_("What is stored, in the user's language."))
    current = MeasurementSerializer(help_text=_("The value stored for the period now."))
    how_to_overwrite = serializers.CharField(
        help_text=_("Send overwrite: true, or If-Match with current.version.")
    )


# --- Norm proposals --------------------------------------------------------------------------


class NormProposalSerializer(StrictModelSerializer):
    proposed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = NormProposal
        fields = [
            "id",
            "kpi",
            "side",
            "state",
            "old_target",
            "old_tolerance",
            "old_weight",
            "target",
            "tolerance",
            "weight",
            "reason",
            "proposed_by",
            "created_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_proposed_by(self, proposal) -> str | None:
        return proposal.proposed_by.display_name if proposal.proposed_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_decided_by(self, proposal) -> str | None:
        return proposal.decided_by.display_name if proposal.decided_by else None


class NormProposalInputSerializer(StrictSerializer):
    target = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    tolerance = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, min_value=Decimal(0)
    )
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class NormDecisionSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class KPIChangeAcceptedSerializer(StrictSerializer):
    kpi = KPISerializer(help_text=_("The KPI with the changes that applied at once."))
    norm_proposal = NormProposalSerializer(
        help_text=_("The norm change, waiting for the other side's manager.")
    )


# --- Bulk ------------------------------------------------------------------------------------


class BulkMeasurementRowSerializer(StrictSerializer):
    """Documents a row; rows are checked by the bulk service, which reports them by number."""

    kpi = serializers.JSONField(
        help_text=_("The KPI's id, or its exact name, within this partnership.")
    )
    period = serializers.CharField(help_text=_("2026-03 (monthly) or 2026-Q1 (quarterly)."))
    value = serializers.CharField(help_text=_("A number with at most two decimals."))
    note = serializers.CharField(required=False, allow_blank=True)


class _UncheckedRows(serializers.ListField):
    """Checks the list itself (length); the rows go to the service untouched, which reports
    their errors by row number instead of DRF's list of per-item errors."""

    def run_child_validation(self, data):
        return list(data)


class BulkMeasurementsSerializer(StrictSerializer):
    overwrite = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_(
            "true to let rows replace values already stored with a different value. Without it "
            "such rows are errors (nothing is written) and say what is stored."
        ),
    )
    measurements = _UncheckedRows(
        child=BulkMeasurementRowSerializer(),
        allow_empty=False,
        max_length=MAX_ROWS,
        error_messages={
            "max_length": _("Send at most {max_length} rows at a time."),
            "empty": _("Send at least one row."),
        },
    )


class BulkResultSerializer(StrictSerializer):
    created = serializers.IntegerField(help_text=_("Rows for a period that had no value yet."))
    updated = serializers.IntegerField(help_text=_("Rows that replaced an existing value."))


@extend_schema_field(OpenApiTypes.OBJECT)
class _RowErrorsField(serializers.DictField):
    pass


class BulkErrorsSerializer(StrictSerializer):
    rows = _RowErrorsField(
        required=False,
        help_text=_(
            "Errors per row number (1 is the first row sent), each a list of messages per field, "
            'e.g. {"3": {"value": ["Enter a number."]}}.'
        ),
    )
    measurements = serializers.ListField(child=serializers.CharField(), required=False)
