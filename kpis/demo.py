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
        _open_dispute(world, cleaning, data["dispute"])
