import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis import services
from kpis.models import KPI, Measurement
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db


def test_manager_creates_kpi_and_copies_from_library(world):
    kpi = services.kpi_create(
        actor=world.manager,
        partnership=world.partnership,
        name="Complaints",
        direction="lower",
        target="5",
        tolerance="2,5",
        frequency="monthly",
        source="client",
    )
    assert kpi.tolerance == Decimal("2.5")
    copied = services.kpi_copy_from_library(
        actor=world.supplier_lead, partnership=world.partnership, key="cleaning.incident_resolution"
    )
    assert copied.source == "supplier" and copied.partnership == world.partnership


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"name": " "}, "name"),
        ({"tolerance": "-1"}, "tolerance"),
        ({"weight": "0"}, "weight"),
        ({"direction": "sideways"}, "direction"),
        ({"target": "lots"}, "target"),
    ],
)
def test_kpi_create_rejects_bad_input(world, fields, error_field):
    data = {"name": "Pass rate", "target": "95", "tolerance": "5", **fields}
    with pytest.raises(ValidationError) as exc:
        services.kpi_create(actor=world.manager, partnership=world.partnership, **data)
    assert error_field in exc.value.message_dict
    assert not KPI.objects.filter(partnership=world.partnership).exists()


def test_kpi_names_are_unique_per_partnership(world):
    services.kpi_create(actor=world.manager, partnership=world.partnership, name="X", target=1)
    with pytest.raises(ValidationError):
        services.kpi_create(actor=world.manager, partnership=world.partnership, name="x", target=1)
    services.kpi_create(actor=world.manager, partnership=world.partnership, name="Y", target=1)


def test_only_managers_define_kpis(world):
    for user in (world.member, world.viewer, world.facilitator, world.outsider):
        with pytest.raises(PermissionDenied):
            services.kpi_create(actor=user, partnership=world.partnership, name="X", target=1)


def test_measurement_is_one_per_period_and_corrections_update_it(world):
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    services.measurement_record(actor=world.supplier_lead, kpi=kpi, period="2026-02", value="91")
    with pytest.raises(services.OverwriteRequired):  # never replaced unseen
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-02-20", value="97.5"
        )
    m = services.measurement_record(
        actor=world.supplier_lead,
        kpi=kpi,
        period="2026-02-20",
        value="97.5",
        note="recount",
        overwrite=True,
    )
    assert Measurement.objects.filter(kpi=kpi).count() == 1
    assert (m.period_start, m.value, m.note) == (
        datetime.date(2026, 2, 1),
        Decimal("97.5"),
        "recount",
    )
    assert m.status == "green"
    assert Measurement.history.filter(id=m.pk).count() == 2


def test_measurement_source_decides_who_reports(world):
    supplier_kpi = KPIFactory(partnership=world.partnership, source="supplier")
    client_kpi = KPIFactory(partnership=world.partnership, source="client")
    inspection_kpi = KPIFactory(partnership=world.partnership, source="inspection")
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=world.member, kpi=supplier_kpi, period="2026-01", value=1)
    services.measurement_record(actor=world.member, kpi=client_kpi, period="2026-01", value=1)
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=world.viewer, kpi=client_kpi, period="2026-01", value=1)
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=world.supplier_lead, kpi=inspection_kpi, period="2026-01", value=1
        )
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=world.outsider, kpi=client_kpi, period="2026-01", value=1)


@pytest.mark.parametrize(
    ("period", "value", "field"),
    [
        ("2026-13", "1", "period"),
        ("next month", "1", "period"),
        ("2026-01", "abc", "value"),
        ("2026-01", "1.234", "value"),
    ],
)
def test_measurement_bad_input_writes_nothing(world, period, value, field):
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    with pytest.raises(ValidationError) as exc:
        services.measurement_record(actor=world.supplier_lead, kpi=kpi, period=period, value=value)
    assert field in exc.value.message_dict
    assert not Measurement.objects.filter(kpi=kpi).exists()


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-inf"])
def test_non_finite_values_are_refused(world, value):
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=world.supplier_lead, kpi=kpi, period="2026-01", value=value
        )


def test_kpi_changes_show_in_the_partnership_history(client, world):
    kpi = services.kpi_create(
        actor=world.manager, partnership=world.partnership, name="Pass rate KX", target=95
    )
    services.kpi_update(actor=world.manager, kpi=kpi, target="97")
    client.force_login(world.viewer)
    page = client.get(
        f"/partnerships/{world.partnership.pk}/history/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Pass rate KX" in page and "changed KPI" in page
