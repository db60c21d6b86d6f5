"""Every state change of KPIs and measurements. Keyword-only, one transaction each."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from partnership import periods
from partnership.access import Action, access_for, require_action
from partnership.models import Partnership, Side

from . import library
from .models import (
    KPI,
    KPI_FIELDS,
    NORM_FIELDS,
    Direction,
    Frequency,
    Measurement,
    NormProposal,
    Source,
)
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
def kpi_update(*, actor, kpi: KPI, reason: str = "", **fields) -> tuple[KPI, NormProposal | None]:
    """Change a KPI. The other fields apply at once; a changed norm (target, tolerance,
    weight) becomes a proposal to the other side (`services_norms`), returned beside the KPI."""
    from .services_norms import norm_changes, norm_propose

    require_action(actor, kpi.partnership, Action.MANAGE)
    # The stored row, not the caller's object: a ModelForm has already copied its input onto
    # that one, and the norm must be compared with what is agreed.
    kpi = KPI.objects.select_for_update().select_related("partnership").get(pk=kpi.pk)
    norm = {}
    for name in NORM_FIELDS:
        if name in fields and fields[name] is not None:
            norm[name] = _decimal(fields[name], name)
    norm = norm_changes(kpi, norm)
    for name in KPI_FIELDS:
        if name in fields and name not in NORM_FIELDS:
            setattr(kpi, name, fields[name])
    _validate_kpi(kpi)
    kpi.full_clean(exclude=["partnership"])
    kpi.save()
    proposal = norm_propose(actor=actor, kpi=kpi, reason=reason, **norm) if norm else None
    return kpi, proposal


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


class OverwriteRequired(ValidationError):
    """The period already has a value and the caller did not confirm replacing it (or confirmed
    a value that has changed since). `existing` is the stored measurement."""

    def __init__(self, existing: Measurement, *, stale: bool = False):
        self.existing, self.stale = existing, stale
        params = {"period": existing.period.label, "value": number_format(existing.value)}
        message = (
            _("The value for %(period)s changed in the meantime; it is now %(value)s.")
            if stale
            else _("%(period)s already has the value %(value)s.")
        )
        super().__init__({"period": [message % params]})


def period_parse(kpi: KPI, text) -> periods.Period:
    """The KPI's period named by `text`, or a ValidationError saying what is expected."""
    try:
        return kpi.period(text)
    except (ValueError, TypeError):
        example = "2026-03" if kpi.frequency == Frequency.MONTHLY else "2026-Q1"
        raise ValidationError(
            {"period": _("Enter a period like %(example)s.") % {"example": example}}
        ) from None


def period_ended_require(period: periods.Period, today: datetime.date | None = None) -> None:
    """A value is entered once its period is over: a period still running or to come is refused."""
    today = today or timezone.localdate()
    if period.end >= today:
        raise ValidationError(
            {
                "period": _("%(period)s has not ended yet; its value can be entered from %(date)s.")
                % {"period": period.label, "date": date_format(period.next().start)}
            }
        )


def value_parse(raw) -> Decimal:
    value = _decimal(raw, "value")
    if value.as_tuple().exponent < -2 or abs(value) >= Decimal(10) ** 10:
        raise ValidationError({"value": _("Enter a number with at most two decimals.")})
    return value


@transaction.atomic
def measurement_record(
    *,
    actor,
    kpi: KPI,
    period,
    value,
    note: str = "",
    evidence=None,
    overwrite: bool = False,
    if_match: str | None = None,
) -> Measurement:
    """Enter or correct the value of one KPI for one ended period.

    Replacing a stored value needs `overwrite=True` or `if_match` equal to that value's
    `version`; otherwise `OverwriteRequired` says what is stored. `evidence` is an optional
    uploaded PDF or photo backing the value; it replaces an earlier one.
    """
    access = access_for(actor, kpi.partnership)
    if access.side is None:
        raise PermissionDenied
    measurement_report_require(access, kpi)
    if not kpi.active:
        raise ValidationError({"kpi": _("This KPI is no longer active.")})
    period = period_parse(kpi, period)
    period_ended_require(period)
    value = value_parse(value)
    evidence_meta = _check_evidence(evidence) if evidence is not None else None
    measurement = (
        Measurement.objects.select_for_update().filter(kpi=kpi, period_start=period.start).first()
    )
    if measurement is None:
        measurement = Measurement(kpi=kpi, period_start=period.start)
        try:
            measurement.value, measurement.note, measurement.entered_by = value, note, actor
            with transaction.atomic():
                measurement.save()
        except IntegrityError:  # a concurrent insert of the same pair: that one is stored now
            measurement = Measurement.objects.select_for_update().get(
                kpi=kpi, period_start=period.start
            )
            _replace_require(measurement, overwrite=overwrite, if_match=None)
            measurement.value, measurement.note, measurement.entered_by = value, note, actor
            measurement.save()
    else:
        _replace_require(measurement, overwrite=overwrite, if_match=if_match)
        measurement.value, measurement.note, measurement.entered_by = value, note, actor
        measurement.save()
    if evidence_meta is not None:
        _attach_evidence(measurement, evidence, *evidence_meta)
    if measurement.status == Status.RED:
        from .alerts import red_alert_send

        # In this transaction: the alert's claim and its e-mails (the outbox) stand with the value.
        red_alert_send(measurement_id=measurement.pk)
    return measurement


def _replace_require(measurement: Measurement, *, overwrite: bool, if_match: str | None) -> None:
    if if_match:
        if if_match.strip() not in ("*", measurement.version):
            raise OverwriteRequired(measurement, stale=True)
    elif not overwrite:
        raise OverwriteRequired(measurement)


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
