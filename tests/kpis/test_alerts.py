import datetime
from decimal import Decimal

import pytest
from django.core import mail

from kpis import alerts, services
from kpis.models import KPIAlert
from partnership.models import Notification
from partnership.periods import Period
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def test_a_red_value_alerts_both_sides_once(world, django_capture_on_commit_callbacks):
    kpi = KPIFactory(partnership=world.partnership, source="supplier", target=95, tolerance=5)
    with django_capture_on_commit_callbacks(execute=True):
        m = services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-02", value="70"
        )
    # the task ran (eagerly) after commit; running it again sends nothing more
    assert alerts.red_alert_send(measurement_id=m.pk) is False
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-02", value="60", overwrite=True
        )
    notes = Notification.objects.filter(kind="kpis.red")
    recipients = {n.user for n in notes}
    assert recipients == {world.manager, world.member, world.viewer, world.supplier_lead}
    assert notes.count() == 4  # once per person, for one KPI and one period
    assert KPIAlert.objects.filter(kpi=kpi, kind="red").count() == 1
    assert len([e for e in mail.outbox if "off target" in e.subject or "norm" in e.subject]) == 4


def test_a_green_value_sends_no_alert(world, django_capture_on_commit_callbacks):
    kpi = KPIFactory(partnership=world.partnership, source="supplier", target=95, tolerance=5)
    with django_capture_on_commit_callbacks(execute=True):
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-02", value="99"
        )
    assert not Notification.objects.filter(kind="kpis.red").exists()


def test_missing_value_reminder_goes_to_the_supplier_once(world, settings):
    settings.KPI_REMINDER_AFTER_DAYS = 5
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    KPIFactory(partnership=world.partnership, source="client")  # the client's own: no reminder
    today = datetime.date(2026, 3, 10)  # February ended 10 days ago
    assert alerts.missing_reminders_send(today=today) == 1
    assert alerts.missing_reminders_send(today=today) == 0  # the task running twice
    notes = Notification.objects.filter(kind="kpis.missing")
    assert {n.user for n in notes} == {world.supplier_lead}
    alert = KPIAlert.objects.get(kind="missing")
    assert (alert.kpi, alert.period_start) == (kpi, datetime.date(2026, 2, 1))


def test_no_reminder_within_the_grace_days_or_when_the_value_is_in(world, settings):
    settings.KPI_REMINDER_AFTER_DAYS = 5
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 1, 1), value=Decimal(99))
    # on 3 March, February ended only 3 days ago: January is the period due, and it is in
    assert alerts.missing_reminders_send(today=datetime.date(2026, 3, 3)) == 0
    MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 2, 1), value=Decimal(99))
    assert alerts.missing_reminders_send(today=datetime.date(2026, 3, 10)) == 0
    assert Period.parse("2026-02", "monthly").end == datetime.date(2026, 2, 28)
