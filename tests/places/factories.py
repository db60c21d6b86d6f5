"""Rooms for tests, with their site, building and floor found or made by code."""

from decimal import Decimal

from places.models import Building, Floor, Room, Site


def floor(partnership, building: str = "HG", code: str = "1", site: str = "SL") -> Floor:
    site_row, _ = Site.objects.get_or_create(
        partnership=partnership, code=site, defaults={"name": f"Site {site}"}
    )
    building_row, _ = Building.objects.get_or_create(
        partnership=partnership, code=building, defaults={"site": site_row, "name": building}
    )
    floor_row, _ = Floor.objects.get_or_create(
        partnership=partnership, building=building_row, code=code
    )
    return floor_row


def room(partnership, code: str, *, area_type: str = "office", floor_area="12.5", **kwargs) -> Room:
    place = kwargs.pop("floor", None) or floor(partnership)
    return Room.objects.create(
        partnership=partnership,
        floor=place,
        code=code,
        name=kwargs.pop("name", f"Room {code}"),
        area_type=area_type,
        floor_area=Decimal(floor_area),
        **kwargs,
    )


def rooms(partnership, count: int, *, prefix: str = "R", area_type: str = "office") -> list[Room]:
    place = floor(partnership)
    return Room.objects.bulk_create(
        Room(
            partnership=partnership,
            floor=place,
            code=f"{prefix}.{n:04d}",
            name=f"Room {n}",
            area_type=area_type,
            floor_area=Decimal("10.00") + n,
        )
        for n in range(count)
    )
