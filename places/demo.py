"""The register part of the demo world: Sint-Lucas hospital's estate (two buildings, about 400
rooms), imported the way the client would, through `rooms_import`. Its buildings, floors and
room mix are in `demo_data/places.toml`. Idempotent: a register that has rooms is left alone."""

import random
from decimal import Decimal

from partnership.demo import load_data

from .models import Room
from .services import rooms_import


def register_rows(data: dict) -> list[tuple[int, dict]]:
    """The register as import rows (row number, values), the same every time."""
    draw = random.Random(data["seed"])
    site, rows = data["site"], []
    for building in data["buildings"]:
        for floor_plan in building["floors"]:
            for floor in floor_plan["codes"]:
                number = 0
                for area_type, count in floor_plan["rooms"].items():
                    spec = data["types"][area_type]
                    names = floor_plan.get("names", {}).get(area_type, spec["names"])
                    low, high = spec["area"]
                    for i in range(count):
                        number += 1
                        code = f"{building['code']}.{floor}.{int(floor) * 100 + number:03d}"
                        area = Decimal(draw.uniform(low, high)).quantize(Decimal("0.1"))
                        rows.append(
                            {
                                "site": site["code"],
                                "site_name": site["name"],
                                "building": building["code"],
                                "building_name": building["name"],
                                "floor": floor,
                                "code": code,
                                "name": f"{names[i % len(names)]} {code.rsplit('.', 1)[1]}",
                                "area_type": area_type,
                                "floor_area": area,
                                "cleaning_frequency": spec["frequency"],
                            }
                        )
    return list(enumerate(rows, start=2))


def seed(world) -> None:
    data = load_data(__file__, "places")
    partnership = world.partnerships.get(data["partnership"])
    if partnership is None or Room.objects.filter(partnership=partnership).exists():
        return
    rooms_import(
        actor=world.users[data["keeper"]], partnership=partnership, rows=register_rows(data)
    )
