"""The KPI part of the demo world: two years of monthly values that improve over time, with a
month in which complaints went red. The KPIs, curves and inspections are in
`demo_data/kpis.toml`."""

import datetime
from decimal import Decimal

from django.utils import timezone

from partnership.demo import load_data
from partnership.periods import last_periods

from .models import KPI, Dispute, DisputeComment, Inspection, InspectionArea, Measurement
from .services_inspections import area_plan, inspection_kpis_derive

D = Decimal
KPI_FIELDS = ("unit", "direction", "frequency", "source", "inspection_measure")


def _definition(spec: dict) -> dict:
    """A KPI's fields from its data; the figures are strings there so they stay exact."""
    fields = {name: spec[name] for name in KPI_FIELDS if name in spec}
    return {**fields, "target": D(spec["target"]), "tolerance": D(spec["tolerance"])}


def _value(spec: dict, i: int, n: int) -> Decimal:
    """The value of period i of n (oldest first): a straight line, perhaps with a peak."""
    value = D(spec["start"]) + D(spec["change"]) * i / n
    peak = spec.get("peak")
    if peak and i == n // peak["at_nth"]:
        value += D(peak["add"])
    return value.quantize(D("0.1"))


def _kpi(partnership, spec: dict, reporter: dict, history: dict, today: datetime.date) -> None:
    kpi, created = KPI.objects.get_or_create(
        partnership=partnership, name=spec["name"], defaults=_definition(spec)
    )
    if not created:
        return
    periods = last_periods(spec["frequency"], history[spec["frequency"]], today)
    Measurement.objects.bulk_create(
        Measurement(
            kpi=kpi,
            period_start=p.start,
            entered_by=reporter[spec["source"]],
            value=_value(spec, i, len(periods)),
        )
        for i, p in enumerate(periods)
    )


def _inspections(world, partnership, spec: dict) -> None:
    """Quarterly inspections, taking turns between the client's control and the supplier's own
    check, with fewer defects as the partnership matures."""
    if Inspection.objects.filter(partnership=partnership).exists():
        return
    KPI.objects.get_or_create(
        partnership=partnership, name=spec["kpi"]["name"], defaults=_definition(spec["kpi"])
    )
    quarters = last_periods("quarterly", spec["quarters"], timezone.localdate())
    for i, quarter in enumerate(quarters):
        day = quarter.start + datetime.timedelta(days=spec["day"])
        turn = spec["turns"][i % len(spec["turns"])]
        inspector = world.users[turn["inspector"]]
        inspection = Inspection.objects.create(
            partnership=partnership,
            kind=turn["kind"],
            date=day,
            inspector=inspector,
            created_by=inspector,
            closed_at=timezone.now(),
        )
        for area in spec["areas"]:
            plan = area_plan(area_type=area["area_type"], lot_size=area["lot_size"])
            dirt = area["dirt"]
            InspectionArea.objects.create(
                inspection=inspection,
                area_type=area["area_type"],
                lot_size=area["lot_size"],
                aql=plan.aql,
                sample_size=plan.sample_size,
                accept=plan.accept,
                reject=plan.reject,
                rooms_inspected=plan.sample_size,
                elements_checked=area["elements_checked"],
                defects_dirt=max(dirt["floor"], dirt["first"] - dirt["drop"] * i),
                defects_method=turn["method_defects"],
                defects_material=0,
            )
        inspection_kpis_derive(partnership=partnership, day=day, alert=False)


def _photo(kind: str):
    """A small picture of a defect (a coloured square: the demo has no real photos)."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    colour = {"dirt": (120, 90, 60), "method": (200, 160, 40), "material": (150, 40, 40)}[kind]
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, format="PNG")
    return SimpleUploadedFile(f"{kind}.png", buffer.getvalue(), content_type="image/png")


def _record_rooms(inspection, inspector, draw, *, share: float = 1.0, extra: int = 0) -> None:
    """Record the drawn rooms as an inspector walks them: clean elements, now and then a defect
    with a photo (per area as many as its acceptance number allows, plus `extra`), one room
    locked. `share` of the rooms is recorded."""
    import uuid

    from .models import DefectKind, RoomState
    from .services_samples import elements_for, room_result_record

    rooms = list(inspection.sampled_rooms.select_related("area").order_by("area_id", "position"))
    budget = {area.pk: area.accept + extra for area in inspection.areas.all()}
    for number, sampled in enumerate(rooms[: max(1, round(len(rooms) * share))]):
        key = uuid.UUID(int=draw.getrandbits(128), version=4)
        if number == 3:
            room_result_record(
                actor=inspector,
                sampled_room=sampled,
                client_key=key,
                state=RoomState.NOT_INSPECTED,
                reason="Kamer in gebruik (isolatie), niet betreden",
            )
            continue
        elements, photos = [], []
        for name in elements_for(sampled.area.area_type):
            kind = None
            if budget[sampled.area_id] and draw.random() < 0.06:
                kind = draw.choices(DefectKind.values, weights=[6, 3, 1])[0]
                budget[sampled.area_id] -= 1
                photos.append((kind, _photo(kind)))
            elements.append({"element": name, **{k: int(k == kind) for k in DefectKind.values}})
        room_result_record(
            actor=inspector,
            sampled_room=sampled,
            client_key=key,
            state=RoomState.INSPECTED,
            elements=elements,
            photos=photos,
        )


def _drawn_inspections(world, partnership, spec: dict) -> None:
    """Inspections drawn from the register and recorded room by room: last month's client
    control, closed, and this week's self-check of the supplier, half done."""
    import random

    from django.utils import translation

    from .models import Inspection
    from .services_samples import inspection_close, sample_draw

    if Inspection.objects.filter(partnership=partnership, sample_seed__isnull=False).exists():
        return
    from places.models import Room

    if not Room.objects.filter(partnership=partnership).exists():
        return  # no register to draw from
    today = timezone.localdate()
    with translation.override("nl"):
        for turn in spec["turns"]:
            inspector = world.users[turn["inspector"]]
            inspection = sample_draw(
                actor=inspector,
                partnership=partnership,
                kind=turn["kind"],
                date=today - datetime.timedelta(days=turn["days_ago"]),
                areas=[{"area_type": a} for a in turn["areas"]],
                seed=turn["seed"],
            )
            draw = random.Random(turn["seed"])
            _record_rooms(
                inspection, inspector, draw, share=turn["share"], extra=turn.get("extra", 0)
            )
            if turn["close"]:
                inspection_close(actor=inspector, inspection=inspection)


def _open_dispute(world, partnership, spec: dict) -> None:
    if Dispute.objects.filter(partnership=partnership).exists():
        return
    kpi = KPI.objects.filter(partnership=partnership, name=spec["kpi"]).first()
    latest = kpi.measurements.order_by("-period_start").first() if kpi else None
    if latest is None:
        return
    dispute = Dispute.objects.create(
        partnership=partnership,
        measurement=latest,
        raised_by=world.users[spec["raised_by"]],
        side=spec["side"],
        reason=spec["reason"],
    )
    reply = spec["reply"]
    DisputeComment.objects.create(
        dispute=dispute, author=world.users[reply["author"]], side=reply["side"], text=reply["text"]
    )


def seed(world) -> None:
    data = load_data(__file__, "kpis")
    today = timezone.localdate()
    for key, spec in data["partnerships"].items():
        partnership = world.partnerships.get(key)
        if partnership is None:
            continue
        reporter = {source: world.users[who] for source, who in spec["reporters"].items()}
        for kpi_spec in spec["kpis"]:
            _kpi(partnership, kpi_spec, reporter, data["history"], today)
    cleaning = world.partnerships.get("cleaning")
    if cleaning is not None:
        _inspections(world, cleaning, data["inspections"])
        _drawn_inspections(world, cleaning, data["drawn_inspections"])
        _open_dispute(world, cleaning, data["dispute"])
