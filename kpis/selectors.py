"""Reads of KPIs and measurements, scoped by partnership; a fixed number of queries each."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from partnership.models import Partnership
from partnership.periods import Period, last_periods

from .models import KPI, Measurement
from .status import Status


def kpis_for_partnership(*, partnership: Partnership, active_only: bool = False) -> QuerySet:
    qs = KPI.objects.filter(partnership=partnership)
    return qs.filter(active=True) if active_only else qs


def measurements_for_partnership(*, partnership: Partnership) -> QuerySet:
    return Measurement.objects.filter(kpi__partnership=partnership).select_related(
        "kpi", "entered_by"
    )


@dataclass
class PeriodValue:
    period: Period
    measurement: Measurement | None
    status: Status

    @property
    def value(self):
        return self.measurement.value if self.measurement else None


@dataclass
class BoardRow:
    kpi: KPI
    history: list[PeriodValue]  # oldest first, one entry per period, missing ones included

    @property
    def latest(self) -> PeriodValue:
        return self.history[-1]


def kpi_board(
    *,
    partnership: Partnership,
    periods: int = 12,
    today: datetime.date | None = None,
    kpi: KPI | None = None,
) -> list[BoardRow]:
    """Every active KPI with its last `periods` ended periods: two queries in all."""
    today = today or timezone.localdate()
    windows = {f: last_periods(f, periods, today) for f in ("monthly", "quarterly")}
    oldest = min(w[0].start for w in windows.values())
    kpis = kpis_for_partnership(partnership=partnership, active_only=kpi is None)
    if kpi is not None:
        kpis = kpis.filter(pk=kpi.pk)
    kpis = kpis.prefetch_related(
        Prefetch(
            "measurements",
            queryset=Measurement.objects.filter(period_start__gte=oldest).order_by("period_start"),
        )
    )
    rows = []
    for kpi in kpis:
        by_start = {m.period_start: m for m in kpi.measurements.all()}
        history = []
        for period in windows[kpi.frequency]:
            measurement = by_start.get(period.start)
            status = kpi.status_of(measurement.value if measurement else None)
            history.append(PeriodValue(period, measurement, status))
        rows.append(BoardRow(kpi, history))
    return rows


def status_summary(rows: list[BoardRow]) -> dict[str, int]:
    """How many KPIs are green / amber / red / missing in their latest period."""
    counts = Counter(row.latest.status for row in rows)
    return {status.value: counts.get(status, 0) for status in Status}


def status_summaries(*, partnerships, today: datetime.date | None = None) -> dict:
    """partnership id -> {"green": n, "amber": n, "red": n, "missing": n, "total": n} for the
    latest ended period of each active KPI. Two queries for any number of partnerships."""
    today = today or timezone.localdate()
    latest = {f: last_periods(f, 1, today)[0] for f in ("monthly", "quarterly")}
    ids = [p.pk for p in partnerships]
    kpis = KPI.objects.filter(partnership_id__in=ids, active=True).prefetch_related(
        Prefetch(
            "measurements",
            queryset=Measurement.objects.filter(
                period_start__in=[p.start for p in latest.values()]
            ),
        )
    )
    counts: dict = {}
    for kpi in kpis:
        start = latest[kpi.frequency].start
        value = next((m.value for m in kpi.measurements.all() if m.period_start == start), None)
        bucket = counts.setdefault(kpi.partnership_id, Counter())
        bucket[kpi.status_of(value)] += 1
    return {
        pk: {**{s.value: c.get(s, 0) for s in Status}, "total": sum(c.values())}
        for pk, c in counts.items()
    }


def inspections_for_partnership(*, partnership: Partnership) -> QuerySet:
    from .models import Inspection

    return (
        Inspection.objects.filter(partnership=partnership)
        .select_related("inspector")
        .prefetch_related("areas__photos")
    )


def inspection_areas_for_partnership(*, partnership: Partnership) -> QuerySet:
    from .models import InspectionArea

    return InspectionArea.objects.filter(inspection__partnership=partnership)


def defect_photos_for_partnership(*, partnership: Partnership) -> QuerySet:
    from .models import DefectPhoto

    return DefectPhoto.objects.filter(area__inspection__partnership=partnership)


def disputes_for_partnership(*, partnership: Partnership) -> QuerySet:
    from .models import Dispute

    return Dispute.objects.filter(partnership=partnership).select_related(
        "measurement__kpi", "inspection", "raised_by", "resolved_by"
    )


def open_disputes(lookup: str) -> Prefetch:
    """Prefetch a subject's unresolved disputes as `open_disputes_list`."""
    from .models import Dispute

    return Prefetch(
        lookup,
        queryset=Dispute.objects.filter(resolved_at__isnull=True),
        to_attr="open_disputes_list",
    )
