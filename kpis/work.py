""" "My work" from the KPIs: values due from the user's side, and disputes waiting for it.

`partnership.work` imports this module when the apps are ready (as Django's admin finds
`admin.py`), and the sources register themselves at the bottom. Each source is a fixed number
of queries whatever the number of partnerships: who may report is
`partnership.access.partnerships_where`, the access rule in SQL.
"""

import datetime

from django.conf import settings
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.access import Action, partnerships_where
from partnership.models import Contract, Side
from partnership.periods import last_periods
from partnership.statements import rows
from partnership.work import WorkItem, WorkSource, register_work_source

from .models import KPI, Dispute, DisputeComment, Frequency, Measurement, Source

# Who reports a KPI's values: the side named by its source (inspection KPIs are derived).
REPORTED_BY = {Source.SUPPLIER: Side.SUPPLIER, Source.CLIENT: Side.CLIENT}


# --- KPI values due --------------------------------------------------------------------------


def _latest_ended(today: datetime.date) -> dict:
    """frequency -> the latest period that has ended by `today`."""
    return {f: last_periods(f, 1, today)[0] for f in Frequency.values}


def _contract_bound(aggregate):
    """The first contract's start (Min) or the last one's end (Max) of the KPI's partnership,
    as the board's `ContractSpan` reads it: periods outside the contract are not owed."""
    contracts = (
        Contract.objects.filter(partnership=OuterRef("partnership"))
        .values("partnership")
        .annotate(bound=aggregate)
        .values("bound")
    )
    return Subquery(contracts[:1])


def values_due(*, user, today: datetime.date):
    """Active KPIs the user's side reports whose latest ended period, inside the contract, has
    no value yet."""
    latest = _latest_ended(today)
    reporter = Q()
    for source, side in REPORTED_BY.items():
        reporter |= Q(
            source=source, partnership__in=partnerships_where(user, Action.PARTICIPATE, side)
        )
    missing = Q()
    for frequency, period in latest.items():
        value = Measurement.objects.filter(kpi=OuterRef("pk"), period_start=period.start)
        owed = (Q(contract_start__isnull=True) | Q(contract_start__lte=period.end)) & (
            Q(contract_end__isnull=True) | Q(contract_end__gte=period.start)
        )
        missing |= Q(frequency=frequency) & owed & ~Exists(value)
    return KPI.objects.annotate(
        contract_start=_contract_bound(Min("start_date")),
        contract_end=_contract_bound(Max("end_date")),
    ).filter(reporter, missing, active=True)


def _value_items(user, today):
    latest = _latest_ended(today)
    grace = datetime.timedelta(days=settings.KPI_REMINDER_AFTER_DAYS)
    items = []
    kpis = (  # built and compiled once per person and day (`partnership.statements.rows`)
        ("kpis.value", user.pk, user.is_active, today),
        lambda: values_due(user=user, today=today).select_related("partnership").order_by("name"),
    )
    for kpi in rows(*kpis):
        period = latest[kpi.frequency]
        due = period.end + grace
        items.append(
            WorkItem(
                kind="kpis.value",
                title=_("Enter the value of %(kpi)s for %(period)s")
                % {"kpi": kpi.name, "period": period.label},
                partnership=kpi.partnership,
                url=reverse(
                    "kpis:detail", kwargs={"partnership_id": kpi.partnership_id, "kpi_id": kpi.pk}
                ),
                due=due,
                overdue=today > due,
            )
        )
    return items


def _value_count(user, today):
    return values_due(user=user, today=today).count()


# --- Disputes waiting for the user's side ----------------------------------------------------


def disputes_waiting(*, user):
    """Open disputes whose last word (the raising, or the latest comment) is the other side's,
    in partnerships where the user's side may answer."""
    last_comment = DisputeComment.objects.filter(dispute=OuterRef("pk")).order_by(
        "-created_at", "-id"
    )
    waiting = Q()
    for side in (Side.CLIENT, Side.SUPPLIER):
        waiting |= Q(partnership__in=partnerships_where(user, Action.PARTICIPATE, side)) & ~Q(
            last_side=side
        )
    return (
        Dispute.objects.filter(resolved_at__isnull=True)
        .annotate(last_side=Coalesce(Subquery(last_comment.values("side")[:1]), F("side")))
        .filter(waiting)
    )


def _subject(dispute: Dispute) -> str:
    """What the dispute is about, as a reader names it: a KPI and period, or an inspection."""
    if dispute.measurement_id:
        measurement = dispute.measurement
        return f"{measurement.kpi.name} ({measurement.period.label})"
    inspection = dispute.inspection
    return f"{inspection.get_kind_display()} {formats.date_format(inspection.date, 'DATE_FORMAT')}"


def _dispute_items(user, today):
    def disputes():
        return (
            disputes_waiting(user=user)
            .select_related("partnership", "measurement__kpi", "inspection")
            .order_by("created_at")
        )

    return [
        WorkItem(
            kind="kpis.dispute",
            title=_("Answer the dispute about %(subject)s") % {"subject": _subject(dispute)},
            partnership=dispute.partnership,
            url=reverse(
                "kpis:dispute_detail",
                kwargs={"partnership_id": dispute.partnership_id, "dispute_id": dispute.pk},
            ),
        )
        for dispute in rows(("kpis.dispute", user.pk, user.is_active), disputes)
    ]


def _dispute_count(user, today):
    return disputes_waiting(user=user).count()


# --- Norm changes the user's side accepts ---------------------------------------------------


def _norm_items(user, today):
    from .selectors import norm_proposals_awaiting

    return [
        WorkItem(
            kind="kpis.norm",
            title=_("Accept or reject the norm change of %(kpi)s") % {"kpi": proposal.kpi.name},
            partnership=proposal.kpi.partnership,
            url=reverse(
                "kpis:detail",
                kwargs={"partnership_id": proposal.kpi.partnership_id, "kpi_id": proposal.kpi_id},
            ),
        )
        for proposal in rows(
            ("kpis.norm", user.pk, user.is_active), lambda: norm_proposals_awaiting(user=user)
        )
    ]


def _norm_queryset(user):
    from .selectors import norm_proposals_awaiting

    return norm_proposals_awaiting(user=user)


def _norm_count(user, today):
    return _norm_queryset(user).count()


SOURCES = [
    WorkSource(
        "kpis.norm",
        gettext_lazy("Norm change"),
        order=22,
        items=_norm_items,
        count=_norm_count,
        queryset=lambda user, today: _norm_queryset(user),
    ),
    WorkSource(
        "kpis.value",
        gettext_lazy("KPI value"),
        order=20,
        items=_value_items,
        count=_value_count,
        queryset=lambda user, today: values_due(user=user, today=today),
    ),
    WorkSource(
        "kpis.dispute",
        gettext_lazy("Dispute"),
        order=21,
        items=_dispute_items,
        count=_dispute_count,
        queryset=lambda user, today: disputes_waiting(user=user),
    ),
]

for _source in SOURCES:
    register_work_source(_source)
