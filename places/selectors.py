"""Reads of the register, each scoped by the partnership it is given."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from partnership.models import Partnership

from .models import AreaType, Building, Room

SORTS = {
    "place": ("floor__building__code", "floor__code", "code"),
    "code": ("code",),
    "name": ("name", "code"),
    "type": ("area_type", "code"),
    "area": ("-floor_area", "code"),
}


def rooms_for_partnership(
    *,
    partnership: Partnership,
    retired: bool = False,
    area_type: str = "",
    building_id: int | None = None,
    q: str = "",
    sort: str = "place",
) -> QuerySet:
    """The rooms in use (or the retired ones), filtered, with their floor, building and site."""
    rooms = Room.objects.filter(partnership=partnership, retired_at__isnull=not retired)
    if area_type:
        rooms = rooms.filter(area_type=area_type)
    if building_id:
        rooms = rooms.filter(floor__building_id=building_id)
    if q:
        rooms = rooms.filter(Q(code__icontains=q) | Q(name__icontains=q))
    return rooms.select_related("floor__building__site").order_by(*SORTS.get(sort, SORTS["place"]))


def buildings_for_partnership(*, partnership: Partnership) -> QuerySet:
    return Building.objects.filter(partnership=partnership).select_related("site")


@dataclass(frozen=True)
class TypeFigures:
    area_type: str
    label: str
    rooms: int
    floor_area: Decimal


@dataclass(frozen=True)
class RegisterSummary:
    by_type: list[TypeFigures]
    rooms: int
    floor_area: Decimal
    retired: int


def register_summary(*, partnership: Partnership) -> RegisterSummary:
    """Rooms and m² in use per area type, and how many are retired: one query."""
    grouped = (
        Room.objects.filter(partnership=partnership)
        .values("area_type")
        .annotate(
            rooms=Count("pk", filter=Q(retired_at__isnull=True)),
            area=Sum("floor_area", filter=Q(retired_at__isnull=True)),
            retired=Count("pk", filter=Q(retired_at__isnull=False)),
        )
        .order_by()
    )
    figures = {row["area_type"]: row for row in grouped}
    by_type = [
        TypeFigures(value, str(label), figures[value]["rooms"], figures[value]["area"] or 0)
        for value, label in AreaType.choices
        if value in figures and figures[value]["rooms"]
    ]
    return RegisterSummary(
        by_type=by_type,
        rooms=sum(t.rooms for t in by_type),
        floor_area=sum((t.floor_area for t in by_type), Decimal(0)),
        retired=sum(row["retired"] for row in figures.values()),
    )
