"""KPI definitions and their measurements, per partnership."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnership import periods
from partnership.models import Partnership
from places.models import AreaType, Room  # area types are the rooms'; inspections use them

from .status import HIGHER, LOWER, kpi_status


class Direction(models.TextChoices):
    HIGHER = HIGHER, _("Higher is better")
    LOWER = LOWER, _("Lower is better")


class Frequency(models.TextChoices):
    MONTHLY = periods.MONTHLY, _("Monthly")
    QUARTERLY = periods.QUARTERLY, _("Quarterly")


class Source(models.TextChoices):
    SUPPLIER = "supplier", _("Reported by the supplier")
    CLIENT = "client", _("Measured by the client")
    INSPECTION = "inspection", _("Derived from inspections")


class InspectionMeasure(models.TextChoices):
    SCORE = "score", _("Quality score (share of elements without defect)")
    PASS_RATE = "pass_rate", _("Pass rate (share of areas approved)")


class KPI(models.Model):
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="kpis", verbose_name=_("partnership")
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    unit = models.CharField(_("unit"), max_length=30, blank=True, help_text=_("e.g. %, hours"))
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    tolerance = models.DecimalField(
        _("tolerance"),
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("How far from the target still counts as amber instead of red."),
    )
    frequency = models.CharField(
        _("frequency"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    source = models.CharField(
        _("source"), max_length=12, choices=Source.choices, default=Source.SUPPLIER
    )
    inspection_measure = models.CharField(
        _("inspection measure"),
        max_length=10,
        choices=InspectionMeasure.choices,
        default=InspectionMeasure.SCORE,
        help_text=_("For KPIs derived from inspections: which figure becomes the period value."),
    )
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("KPI")
        verbose_name_plural = _("KPIs")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "name"], name="kpi_name_unique"),
            models.CheckConstraint(condition=Q(tolerance__gte=0), name="kpi_tolerance_positive"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="kpi_weight_positive"),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="kpi_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="kpi_frequency_valid"
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="kpi_source_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    def status_of(self, value):
        return kpi_status(
            value, target=self.target, tolerance=self.tolerance, direction=self.direction
        )

    def period(self, text_or_date) -> periods.Period:
        if hasattr(text_or_date, "year"):
            return periods.Period.containing(text_or_date, self.frequency)
        return periods.Period.parse(text_or_date, self.frequency)


# What a manager defines of a KPI: the form, the API (read and write) and the services use this
# one list, so a field added to the model is offered everywhere at once.
KPI_FIELDS = (
    "name",
    "description",
    "unit",
    "direction",
    "target",
    "tolerance",
    "frequency",
    "source",
    "inspection_measure",
    "weight",
    "active",
)


class Measurement(models.Model):
    """One value of one KPI for one period (stored as the period's first day)."""

    kpi = models.ForeignKey(
        KPI, on_delete=models.CASCADE, related_name="measurements", verbose_name=_("KPI")
    )
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    evidence = models.FileField(_("evidence"), upload_to="evidence/", max_length=200, blank=True)
    evidence_name = models.CharField(max_length=150, blank=True)
    evidence_type = models.CharField(max_length=40, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["kpi", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start"], name="measurement_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(period_start__day=1), name="measurement_period_starts_on_first"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} ({self.period})"

    @property
    def version(self) -> str:
        """An entity tag of the stored value: replacing it needs this (If-Match) or a flag."""
        stamp = int(self.updated_at.timestamp() * 1_000_000) if self.updated_at else 0
        return f'"{self.pk}-{stamp}"'

    @property
    def period(self) -> periods.Period:
        return periods.Period(self.period_start, self.kpi.frequency)

    @property
    def status(self):
        return self.kpi.status_of(self.value)

    @property
    def open_dispute(self):
        """The unresolved dispute, from `selectors.open_disputes` when prefetched."""
        if hasattr(self, "open_disputes_list"):
            return self.open_disputes_list[0] if self.open_disputes_list else None
        return self.disputes.filter(resolved_at__isnull=True).first()


# The terms of a KPI that both sides agree on: a change by one side is a proposal to the other.
NORM_FIELDS = ("target", "tolerance", "weight")


class ProposalState(models.TextChoices):
    OPEN = "open", _("Awaiting the other side")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class NormProposal(models.Model):
    """A change of a KPI's norm (target, tolerance, weight) proposed by one side; the other
    side's manager accepts it (then it applies) or rejects it. One open proposal per KPI."""

    kpi = models.ForeignKey(
        KPI, on_delete=models.CASCADE, related_name="norm_proposals", verbose_name=_("KPI")
    )
    side = models.CharField(_("proposed by side"), max_length=16)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    old_target = models.DecimalField(_("old target"), max_digits=12, decimal_places=2)
    old_tolerance = models.DecimalField(_("old tolerance"), max_digits=12, decimal_places=2)
    old_weight = models.DecimalField(_("old weight"), max_digits=5, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    tolerance = models.DecimalField(_("tolerance"), max_digits=12, decimal_places=2)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    reason = models.TextField(_("reason"), blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ProposalState.choices, default=ProposalState.OPEN
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    created_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("norm proposal")
        verbose_name_plural = _("norm proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi"],
                condition=Q(state="open"),
                name="normproposal_one_open_per_kpi",
            ),
            models.CheckConstraint(
                condition=Q(state__in=ProposalState.values), name="normproposal_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(side__in=["client", "supplier"]), name="normproposal_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(tolerance__gte=0) & Q(weight__gt=0), name="normproposal_norm_valid"
            ),
            models.CheckConstraint(
                condition=Q(state="open") | Q(decided_at__isnull=False),
                name="normproposal_decided_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.old_target} → {self.target}"

    @property
    def is_open(self) -> bool:
        return self.state == ProposalState.OPEN

    @property
    def changes(self) -> list[tuple[str, Decimal, Decimal]]:
        """(field, old, new) for each norm field the proposal changes."""
        return [
            (field, getattr(self, f"old_{field}"), getattr(self, field))
            for field in NORM_FIELDS
            if getattr(self, f"old_{field}") != getattr(self, field)
        ]


class AlertKind(models.TextChoices):
    RED = "red", _("Turned red")
    MISSING = "missing", _("Value missing")


class KPIAlert(models.Model):
    """A row per alert sent: the unique constraint is what makes sending happen only once."""

    kpi = models.ForeignKey(KPI, on_delete=models.CASCADE, related_name="alerts")
    period_start = models.DateField()
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("KPI alert")
        verbose_name_plural = _("KPI alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start", "kind"], name="kpialert_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kpi} {self.period_start:%Y-%m} {self.kind}"


class InspectionKind(models.TextChoices):
    DKS = "dks", _("Supplier self-check (DKS)")
    KMS = "kms", _("Client control (KMS)")
    INDEPENDENT = "independent", _("Independent inspection")


# The AQL usually agreed per area type (VSR-KMS practice); a partnership may choose otherwise.
DEFAULT_AQL = {
    AreaType.SANITARY: Decimal("4.0"),
    AreaType.PATIENT_ROOM: Decimal("4.0"),
    AreaType.KITCHEN: Decimal("4.0"),
    AreaType.OFFICE: Decimal("6.5"),
    AreaType.CORRIDOR: Decimal("6.5"),
    AreaType.ENTRANCE: Decimal("6.5"),
    AreaType.OTHER: Decimal("6.5"),
}


class Inspection(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="inspections",
        verbose_name=_("partnership"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=InspectionKind.choices)
    date = models.DateField(_("date"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )
    notes = models.TextField(_("notes"), blank=True)
    # The seed of the random draw of rooms from the register (`sample_rooms`), stored so the same
    # draw can be made again and checked; empty for an inspection entered as totals.
    sample_seed = models.BigIntegerField(_("seed of the drawn sample"), null=True, blank=True)
    # An inspection drawn from the register is recorded room by room and open until closed;
    # only closed inspections count in scores and KPIs. One entered as totals is closed at once.
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InspectionKind.values), name="inspection_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date:%Y-%m-%d}"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class InspectionArea(models.Model):
    """One area type inspected: its lot, the ISO 2859-1 plan used, and what was found."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="areas", verbose_name=_("inspection")
    )
    area_type = models.CharField(_("area type"), max_length=20, choices=AreaType.choices)
    lot_size = models.PositiveIntegerField(_("rooms of this type"))
    aql = models.DecimalField(_("AQL"), max_digits=6, decimal_places=3)
    sample_size = models.PositiveIntegerField(_("proposed sample size"))
    accept = models.PositiveIntegerField(_("acceptance number"))
    reject = models.PositiveIntegerField(_("rejection number"))
    rooms_inspected = models.PositiveIntegerField(_("rooms inspected"))
    elements_checked = models.PositiveIntegerField(_("elements checked"))
    defects_dirt = models.PositiveIntegerField(_("dirt defects"), default=0)
    defects_method = models.PositiveIntegerField(_("method defects"), default=0)
    defects_material = models.PositiveIntegerField(_("material defects"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspected area")
        verbose_name_plural = _("inspected areas")
        ordering = ["id"]
        constraints = [
            # A lot of one room (drawn from the register) is inspected in full; an area drawn
            # but not yet recorded, or with every room "not inspected", has nothing counted yet.
            models.CheckConstraint(condition=Q(lot_size__gte=1), name="area_lot_at_least_one"),
            models.CheckConstraint(
                condition=Q(rooms_inspected__lte=models.F("lot_size")),
                name="area_rooms_within_lot",
            ),
            models.CheckConstraint(
                condition=Q(elements_checked__gte=1) | Q(rooms_inspected=0),
                name="area_elements_checked",
            ),
            models.CheckConstraint(
                condition=Q(
                    elements_checked__gte=models.F("defects_dirt")
                    + models.F("defects_method")
                    + models.F("defects_material")
                ),
                name="area_defects_within_elements",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_area_type_display()} ({self.inspection})"

    @property
    def defects(self) -> int:
        return self.defects_dirt + self.defects_method + self.defects_material

    @property
    def passed(self) -> bool:
        """The lot is accepted when the defects found do not exceed the acceptance number."""
        return self.defects <= self.accept

    @property
    def sample_short(self) -> bool:
        """Fewer rooms inspected than the sampling plan asks: the verdict is not conclusive."""
        return self.rooms_inspected < self.sample_size

    @property
    def score(self) -> Decimal | None:
        """Percentage of checked elements without a defect (None while nothing was checked)."""
        if not self.elements_checked:
            return None
        return (
            Decimal(100) * (self.elements_checked - self.defects) / self.elements_checked
        ).quantize(Decimal("0.1"))


class RoomState(models.TextChoices):
    PENDING = "pending", _("To inspect")
    INSPECTED = "inspected", _("Inspected")
    NOT_INSPECTED = "not_inspected", _("Not inspected")


class SampledRoom(models.Model):
    """A room drawn from the register for an inspected area type: the rooms the inspector walks.

    Drawn at random per area type from the rooms in use of that type (the lot), as many as the
    ISO 2859-1 plan's sample size, with the inspection's stored seed; `position` is the order of
    the draw. A room is drawn at most once per inspection.
    """

    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        related_name="sampled_rooms",
        verbose_name=_("inspection"),
    )
    area = models.ForeignKey(
        InspectionArea,
        on_delete=models.CASCADE,
        related_name="sampled_rooms",
        verbose_name=_("inspected area"),
    )
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="+", verbose_name=_("room")
    )
    position = models.PositiveIntegerField(_("position in the draw"))
    # It reaches its partnership through the inspection and through the room (the same one):
    # the scoping base follows the inspection.
    scope_paths = {"partnership.Partnership": "inspection__partnership"}
    # The room's result, written by `room_result_record` (the area's totals are their sum).
    state = models.CharField(
        _("state"), max_length=14, choices=RoomState.choices, default=RoomState.PENDING
    )
    # [{"element": "Vloer", "dirt": 0, "method": 1, "material": 0}, …]: every element checked.
    elements = models.JSONField(_("elements checked"), default=list, blank=True)
    elements_checked = models.PositiveIntegerField(_("elements checked"), default=0)
    defects_dirt = models.PositiveIntegerField(_("dirt defects"), default=0)
    defects_method = models.PositiveIntegerField(_("method defects"), default=0)
    defects_material = models.PositiveIntegerField(_("material defects"), default=0)
    reason = models.CharField(_("reason not inspected"), max_length=300, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    class Meta:
        verbose_name = _("drawn room")
        verbose_name_plural = _("drawn rooms")
        ordering = ["area_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "room"], name="sampled_room_once_per_inspection"
            ),
            models.UniqueConstraint(
                fields=["area", "position"], name="sampled_room_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(state__in=RoomState.values), name="sampled_room_state_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=RoomState.NOT_INSPECTED) | ~Q(reason=""),
                name="sampled_room_reason_when_not_inspected",
            ),
            models.CheckConstraint(
                condition=Q(
                    elements_checked__gte=models.F("defects_dirt")
                    + models.F("defects_method")
                    + models.F("defects_material")
                ),
                name="sampled_room_defects_within_elements",
            ),
        ]

    def __str__(self) -> str:
        return str(self.room)

    @property
    def defects(self) -> int:
        return self.defects_dirt + self.defects_method + self.defects_material


class RoomResultWrite(models.Model):
    """One write of a drawn room's result, by the client's key: a repeat of the key changes
    nothing and gets the first answer back (a tablet's queue may send a result twice)."""

    client_key = models.UUIDField(unique=True)
    sampled_room = models.ForeignKey(SampledRoom, on_delete=models.CASCADE, related_name="writes")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)
    response = models.JSONField()

    class Meta:
        verbose_name = _("room result write")
        verbose_name_plural = _("room result writes")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.client_key)


class Dispute(models.Model):
    """The other side contests a measurement or an inspection; it stays disputed until someone
    with the role resolves it with a note. Exactly one of `measurement` / `inspection` is set."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="disputes",
        verbose_name=_("partnership"),
    )
    measurement = models.ForeignKey(
        Measurement,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("measurement"),
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="disputes",
        verbose_name=_("inspection"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    side = models.CharField(_("side"), max_length=16)
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("raised"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(measurement__isnull=False) & Q(inspection__isnull=True))
                | (Q(measurement__isnull=True) & Q(inspection__isnull=False)),
                name="dispute_exactly_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | ~Q(resolution=""),
                name="dispute_resolution_has_note",
            ),
        ]

    def __str__(self) -> str:
        return str(self.measurement or self.inspection)

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class DisputeComment(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    side = models.CharField(max_length=16)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:50]


class DefectKind(models.TextChoices):
    DIRT = "dirt", _("Dirt")
    METHOD = "method", _("Method")
    MATERIAL = "material", _("Material")


class DefectPhoto(models.Model):
    """A photo of a defect found in an inspected area; stored under a random name and served
    only through the access-checked view."""

    area = models.ForeignKey(
        InspectionArea,
        on_delete=models.CASCADE,
        related_name="photos",
        verbose_name=_("inspected area"),
    )
    # The drawn room the photo was taken in, when recorded room by room.
    sampled_room = models.ForeignKey(
        SampledRoom,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("drawn room"),
    )
    kind = models.CharField(_("defect"), max_length=10, choices=DefectKind.choices)
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    image = models.FileField(_("photo"), upload_to="inspections/", max_length=200)
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=150, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("defect photo")
        verbose_name_plural = _("defect photos")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.caption or self.get_kind_display()
