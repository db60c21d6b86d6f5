"""Reads of KPIs and measurements, scoped by partnership; a fixed number of queries each."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.db.models import Max, Min, Prefetch, QuerySet
from django.utils import timezone

from partnership.models import Contract, Partnership
from partnership.periods import Period, last_periods

from .models import KPI, Measurement, NormProposal, ProposalState
from .status import Status


@dataclass(frozen=True)
class ContractSpan:
    """From the first contract's start to the last one's end; periods outside it are not owed."""

    start: datetime.date | None
    end: datetime.date | None

    def covers(self, period: Period) -> bool:
        if self.start is not None and period.end < self.start:
            return False
        return self.end is None or period.start <= self.end


def contract_span(*, partnership: Partnership) -> ContractSpan:
    """One query. Without a contract every period counts."""
    span = Contract.objects.filter(partnership=partnership).aggregate(
        start=Min("start_date"), end=Max("end_date")
    )
    return ContractSpan(span["start"], span["end"])


def contract_spans(*, partnership_ids) -> dict:
    """partnership id -> ContractSpan, one query for any number of partnerships."""
    rows = (
        Contract.objects.filter(partnership_id__in=partnership_ids)
        .values("partnership_id")
        .annotate(start=Min("start_date"), end=Max("end_date"))
    )
    return {r["partnership_id"]: ContractSpan(r["start"], r["end"]) for r in rows}


NO_CONTRACT = ContractSpan(None, None)


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
    def latest(self) -> PeriodValue | None:
        """The latest ended period inside the contract; None before the first one has ended."""
        return self.history[-1] if self.history else None


def board_windows(
    span: ContractSpan, periods: int, today: datetime.date
) -> dict[str, list[Period]]:
    """Per frequency, the last `periods` ended periods that the contract covers, oldest first."""
    return {
        f: [p for p in last_periods(f, periods, today) if span.covers(p)]
        for f in ("monthly", "quarterly")
    }


def kpi_board(
    *,
    partnership: Partnership,
    periods: int = 12,
    today: datetime.date | None = None,
    kpi: KPI | None = None,
) -> list[BoardRow]:
    """Every active KPI with its last `periods` ended periods inside the contract: three queries
    in all. A period before the contract started or after it ended is left out, not "missing"."""
    today = today or timezone.localdate()
    windows = board_windows(contract_span(partnership=partnership), periods, today)
    starts = [w[0].start for w in windows.values() if w]
    oldest = min(starts) if starts else today
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
    counts = Counter(row.latest.status for row in rows if row.latest is not None)
    return {status.value: counts.get(status, 0) for status in Status}


def entry_period(*, kpi: KPI, today: datetime.date | None = None, periods: int = 12) -> Period:
    """The period the value form proposes: the oldest ended period of the board's window
    (inside the contract) that has no value yet, else the latest ended period. Two queries."""
    today = today or timezone.localdate()
    window = board_windows(contract_span(partnership=kpi.partnership), periods, today)
    window = window[kpi.frequency]
    latest = last_periods(kpi.frequency, 1, today)[-1]
    if not window:
        return latest
    taken = set(
        Measurement.objects.filter(kpi=kpi, period_start__in=[p.start for p in window]).values_list(
            "period_start", flat=True
        )
    )
    return next((p for p in window if p.start not in taken), window[-1])


def open_norm_proposal(*, kpi: KPI) -> NormProposal | None:
    return (
        NormProposal.objects.filter(kpi=kpi, state=ProposalState.OPEN)
        .select_related("proposed_by")
        .first()
    )


def norm_proposals_for_kpi(*, kpi: KPI) -> QuerySet:
    return NormProposal.objects.filter(kpi=kpi).select_related("proposed_by", "decided_by")


def norm_proposals_for_partnership(*, partnership: Partnership) -> QuerySet:
    return NormProposal.objects.filter(kpi__partnership=partnership).select_related(
        "kpi", "proposed_by", "decided_by"
    )


def norm_proposals_awaiting(*, user) -> QuerySet:
    """Open norm proposals that `user` may decide: they are an admin or manager of the
    organisation on the other side of the proposing one. One query whatever the number of
    partnerships."""
    from django.db.models import Q

    from partnership.models import Phase, managed_by

    if user is None or not user.is_authenticated:
        return NormProposal.objects.none()
    return (
        NormProposal.objects.filter(state=ProposalState.OPEN)
        .exclude(kpi__partnership__phase=Phase.ENDED)
        .filter(
            Q(side="supplier", kpi__partnership__client_id__in=managed_by(user))
            | Q(side="client", kpi__partnership__supplier_id__in=managed_by(user))
        )
        .select_related("kpi__partnership", "proposed_by")
        .order_by("created_at")
    )


def status_summaries(*, partnerships, today: datetime.date | None = None) -> dict:
    """partnership id -> {"green": n, "amber": n, "red": n, "missing": n, "total": n} for the
    latest ended period of each active KPI, if the contract covers it. Three queries for any
    number of partnerships."""
    today = today or timezone.localdate()
    latest = {f: last_periods(f, 1, today)[0] for f in ("monthly", "quarterly")}
    ids = [p.pk for p in partnerships]
    spans = contract_spans(partnership_ids=ids)
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
        if not spans.get(kpi.partnership_id, NO_CONTRACT).covers(latest[kpi.frequency]):
            continue  # the latest period is outside the contract: nothing is owed
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


def sampled_rooms_for_partnership(*, partnership: Partnership) -> QuerySet:
    from .models import SampledRoom

    return SampledRoom.objects.filter(inspection__partnership=partnership)


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
