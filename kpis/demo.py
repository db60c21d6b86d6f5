"""The KPI part of the demo world: two years of monthly values that improve over time, with a
month in which complaints went red."""

import datetime
from decimal import Decimal

from django.utils import timezone

from partnership.periods import last_periods

from .models import KPI, Dispute, DisputeComment, Inspection, InspectionArea, Measurement
from .services_inspections import derive_inspection_kpis, plan_area

D = Decimal

# partnership key -> list of (name, unit, direction, target, tolerance, frequency, source, curve)
# `curve(i, n)` gives the value for period i of n (oldest first).
SPECS = {
    "cleaning": [
        (
            "Klachten per maand",
            "",
            "lower",
            D(5),
            D(3),
            "monthly",
            "client",
            lambda i, n: D(10) - D(7) * i / n + (D(5) if i == n // 3 else 0),
        ),
        (
            "Oplostijd incidenten",
            "uur",
            "lower",
            D(4),
            D(2),
            "monthly",
            "supplier",
            lambda i, n: D("6.5") - D("3.5") * i / n,
        ),
        (
            "Schoonmaakkwaliteit (VSR-score)",
            "%",
            "higher",
            D(90),
            D(5),
            "monthly",
            "supplier",
            lambda i, n: D(84) + D(11) * i / n,
        ),
    ],
    "catering": [
        (
            "Gasttevredenheid",
            "",
            "higher",
            D("7.5"),
            D("0.5"),
            "quarterly",
            "client",
            lambda i, n: D("6.8") + D("1.0") * i / n,
        ),
    ],
}


def _inspections(world, partnership) -> None:
    """Quarterly inspections over two years, alternating the supplier's self-check and the
    client's control, with fewer defects as the partnership matures."""
    if Inspection.objects.filter(partnership=partnership).exists():
        return
    KPI.objects.get_or_create(
        partnership=partnership,
        name="Goedkeuring inspecties",
        defaults={
            "unit": "%",
            "direction": "higher",
            "target": D(90),
            "tolerance": D(10),
            "frequency": "quarterly",
            "source": "inspection",
            "inspection_measure": "pass_rate",
        },
    )
    quarters = last_periods("quarterly", 8, timezone.localdate())
    for i, quarter in enumerate(quarters):
        day = quarter.start + datetime.timedelta(days=40)
        kind, inspector = ("dks", world.users["pl"]) if i % 2 else ("kms", world.users["fm"])
        inspection = Inspection.objects.create(
            partnership=partnership,
            kind=kind,
            date=day,
            inspector=inspector,
            created_by=inspector,
        )
        for area_type, lot, elements, dirt in (
            ("sanitary", 120, 200, max(0, 6 - i)),
            ("office", 400, 250, max(1, 14 - 2 * i)),
            ("patient_room", 300, 320, max(0, 7 - i)),
        ):
            plan = plan_area(area_type=area_type, lot_size=lot)
            InspectionArea.objects.create(
                inspection=inspection,
                area_type=area_type,
                lot_size=lot,
                aql=plan.aql,
                sample_size=plan.sample_size,
                accept=plan.accept,
                reject=plan.reject,
                rooms_inspected=plan.sample_size,
                elements_checked=elements,
                defects_dirt=dirt,
                defects_method=i % 2,
                defects_material=0,
            )
        derive_inspection_kpis(partnership=partnership, day=day, alert=False)


def _open_dispute(world, partnership) -> None:
    if Dispute.objects.filter(partnership=partnership).exists():
        return
    kpi = KPI.objects.filter(partnership=partnership, name="Oplostijd incidenten").first()
    latest = kpi.measurements.order_by("-period_start").first() if kpi else None
    if latest is None:
        return
    dispute = Dispute.objects.create(
        partnership=partnership,
        measurement=latest,
        raised_by=world.users["fm"],
        side="client",
        reason="Twee incidenten op de SEH zijn pas na een dag opgelost; die ontbreken hier.",
    )
    DisputeComment.objects.create(
        dispute=dispute,
        author=world.users["pl"],
        side="supplier",
        text="Klopt, die zijn als verzoek geregistreerd. We zoeken het uit voor het overleg.",
    )


def seed(world) -> None:
    today = timezone.localdate()
    for key, specs in SPECS.items():
        partnership = world.partnerships.get(key)
        if partnership is None:
            continue
        reporter = {"client": world.users["fm"], "supplier": world.users["pl"]}
        if key == "catering":
            reporter["supplier"] = world.users["cat"]
        for name, unit, direction, target, tolerance, frequency, source, curve in specs:
            kpi, created = KPI.objects.get_or_create(
                partnership=partnership,
                name=name,
                defaults={
                    "unit": unit,
                    "direction": direction,
                    "target": target,
                    "tolerance": tolerance,
                    "frequency": frequency,
                    "source": source,
                },
            )
            if not created:
                continue
            periods = last_periods(frequency, 24 if frequency == "monthly" else 8, today)
            Measurement.objects.bulk_create(
                Measurement(
                    kpi=kpi,
                    period_start=p.start,
                    entered_by=reporter[source],
                    value=curve(i, len(periods)).quantize(D("0.1")),
                )
                for i, p in enumerate(periods)
            )
    cleaning = world.partnerships.get("cleaning")
    if cleaning is not None:
        _inspections(world, cleaning)
        _open_dispute(world, cleaning)
