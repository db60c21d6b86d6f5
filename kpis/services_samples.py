"""Inspections drawn from the register and recorded room by room.

`sample_draw` opens an inspection: per area type the lot is the partnership's rooms in use of
that type, the ISO 2859-1 plan gives the sample size, and that many distinct rooms are drawn at
random with a seed stored on the inspection. The draw is reproducible: the lot is ordered by
room code and each area type draws with its own `random.Random` seeded from the inspection's
seed and the area type, so the same seed over the same register gives the same rooms.

`room_result_record` writes one drawn room's result (the elements checked with their defects
by kind, or "not inspected" with a reason) and recomputes its area's totals, so
`InspectionArea` stays the single source the rest of the app reads. Each write carries the
client's key: a repeat of a key changes nothing and answers as the first time. `inspection_close`
fixes the result; only closed inspections count in scores and KPIs. A write after closing is an
`InspectionClosed` conflict.
"""

import datetime
import random
import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partnership.access import access_for
from partnership.models import Partnership
from places.models import Room

from . import sampling
from .models import (
    AreaType,
    DefectKind,
    Inspection,
    InspectionArea,
    RoomResultWrite,
    RoomState,
    SampledRoom,
)
from .services_inspections import _check_kind, area_plan, defect_photo_add, inspection_kpis_derive

# The elements an inspector checks per area type (VSR-KMS practice), in the order walked; the
# inspector may add another one in a room.
ELEMENTS = {
    AreaType.OFFICE: (
        _("Floor"),
        _("Desks and work surfaces"),
        _("Walls and doors"),
        _("Door handles and switches"),
        _("Windowsills"),
        _("Waste bins"),
    ),
    AreaType.SANITARY: (
        _("Floor"),
        _("Toilet"),
        _("Washbasin and taps"),
        _("Mirror"),
        _("Walls and tiles"),
        _("Door handles and switches"),
        _("Dispensers"),
        _("Waste bins"),
    ),
    AreaType.CORRIDOR: (
        _("Floor"),
        _("Stairs and handrails"),
        _("Walls and doors"),
        _("Door handles and switches"),
        _("Glass doors and partitions"),
    ),
    AreaType.PATIENT_ROOM: (
        _("Floor"),
        _("Bed and bedside table"),
        _("Washbasin and taps"),
        _("Mirror"),
        _("Walls and doors"),
        _("Door handles and switches"),
        _("Call button and rails"),
        _("Waste bins"),
    ),
    AreaType.KITCHEN: (
        _("Floor"),
        _("Worktop and sink"),
        _("Kitchen appliances"),
        _("Cupboard fronts"),
        _("Door handles and switches"),
        _("Waste bins"),
    ),
    AreaType.ENTRANCE: (
        _("Floor and doormat"),
        _("Reception desk"),
        _("Glass doors and partitions"),
        _("Seating"),
        _("Waste bins"),
    ),
    AreaType.OTHER: (
        _("Floor"),
        _("Walls and doors"),
        _("Door handles and switches"),
        _("Waste bins"),
    ),
}

# An element checked is either right or has a defect of one kind (dirt, method or material):
# the score is the share of elements without a defect, so a room never has more defects than
# elements checked.
MAX_DEFECTS_PER_KIND = 1
MAX_ELEMENTS = 40


class InspectionClosed(Exception):
    """A result was sent for an inspection that is already closed (HTTP 409)."""

    def __init__(self, inspection: Inspection):
        self.inspection = inspection
        super().__init__(
            gettext(
                "This inspection was closed on %(date)s; its result is fixed and this room's "
                "result was not recorded."
            )
            % {"date": timezone.localtime(inspection.closed_at).strftime("%d-%m-%Y %H:%M")}
        )


def elements_for(area_type: str) -> list[str]:
    return [str(name) for name in ELEMENTS.get(area_type, ELEMENTS[AreaType.OTHER])]


def _lots(*, partnership: Partnership, area_types) -> dict[str, list[int]]:
    """The room ids of each area type's lot: the partnership's rooms in use of that type, by
    code (the order the seed draws from), for all the types in one query."""
    lots: dict[str, list[int]] = {}
    rooms = Room.objects.in_use().filter(partnership=partnership, area_type__in=area_types)
    for area_type, room_id in rooms.order_by("code", "id").values_list("area_type", "id"):
        lots.setdefault(area_type, []).append(room_id)
    return lots


def lot_sizes(*, partnership: Partnership) -> dict[str, int]:
    """Rooms in use per area type, in one query (for the draw form)."""
    rows = (
        Room.objects.in_use()
        .filter(partnership=partnership)
        .values("area_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["area_type"]: row["n"] for row in rows}


def plan_for_lot(*, area_type: str, lot_size: int, aql=None) -> sampling.SamplingPlan:
    """The plan for a lot from the register. A lot of one room is inspected in full: the one
    room, accepted without a defect (Ac 0, Re 1)."""
    if lot_size == 1:
        aql = area_plan(area_type=area_type, lot_size=2, aql=aql).aql
        return sampling.SamplingPlan(
            lot_size=1,
            level=sampling.DEFAULT_LEVEL,
            aql=aql,
            code_letter="A",
            sample_size=1,
            accept=0,
            reject=1,
            plan_letter="A",
        )
    return area_plan(area_type=area_type, lot_size=lot_size, aql=aql)


def draw(seed: int, area_type: str, room_ids: list[int], size: int) -> list[int]:
    """The rooms drawn for one area type: `size` distinct ids from the lot (ordered by code),
    by a generator seeded from the inspection's seed and the area type."""
    rng = random.Random(f"{seed}:{area_type}")
    return rng.sample(room_ids, min(size, len(room_ids)))


@transaction.atomic
def sample_draw(
    *,
    actor,
    partnership: Partnership,
    kind: str,
    date: datetime.date,
    areas: list[dict],
    notes: str = "",
    seed: int | None = None,
) -> Inspection:
    """Open an inspection with rooms drawn from the register; `areas` is a list of
    {"area_type", "aql" (optional)}. Raises ValidationError naming every area type that
    cannot be drawn (unknown, twice, no rooms in use, an AQL outside the series)."""
    access = access_for(actor, partnership)
    if access.side is None:
        raise PermissionDenied
    _check_kind(access, kind)
    if not areas:
        raise ValidationError({"areas": _("Choose at least one area type to inspect.")})
    if date is None:
        raise ValidationError({"date": _("Enter the date of the inspection.")})
    seed = secrets.randbits(62) if seed is None else int(seed)
    errors: list[str] = []
    plans = []
    seen = set()
    lots = _lots(partnership=partnership, area_types={a.get("area_type") for a in areas})
    for data in areas:
        area_type = data.get("area_type")
        if area_type not in AreaType.values:
            errors.append(gettext("Choose a valid area type."))
            continue
        label = AreaType(area_type).label
        if area_type in seen:
            errors.append(gettext("%(area)s is chosen twice.") % {"area": label})
            continue
        seen.add(area_type)
        room_ids = lots.get(area_type, [])
        if not room_ids:
            errors.append(
                gettext(
                    "%(area)s: the register has no rooms of this type in use, so there is "
                    "nothing to draw. Add rooms on the places page or choose another type."
                )
                % {"area": label}
            )
            continue
        try:
            plan = plan_for_lot(area_type=area_type, lot_size=len(room_ids), aql=data.get("aql"))
        except ValidationError as exc:
            errors.append(f"{label}: {' '.join(exc.messages)}")
            continue
        plans.append((area_type, plan, room_ids))
    if errors:
        raise ValidationError({"areas": errors})
    inspection = Inspection.objects.create(
        partnership=partnership,
        kind=kind,
        date=date,
        inspector=actor,
        notes=notes,
        sample_seed=seed,
        created_by=actor,
    )
    rooms = []
    for area_type, plan, room_ids in plans:
        area = InspectionArea.objects.create(
            inspection=inspection,
            area_type=area_type,
            lot_size=plan.lot_size,
            aql=plan.aql,
            sample_size=plan.sample_size,
            accept=plan.accept,
            reject=plan.reject,
            rooms_inspected=0,
            elements_checked=0,
        )
        rooms.extend(
            SampledRoom(inspection=inspection, area=area, room_id=room_id, position=position)
            for position, room_id in enumerate(
                draw(seed, area_type, room_ids, plan.sample_size), start=1
            )
        )
    SampledRoom.objects.bulk_create(rooms)
    return inspection


def draw_notes(inspection: Inspection) -> list[str]:
    """What the inspector should know about the draw, per area: a full inspection (the sample
    reached the lot) or a lot of one room."""
    notes = []
    for area in inspection.areas.all():
        label = area.get_area_type_display()
        if area.lot_size == 1:
            notes.append(
                gettext(
                    "%(area)s: the register has one room of this type; it is inspected in "
                    "full and one defect rejects it."
                )
                % {"area": label}
            )
        elif area.sample_size >= area.lot_size:
            notes.append(
                gettext(
                    "%(area)s: the sample covers all %(n)s rooms of this type (a full inspection)."
                )
                % {"area": label, "n": area.lot_size}
            )
    return notes


def _check_recorder(actor, inspection: Inspection):
    """Who may record: a participant of the side whose kind of inspection it is (as
    `inspection_record` decides)."""
    access = access_for(actor, inspection.partnership)
    if access.side is None:
        raise PermissionDenied
    _check_kind(access, inspection.kind)
    return access


def _count(value, field: str) -> int:
    try:
        number = int(value or 0)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a whole number.")}) from None
    if number < 0 or number > MAX_DEFECTS_PER_KIND:
        raise ValidationError({field: _("Enter 0 or 1.")})
    return number


def clean_elements(elements) -> list[dict]:
    """The elements checked, each {"element", "dirt", "method", "material"}; names unique."""
    if not isinstance(elements, list) or not elements:
        raise ValidationError({"elements": _("Check at least one element of the room.")})
    if len(elements) > MAX_ELEMENTS:
        raise ValidationError(
            {"elements": _("At most %(max)s elements per room.") % {"max": MAX_ELEMENTS}}
        )
    cleaned, names = [], set()
    for item in elements:
        if not isinstance(item, dict):
            raise ValidationError({"elements": _("Each element needs a name and its defects.")})
        name = str(item.get("element") or "").strip()[:80]
        if not name:
            raise ValidationError({"elements": _("Each element needs a name.")})
        if name.casefold() in names:
            raise ValidationError(
                {"elements": _("%(element)s is listed twice.") % {"element": name}}
            )
        names.add(name.casefold())
        counts = {k: _count(item.get(k), "elements") for k in DefectKind.values}
        if sum(counts.values()) > 1:
            raise ValidationError(
                {"elements": _("%(element)s: choose one kind of defect.") % {"element": name}}
            )
        cleaned.append({"element": name, **counts})
    return cleaned


def room_result_data(sampled: SampledRoom) -> dict:
    """The answer to a result write and a row of the sample's list (also stored per key)."""
    return {
        "id": sampled.pk,
        "room": sampled.room_id,
        "area": sampled.area_id,
        "state": sampled.state,
        "elements": sampled.elements,
        "elements_checked": sampled.elements_checked,
        "defects_dirt": sampled.defects_dirt,
        "defects_method": sampled.defects_method,
        "defects_material": sampled.defects_material,
        "reason": sampled.reason,
        "note": sampled.note,
        "recorded_at": sampled.recorded_at.isoformat() if sampled.recorded_at else None,
        "photos": [p.pk for p in sampled.photos.all()],
    }


def area_recompute(area: InspectionArea) -> InspectionArea:
    """The area's totals as the sum of its inspected rooms (one query, one update)."""
    totals = area.sampled_rooms.filter(state=RoomState.INSPECTED).aggregate(
        rooms=Count("id"),
        elements=Sum("elements_checked"),
        dirt=Sum("defects_dirt"),
        method=Sum("defects_method"),
        material=Sum("defects_material"),
    )
    area.rooms_inspected = totals["rooms"]
    area.elements_checked = totals["elements"] or 0
    area.defects_dirt = totals["dirt"] or 0
    area.defects_method = totals["method"] or 0
    area.defects_material = totals["material"] or 0
    area.save(
        update_fields=[
            "rooms_inspected",
            "elements_checked",
            "defects_dirt",
            "defects_method",
            "defects_material",
        ]
    )
    return area


@transaction.atomic
def room_result_record(
    *,
    actor,
    sampled_room: SampledRoom,
    client_key,
    state: str,
    elements=None,
    reason: str = "",
    note: str = "",
    photos: list[tuple[str, object]] = (),
) -> tuple[dict, bool]:
    """Record a drawn room's result; returns (the result, whether this call wrote it).

    `photos` are (defect kind, upload) pairs. A key already used for this room returns the
    first answer and writes nothing, even after the inspection closed; a key used for another
    room is a ValidationError. Raises InspectionClosed for a new write on a closed inspection.
    """
    try:
        key = uuid.UUID(str(client_key))
    except (TypeError, ValueError, AttributeError):
        raise ValidationError({"client_key": _("Send a UUID as client_key.")}) from None
    # One writer per inspection at a time: the key check, the write and the totals agree.
    inspection = Inspection.objects.select_for_update().get(pk=sampled_room.inspection_id)
    _check_recorder(actor, inspection)
    earlier = RoomResultWrite.objects.filter(client_key=key).first()
    if earlier is not None:
        if earlier.sampled_room_id != sampled_room.pk:
            raise ValidationError(
                {"client_key": _("This client_key was already used for another room.")}
            )
        return earlier.response, False
    if inspection.closed_at is not None:
        raise InspectionClosed(inspection)
    sampled = SampledRoom.objects.select_related("area").get(pk=sampled_room.pk)
    if state == RoomState.INSPECTED:
        cleaned = clean_elements(elements)
        sampled.elements = cleaned
        sampled.elements_checked = len(cleaned)
        for kind in DefectKind.values:
            setattr(sampled, f"defects_{kind}", sum(e[kind] for e in cleaned))
        sampled.reason = ""
    elif state == RoomState.NOT_INSPECTED:
        reason = (reason or "").strip()[:300]
        if not reason:
            raise ValidationError({"reason": _("Say why the room was not inspected.")})
        if photos:
            raise ValidationError({"photos": _("A room not inspected has no defect photos.")})
        sampled.elements = []
        sampled.elements_checked = 0
        sampled.defects_dirt = sampled.defects_method = sampled.defects_material = 0
        sampled.reason = reason
    else:
        raise ValidationError({"state": _("Choose inspected or not inspected.")})
    sampled.state = state
    sampled.note = (note or "").strip()[:500]
    sampled.recorded_by = actor
    sampled.recorded_at = timezone.now()
    sampled.save()
    for kind, upload in photos:
        defect_photo_add(
            actor=actor, area=sampled.area, kind=kind, upload=upload, sampled_room=sampled
        )
    area_recompute(sampled.area)
    response = room_result_data(sampled)
    RoomResultWrite.objects.create(
        client_key=key, sampled_room=sampled, written_by=actor, response=response
    )
    return response, True


@transaction.atomic
def inspection_close(*, actor, inspection: Inspection) -> Inspection:
    """Fix the result of an inspection recorded room by room. Rooms still to inspect count as
    not inspected (the area's sample is then short). At least one room must be inspected."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _check_recorder(actor, inspection)
    if inspection.closed_at is not None:
        raise InspectionClosed(inspection)
    if not inspection.sampled_rooms.filter(state=RoomState.INSPECTED).exists():
        raise ValidationError(
            _("Record at least one inspected room before closing the inspection.")
        )
    inspection.closed_at = timezone.now()
    inspection.save(update_fields=["closed_at"])
    inspection_kpis_derive(partnership=inspection.partnership, day=inspection.date)
    return inspection
