"""The KPI part of the demo world: two years of monthly values that improve over time, with a
month in which complaints went red."""

from decimal import Decimal

from django.utils import timezone

from .models import KPI, Measurement
from .periods import last_periods

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
