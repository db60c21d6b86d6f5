"""Recording inspections (VSR-KMS style, ISO 2859-1 single sampling) and deriving KPI values.

An inspection covers one or more area types. For each, Tandem proposes the sample size from the
lot (rooms of that type) and the agreed AQL, records what was checked and found, and decides
pass/fail against the plan's acceptance number. KPIs whose source is "inspection" get their
period value from the inspections of that period, written as an ordinary measurement so the
board, the API, exports and alerts treat it like any other value.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for
from partnership.models import Partnership, Side
from partnership.periods import Period

from . import sampling
from .models import (
    DEFAULT_AQL,
    KPI,
    AreaType,
    Inspection,
    InspectionArea,
    InspectionKind,
    InspectionMeasure,
    Measurement,
    Source,
)
from .status import Status

AREA_COUNTS = ("defects_dirt", "defects_method", "defects_material")


def _int(value, field: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < minimum:
        raise ValidationError({field: _("Enter %(min)s or more.") % {"min": minimum}})
    return number


def area_plan(*, area_type: str, lot_size, aql=None) -> sampling.SamplingPlan:
    """The sampling plan Tandem proposes for an area type (normal inspection, level II)."""
    if area_type not in AreaType.values:
        raise ValidationError({"area_type": _("Choose a valid area type.")})
    aql = DEFAULT_AQL[area_type] if aql in (None, "") else aql
    try:
        return sampling.plan_for(_int(lot_size, "lot_size", 2), aql)
    except ValueError:
        raise ValidationError({"aql": _("Choose an AQL from the standard's series.")}) from None


def _check_kind(access, kind: str) -> None:
    if kind not in InspectionKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of inspection.")})
    if not access.can(Action.PARTICIPATE):
        raise PermissionDenied
    if kind == InspectionKind.DKS and access.side != Side.SUPPLIER:
        raise PermissionDenied(_("A self-check (DKS) is recorded by the supplier."))
    if kind == InspectionKind.KMS and access.side != Side.CLIENT:
        raise PermissionDenied(_("A client control (KMS) is recorded by the client."))


def _build_area(inspection: Inspection, number: int, data: dict) -> InspectionArea:
    plan = area_plan(
        area_type=data.get("area_type"), lot_size=data.get("lot_size"), aql=data.get("aql")
    )
    area = InspectionArea(
        inspection=inspection,
        area_type=data["area_type"],
        lot_size=plan.lot_size,
        aql=plan.aql,
        sample_size=plan.sample_size,
        accept=plan.accept,
        reject=plan.reject,
        rooms_inspected=_int(data.get("rooms_inspected"), "rooms_inspected", 1),
        elements_checked=_int(data.get("elements_checked"), "elements_checked", 1),
        **{name: _int(data.get(name, 0), name) for name in AREA_COUNTS},
    )
    if area.rooms_inspected > area.lot_size:
        raise ValidationError({"rooms_inspected": _("More rooms inspected than there are.")})
    if area.defects > area.elements_checked:
        raise ValidationError({"elements_checked": _("More defects than elements checked.")})
    return area


@transaction.atomic
def inspection_record(
    *,
    actor,
    partnership: Partnership,
    kind: str,
    date: datetime.date,
    areas: list[dict],
    notes: str = "",
) -> Inspection:
    access = access_for(actor, partnership)
    if access.side is None:
        raise PermissionDenied
    _check_kind(access, kind)
    if not areas:
        raise ValidationError({"areas": _("Add at least one inspected area.")})
    inspection = Inspection.objects.create(
        partnership=partnership,
        kind=kind,
        date=date,
        inspector=actor,
        notes=notes,
        created_by=actor,
        closed_at=timezone.now(),  # entered afterwards as totals: its result is fixed
    )
    errors = {}
    built = []
    for number, data in enumerate(areas, start=1):
        try:
            built.append(_build_area(inspection, number, data))
        except ValidationError as exc:
            errors[str(number)] = exc.message_dict
    if errors:
        raise ValidationError(
            {
                "areas": [
                    _("Area %(n)s: %(errors)s")
                    % {"n": n, "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in e.items())}
                    for n, e in errors.items()
                ]
            }
        )
    InspectionArea.objects.bulk_create(built)
    inspection_kpis_derive(partnership=partnership, day=date)
    return inspection


def inspection_scores(inspections) -> dict:
    """Score (% of elements without defect) and pass rate (% of areas approved) over a set of
    inspections, or None values when there is nothing to score. Inspections still being
    recorded room by room (not closed) and areas where nothing was checked do not count."""
    areas = [
        a
        for i in inspections
        if i.closed_at is not None
        for a in i.areas.all()
        if a.elements_checked
    ]
    if not areas:
        return {"score": None, "pass_rate": None, "areas": 0}
    elements = sum(a.elements_checked for a in areas)
    clean = sum(a.elements_checked - a.defects for a in areas)
    passed = sum(1 for a in areas if a.passed)
    return {
        "score": (Decimal(100) * clean / elements).quantize(Decimal("0.1")),
        "pass_rate": (Decimal(100) * passed / len(areas)).quantize(Decimal("0.1")),
        "areas": len(areas),
    }


def inspection_kpis_derive(
    *, partnership: Partnership, day: datetime.date, alert: bool = True
) -> list[Measurement]:
    """Write the period value of every inspection-sourced KPI for the period containing `day`.

    `alert=False` is for loading history (demo data), where old red periods need no alert."""
    written = []
    kpis = KPI.objects.filter(partnership=partnership, source=Source.INSPECTION, active=True)
    for kpi in kpis:
        period = Period.containing(day, kpi.frequency)
        inspections = Inspection.objects.filter(
            partnership=partnership,
            date__gte=period.start,
            date__lte=period.end,
            closed_at__isnull=False,
        ).prefetch_related("areas")
        figures = inspection_scores(inspections)
        key = "pass_rate" if kpi.inspection_measure == InspectionMeasure.PASS_RATE else "score"
        if figures[key] is None:
            continue
        measurement, _created = Measurement.objects.update_or_create(
            kpi=kpi,
            period_start=period.start,
            defaults={
                "value": figures[key],
                "note": str(_("Derived from %(n)s inspected areas.") % {"n": figures["areas"]}),
                "entered_by": None,
            },
        )
        if alert and measurement.status == Status.RED:
            from .alerts import red_alert_send

            red_alert_send(measurement_id=measurement.pk)  # with its e-mails, in this transaction
        written.append(measurement)
    return written


@transaction.atomic
def defect_photo_add(
    *, actor, area: InspectionArea, kind: str, upload, caption: str = "", sampled_room=None
):
    """Attach a photo of a defect; the image is checked by content and stored under a random
    name. Anyone who may record inspections in the partnership may add one."""
    from django.conf import settings

    from partnership.uploads import display_name, random_name, validate_image

    from .models import DefectKind, DefectPhoto

    access = access_for(actor, area.inspection.partnership)
    if access.side is None or not access.can(Action.PARTICIPATE):
        raise PermissionDenied
    if kind not in DefectKind.values:
        raise ValidationError({"kind": _("Choose a valid kind of defect.")})
    if sampled_room is not None and sampled_room.area_id != area.pk:
        raise ValidationError({"sampled_room": _("That room was not drawn for this area.")})
    extension, content_type = validate_image(upload, settings.PHOTO_MAX_BYTES)
    photo = DefectPhoto(
        area=area,
        sampled_room=sampled_room,
        kind=kind,
        caption=caption.strip()[:200],
        content_type=content_type,
        original_name=display_name(upload.name, f"photo.{extension}"),
        uploaded_by=actor,
    )
    photo.image.save(random_name("inspections", extension).split("/", 1)[1], upload, save=False)
    photo.save()
    return photo
