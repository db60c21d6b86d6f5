"""Every state change of KPIs and measurements. Keyword-only, one transaction each."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for, require_action
from partnership.models import Partnership, Side
from partnership.notifications import enqueue_after_commit

from . import library
from .models import KPI, KPI_FIELDS, Direction, Frequency, Measurement, Source
from .status import Status


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    return number


def _validate_kpi(kpi: KPI) -> None:
    errors = {}
    if not kpi.name.strip():
        errors["name"] = _("Enter a name.")
    for field, choices in (("direction", Direction), ("frequency", Frequency), ("source", Source)):
        if getattr(kpi, field) not in choices.values:
            errors[field] = _("Choose a valid option.")
    if kpi.tolerance is not None and Decimal(kpi.tolerance) < 0:
        errors["tolerance"] = _("The tolerance cannot be negative.")
    if kpi.weight is not None and Decimal(kpi.weight) <= 0:
        errors["weight"] = _("The weight must be more than zero.")
    clash = KPI.objects.filter(partnership=kpi.partnership, name__iexact=kpi.name.strip())
    if clash.exclude(pk=kpi.pk).exists():
        errors["name"] = _("This partnership already has a KPI with this name.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def kpi_create(*, actor, partnership: Partnership, **fields) -> KPI:
    require_action(actor, partnership, Action.MANAGE)
    kpi = KPI(partnership=partnership, **{k: v for k, v in fields.items() if k in KPI_FIELDS})
    for field in ("target", "tolerance", "weight"):
        if field in fields and fields[field] is not None:
            setattr(kpi, field, _decimal(fields[field], field))
    _validate_kpi(kpi)
    kpi.full_clean(exclude=["partnership"])
    kpi.save()
    return kpi


@transaction.atomic
def kpi_update(*, actor, kpi: KPI, **fields) -> KPI:
    require_action(actor, kpi.partnership, Action.MANAGE)
    for name in KPI_FIELDS:
        if name in fields:
            value = fields[name]
            if name in ("target", "tolerance", "weight"):
                value = _decimal(value, name)
            setattr(kpi, name, value)
    _validate_kpi(kpi)
    kpi.full_clean(exclude=["partnership"])
    kpi.save()
    return kpi


@transaction.atomic
def kpi_copy_from_library(*, actor, partnership: Partnership, key: str) -> KPI:
    """Copy a library template into the partnership, named in the actor's language."""
    template = library.template(key)
    if template is None:
        raise ValidationError({"key": _("Unknown KPI template.")})
    return kpi_create(
        actor=actor,
        partnership=partnership,
        name=str(template.name),
        description=str(template.description),
        unit=template.unit,
        direction=template.direction,
        target=template.target,
        tolerance=template.tolerance,
        frequency=template.frequency,
        source=template.source,
    )


def measurement_report_require(access, kpi: KPI) -> None:
    """Who enters a value depends on the KPI's source; inspection KPIs are derived."""
    if kpi.source == Source.INSPECTION:
        raise ValidationError(
            {"value": _("This KPI is derived from inspections; record an inspection instead.")}
        )
    if not access.can(Action.PARTICIPATE):
        raise PermissionDenied
    expected = Side.SUPPLIER if kpi.source == Source.SUPPLIER else Side.CLIENT
    if access.side != expected:
        raise PermissionDenied(
            _("Only the supplier reports this KPI.")
            if expected == Side.SUPPLIER
            else _("Only the client measures this KPI.")
        )


@transaction.atomic
def measurement_record(
    *, actor, kpi: KPI, period, value, note: str = "", evidence=None
) -> Measurement:
    """Enter or correct the value of one KPI for one period (an upsert on the pair).

    `evidence` is an optional uploaded PDF or photo backing the value; it replaces an earlier one.
    """
    access = access_for(actor, kpi.partnership)
    if access.side is None:
        raise PermissionDenied
    measurement_report_require(access, kpi)
    if not kpi.active:
        raise ValidationError({"kpi": _("This KPI is no longer active.")})
    try:
        period = kpi.period(period)
    except ValueError:
        example = "2026-03" if kpi.frequency == Frequency.MONTHLY else "2026-Q1"
        raise ValidationError(
            {"period": _("Enter a period like %(example)s.") % {"example": example}}
        ) from None
    value = _decimal(value, "value")
    if value.as_tuple().exponent < -2 or abs(value) >= Decimal(10) ** 10:
        raise ValidationError({"value": _("Enter a number with at most two decimals.")})
    evidence_meta = _check_evidence(evidence) if evidence is not None else None
    measurement = (
        Measurement.objects.select_for_update().filter(kpi=kpi, period_start=period.start).first()
    )
    if measurement is None:
        measurement = Measurement(kpi=kpi, period_start=period.start)
    measurement.value, measurement.note, measurement.entered_by = value, note, actor
    try:
        with transaction.atomic():
            measurement.save()
    except IntegrityError:  # a concurrent insert of the same pair: update that one instead
        measurement = Measurement.objects.select_for_update().get(
            kpi=kpi, period_start=period.start
        )
        measurement.value, measurement.note, measurement.entered_by = value, note, actor
        measurement.save()
    if evidence_meta is not None:
        _attach_evidence(measurement, evidence, *evidence_meta)
    if measurement.status == Status.RED:
        from .tasks import send_red_alert

        enqueue_after_commit(send_red_alert, measurement.pk)
    return measurement


def _check_evidence(upload) -> tuple[str, str]:
    from django.conf import settings

    from partnership.uploads import validate_document

    try:
        return validate_document(upload, settings.UPLOAD_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError({"evidence": exc.messages}) from None


def _attach_evidence(measurement: Measurement, upload, extension: str, content_type: str) -> None:
    from partnership.uploads import display_name, random_name

    measurement.evidence_name = display_name(upload.name, f"evidence.{extension}")
    measurement.evidence_type = content_type
    measurement.evidence.save(random_name("x", extension).split("/", 1)[1], upload, save=False)
    measurement.save(update_fields=["evidence", "evidence_name", "evidence_type", "updated_at"])
