"""KPI alerts: a value that turns a KPI red, and a reminder for a value that has not come in.

Each alert is claimed by inserting a `KPIAlert` row first; the unique constraint means that two
runs of the same task (or two workers at once) send it only once.
"""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.models import Side
from partnership.notifications import notify
from partnership.periods import Period

from .models import KPI, AlertKind, KPIAlert, Measurement, Source
from .selectors import NO_CONTRACT, contract_spans
from .status import Status


def _claim(kpi: KPI, period_start: datetime.date, kind: str) -> bool:
    try:
        with transaction.atomic():
            KPIAlert.objects.create(kpi=kpi, period_start=period_start, kind=kind)
    except IntegrityError:
        return False
    return True


def _kpi_url(kpi: KPI) -> str:
    from django.urls import reverse

    return reverse("kpis:detail", kwargs={"partnership_id": kpi.partnership_id, "kpi_id": kpi.pk})


@transaction.atomic
def red_alert_send(*, measurement_id: int) -> bool:
    """Notify both sides when a measurement is red; once per KPI per period."""
    measurement = (
        Measurement.objects.select_related("kpi__partnership").filter(pk=measurement_id).first()
    )
    if measurement is None or measurement.status != Status.RED:
        return False
    kpi = measurement.kpi
    if not _claim(kpi, measurement.period_start, AlertKind.RED):
        return False
    participants = kpi.partnership.participants.filter(
        side__in=[Side.CLIENT, Side.SUPPLIER]
    ).select_related("user")
    notify(
        users=[p.user for p in participants],
        kind="kpis.red",
        partnership=kpi.partnership,
        title=_("%(kpi)s is off target for %(period)s"),
        body=_("Value %(value)s against a target of %(target)s."),
        params={
            "kpi": kpi.name,
            "period": measurement.period.label,
            "value": measurement.value,
            "target": kpi.target,
        },
        url=_kpi_url(kpi),
    )
    return True


def missing_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the supplier's participants of values missing N days after their period ended."""
    today = today or timezone.localdate()
    grace = datetime.timedelta(days=settings.KPI_REMINDER_AFTER_DAYS)
    sent = 0
    kpis = KPI.objects.filter(active=True, source=Source.SUPPLIER).select_related("partnership")
    kpis = list(kpis.exclude(partnership__phase="ended"))
    spans = contract_spans(partnership_ids={kpi.partnership_id for kpi in kpis})
    for kpi in kpis:
        # The most recent period whose grace days have passed.
        period = Period.containing(today, kpi.frequency).previous()
        if period.end + grace > today:
            period = period.previous()
        if not spans.get(kpi.partnership_id, NO_CONTRACT).covers(period):
            continue  # outside the contract nothing is owed
        if Measurement.objects.filter(kpi=kpi, period_start=period.start).exists():
            continue
        with transaction.atomic():
            if not _claim(kpi, period.start, AlertKind.MISSING):
                continue
            suppliers = kpi.partnership.participants.filter(side=Side.SUPPLIER).select_related(
                "user"
            )
            notify(
                users=[p.user for p in suppliers],
                kind="kpis.missing",
                partnership=kpi.partnership,
                title=_("Value for %(kpi)s over %(period)s is missing"),
                params={"kpi": kpi.name, "period": period.label},
                url=_kpi_url(kpi),
            )
            sent += 1
    return sent
