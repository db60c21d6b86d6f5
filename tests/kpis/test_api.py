"""The KPI API: KPIs, the library, measurements and the bulk upsert, under one partnership.

Every endpoint is tried by an insider with the role and an insider without it (2xx / 403); the
outsider's 404 on every route and method is proven by `tests/isolation`, which walks every route
with foreign ids.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import KPI, Measurement
from kpis.status import kpi_status
from tests.api import paths
from tests.kpis.factories import KPIFactory, MeasurementFactory

KPI_WRITE_DENIED = ["member", "viewer", "facilitator"]
READERS = ["manager", "member", "viewer", "supplier_lead", "facilitator"]


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English (see tests/kpis/conftest.py)."""


def kpis(p) -> str:
    return f"{paths.partnership(p)}kpis/"


def kpi_url(p, kpi) -> str:
    return f"{kpis(p)}{kpi.pk}/"


def measurements(p, kpi) -> str:
    return f"{kpi_url(p, kpi)}measurements/"


def measurement_url(p, kpi, measurement) -> str:
    return f"{measurements(p, kpi)}{measurement.pk}/"


def bulk(p) -> str:
    return f"{paths.partnership(p)}measurements/bulk/"


@pytest.fixture
def supplier_kpi(world):
    return KPIFactory(partnership=world.partnership, name="Pass rate", source="supplier")


@pytest.fixture
def client_kpi(world):
    return KPIFactory(
        partnership=world.partnership,
        name="Complaints",
        source="client",
        direction="lower",
        target=Decimal(5),
        tolerance=Decimal(2),
        unit="",
    )


@pytest.fixture
def foreign_kpi(world):
    return KPIFactory(partnership=world.other_partnership, name="University pass rate")


def _kpi_body(**overrides):
    body = {
        "name": "Response time",
        "unit": "h",
        "direction": "lower",
        "target": "4",
        "tolerance": "2",
        "frequency": "monthly",
        "source": "supplier",
    }
    body.update(overrides)
    return body


# --- KPIs: read ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_insiders_list_kpis(login, world, supplier_kpi, foreign_kpi, who):
    response = login(getattr(world, who)).get(kpis(world.partnership))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [supplier_kpi.pk]


def test_kpi_list_shows_the_newest_value_and_its_status(login, world, supplier_kpi, client_kpi):
    MeasurementFactory(kpi=supplier_kpi, period_start=datetime.date(2026, 1, 1), value=90)
    MeasurementFactory(kpi=supplier_kpi, period_start=datetime.date(2026, 2, 1), value=92)
    response = login(world.viewer).get(kpis(world.partnership))
    rows = {row["name"]: row for row in response.json()["results"]}
    latest = rows["Pass rate"]
    assert (latest["latest_period"], latest["latest_value"]) == ("2026-02", "92.00")
    expected = kpi_status(Decimal(92), target=Decimal(95), tolerance=Decimal(5), direction="higher")
    assert latest["latest_status"] == expected.value == "amber"
    empty = rows["Complaints"]
    assert (empty["latest_period"], empty["latest_value"]) == (None, None)
    assert empty["latest_status"] == "missing"


def test_kpi_list_filters_on_active(login, world, supplier_kpi):
    retired = KPIFactory(partnership=world.partnership, name="Old KPI", active=False)
    api = login(world.member)
    active = api.get(kpis(world.partnership), {"active": "true"}).json()["results"]
    inactive = api.get(kpis(world.partnership), {"active": "false"}).json()["results"]
    both = api.get(kpis(world.partnership)).json()["results"]
    assert [row["id"] for row in active] == [supplier_kpi.pk]
    assert [row["id"] for row in inactive] == [retired.pk]
    assert len(both) == 2


def test_viewer_reads_a_kpi(login, world, supplier_kpi):
    response = login(world.viewer).get(kpi_url(world.partnership, supplier_kpi))
    assert response.status_code == 200
    assert response.json()["name"] == "Pass rate"
    assert response.json()["target"] == "95.00"


def test_kpi_of_another_partnership_gets_404_under_this_one(login, world, foreign_kpi):
    # The supplier lead sees both partnerships, yet KPI ids do not cross between them.
    api = login(world.supplier_lead)
    assert api.get(kpi_url(world.partnership, foreign_kpi)).status_code == 404
    assert api.get(kpi_url(world.other_partnership, foreign_kpi)).status_code == 200


def test_kpi_list_runs_the_same_queries_for_5_and_40(login, world):
    api = login(world.member)

    def add_kpis(count):
        for kpi in KPIFactory.create_batch(count, partnership=world.partnership):
            MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 1, 1))
            MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 2, 1), value=80)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(kpis(world.partnership))
        assert response.status_code == 200
        body = response.json()
        assert all(row["latest_status"] == "red" for row in body["results"])
        return len(ctx.captured_queries), body["count"]

    add_kpis(5)
    few, count = measure()
    assert count == 5
    add_kpis(35)
    many, count = measure()
    assert count == 40
    assert few == many


# --- KPIs: write -----------------------------------------------------------------------------


def test_an_inspection_kpi_keeps_the_figure_it_is_derived_from(login, world):
    """The API reads and writes `inspection_measure`, as the form does (one field list)."""
    api = login(world.manager)
    body = _kpi_body(source="inspection", inspection_measure="pass_rate")
    response = api.post(kpis(world.partnership), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["inspection_measure"] == "pass_rate"
    url = f"{kpis(world.partnership)}{response.json()['id']}/"
    response = api.patch(url, {"inspection_measure": "score"}, format="json")
    assert response.status_code == 200, response.json()
    assert KPI.objects.get(pk=response.json()["id"]).inspection_measure == "score"


@pytest.mark.parametrize("who", ["manager", "supplier_lead"])
def test_managers_define_a_kpi(login, world, who):
    body = _kpi_body()
    response = login(getattr(world, who)).post(kpis(world.partnership), body, format="json")
    assert response.status_code == 201, response.json()
    kpi = KPI.objects.get(pk=response.json()["id"])
    assert kpi.partnership == world.partnership  # from the URL, never the body
    assert (kpi.direction, kpi.target) == ("lower", Decimal(4))
    assert response.json()["latest_status"] == "missing"


@pytest.mark.parametrize("who", KPI_WRITE_DENIED)
def test_insider_without_the_role_gets_403_defining_a_kpi(login, world, who):
    response = login(getattr(world, who)).post(kpis(world.partnership), _kpi_body(), format="json")
    assert response.status_code == 403
    assert not KPI.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"direction": "sideways"}, "direction"),
        ({"target": "lots"}, "target"),
        ({"tolerance": "-1"}, "tolerance"),
        ({"weight": "0"}, "weight"),
        ({"inspection_measure": "mood"}, "inspection_measure"),
    ],
)
def test_bad_kpi_body_gets_400_on_the_field(login, world, overrides, field):
    response = login(world.manager).post(
        kpis(world.partnership), _kpi_body(**overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not KPI.objects.exists()


def test_duplicate_kpi_name_gets_400_on_name(login, world, supplier_kpi):
    body = _kpi_body(name="PASS RATE")
    response = login(world.manager).post(kpis(world.partnership), body, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This partnership already has a KPI with this name."]}


def test_same_kpi_name_in_another_partnership_is_fine(login, world, foreign_kpi):
    body = _kpi_body(name=foreign_kpi.name)
    response = login(world.manager).post(kpis(world.partnership), body, format="json")
    assert response.status_code == 201


def test_manager_changes_a_kpi(login, world, supplier_kpi):
    url = kpi_url(world.partnership, supplier_kpi)
    response = login(world.manager).patch(url, {"active": False}, format="json")
    assert response.status_code == 200, response.json()
    supplier_kpi.refresh_from_db()
    assert (supplier_kpi.active, supplier_kpi.name) == (False, "Pass rate")
    assert response.json()["active"] is False


def test_a_norm_change_by_patch_is_a_proposal_answered_202(login, world, supplier_kpi):
    url = kpi_url(world.partnership, supplier_kpi)
    old_target = supplier_kpi.target
    response = login(world.manager).patch(url, {"target": "97.5", "unit": "pct"}, format="json")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert body["kpi"]["unit"] == "pct"  # the other fields applied at once
    assert body["kpi"]["target"] == f"{old_target:.2f}"  # the norm did not
    proposal = body["norm_proposal"]
    assert (proposal["state"], proposal["side"], proposal["target"]) == ("open", "client", "97.50")
    supplier_kpi.refresh_from_db()
    assert supplier_kpi.target == old_target


def test_manager_replaces_a_kpi(login, world, supplier_kpi):
    url = kpi_url(world.partnership, supplier_kpi)
    response = login(world.supplier_lead).put(url, _kpi_body(name="Renamed"), format="json")
    assert response.status_code == 202, response.json()  # the body's norm differs: proposed
    supplier_kpi.refresh_from_db()
    assert (supplier_kpi.name, supplier_kpi.direction) == ("Renamed", "lower")
    assert response.json()["norm_proposal"]["side"] == "supplier"


def test_renaming_onto_another_kpi_gets_400(login, world, supplier_kpi, client_kpi):
    url = kpi_url(world.partnership, supplier_kpi)
    response = login(world.manager).patch(url, {"name": "complaints"}, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["name"]


@pytest.mark.parametrize("who", KPI_WRITE_DENIED)
def test_insider_without_the_role_gets_403_changing_a_kpi(login, world, supplier_kpi, who):
    url = kpi_url(world.partnership, supplier_kpi)
    response = login(getattr(world, who)).patch(url, {"target": "1"}, format="json")
    assert response.status_code == 403
    supplier_kpi.refresh_from_db()
    assert supplier_kpi.target == Decimal(95)


def test_manager_gets_404_changing_a_kpi_of_another_partnership(login, world, foreign_kpi):
    # The supplier lead manages in both partnerships; the URL's partnership still decides.
    url = kpi_url(world.partnership, foreign_kpi)
    response = login(world.supplier_lead).patch(url, {"target": "1"}, format="json")
    assert response.status_code == 404
    foreign_kpi.refresh_from_db()
    assert foreign_kpi.target == Decimal(95)


# --- KPI library -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_insiders_read_the_library_for_their_services(login, world, who):
    response = login(getattr(world, who)).get(f"{kpis(world.partnership)}library/")
    assert response.status_code == 200
    keys = [row["key"] for row in response.json()]
    assert "cleaning.complaints" in keys
    assert all(key.startswith("cleaning.") for key in keys)


def test_manager_copies_a_kpi_from_the_library(login, world):
    url = f"{kpis(world.partnership)}from-library/"
    response = login(world.manager).post(url, {"key": "cleaning.complaints"}, format="json")
    assert response.status_code == 201, response.json()
    kpi = KPI.objects.get(pk=response.json()["id"])
    assert (kpi.partnership, kpi.name, kpi.source) == (
        world.partnership,
        "Complaints per month",
        "client",
    )


@pytest.mark.parametrize("who", KPI_WRITE_DENIED)
def test_insider_without_the_role_gets_403_copying_from_the_library(login, world, who):
    url = f"{kpis(world.partnership)}from-library/"
    response = login(getattr(world, who)).post(url, {"key": "cleaning.complaints"}, format="json")
    assert response.status_code == 403
    assert not KPI.objects.exists()


def test_unknown_library_key_gets_400_on_key(login, world):
    url = f"{kpis(world.partnership)}from-library/"
    response = login(world.manager).post(url, {"key": "cleaning.nope"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"key": ["Unknown KPI template."]}


# --- Measurements: read ----------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_insiders_list_measurements_newest_first(login, world, supplier_kpi, who):
    MeasurementFactory(
        kpi=supplier_kpi, period_start=datetime.date(2026, 1, 1), value=96, note="Fine"
    )
    MeasurementFactory(
        kpi=supplier_kpi,
        period_start=datetime.date(2026, 3, 1),
        value=80,
        entered_by=world.supplier_lead,
    )
    response = login(getattr(world, who)).get(measurements(world.partnership, supplier_kpi))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["period"], r["value"], r["status"]) for r in rows] == [
        ("2026-03", "80.00", "red"),
        ("2026-01", "96.00", "green"),
    ]
    assert rows[0]["entered_by"] == world.supplier_lead.display_name
    assert (rows[1]["note"], rows[1]["entered_by"]) == ("Fine", None)


def test_measurements_of_a_kpi_of_another_partnership_get_404(login, world, foreign_kpi):
    MeasurementFactory(kpi=foreign_kpi)
    response = login(world.supplier_lead).get(measurements(world.partnership, foreign_kpi))
    assert response.status_code == 404


def test_viewer_reads_a_measurement(login, world, supplier_kpi):
    measurement = MeasurementFactory(kpi=supplier_kpi, value=Decimal("94.5"))
    url = measurement_url(world.partnership, supplier_kpi, measurement)
    response = login(world.viewer).get(url)
    assert response.status_code == 200
    assert (response.json()["value"], response.json()["status"]) == ("94.50", "amber")


def test_measurement_is_only_found_under_its_own_kpi(login, world, supplier_kpi, client_kpi):
    measurement = MeasurementFactory(kpi=client_kpi)
    url = measurement_url(world.partnership, supplier_kpi, measurement)
    assert login(world.manager).get(url).status_code == 404


def test_measurement_list_runs_the_same_queries_for_5_and_40(login, world, supplier_kpi):
    api = login(world.viewer)
    users = [world.supplier_lead, world.manager, None]

    def add(months):
        for month in months:
            year, month0 = divmod(month, 12)
            MeasurementFactory(
                kpi=supplier_kpi,
                period_start=datetime.date(2020 + year, month0 + 1, 1),
                entered_by=users[month % 3],
            )

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(measurements(world.partnership, supplier_kpi))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    add(range(5))
    few, count = measure()
    assert count == 5
    add(range(5, 40))
    many, count = measure()
    assert count == 40
    assert few == many


# --- Measurements: write ---------------------------------------------------------------------


def _record(api, world, kpi, **body):
    body = {"period": "2026-03", "value": "96.5", "note": "", **body}
    return api.post(measurements(world.partnership, kpi), body, format="json")


def test_supplier_lead_reports_a_supplier_kpi_then_corrects_it(login, world, supplier_kpi):
    api = login(world.supplier_lead)
    first = _record(api, world, supplier_kpi, note="Audit week")
    assert first.status_code == 201, first.json()
    assert (first.json()["period"], first.json()["status"]) == ("2026-03", "green")
    assert first.json()["entered_by"] == world.supplier_lead.display_name
    refused = _record(api, world, supplier_kpi, value="91")
    assert refused.status_code == 409, refused.json()
    assert refused.json()["current"]["value"] == "96.50"
    assert "overwrite" in refused.json()["how_to_overwrite"]
    assert Measurement.objects.get(kpi=supplier_kpi).value == Decimal("96.5")
    second = _record(api, world, supplier_kpi, value="91", overwrite=True)
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    measurement = Measurement.objects.get(kpi=supplier_kpi)
    assert (measurement.value, measurement.period_start) == (Decimal(91), datetime.date(2026, 3, 1))


def test_member_gets_403_reporting_a_supplier_kpi(login, world, supplier_kpi):
    response = _record(login(world.member), world, supplier_kpi)
    assert response.status_code == 403
    assert response.json() == {"detail": "Only the supplier reports this KPI."}
    assert not Measurement.objects.exists()


def test_member_measures_a_client_kpi(login, world, client_kpi):
    response = _record(login(world.member), world, client_kpi, value="6")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "amber"


@pytest.mark.parametrize("who", ["viewer", "facilitator"])
def test_insider_without_the_role_gets_403_recording_a_value(login, world, supplier_kpi, who):
    response = _record(login(getattr(world, who)), world, supplier_kpi)
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_recording_under_a_kpi_of_another_partnership_gets_404(login, world, foreign_kpi):
    response = _record(login(world.supplier_lead), world, foreign_kpi)
    assert response.status_code == 404
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"period": "March"}, "period", "Enter a period like 2026-03."),
        ({"period": "2026-13"}, "period", "Enter a period like 2026-03."),
        ({"value": "lots"}, "value", "Enter a number."),
        ({"value": "NaN"}, "value", "Enter a number."),
        ({"value": "1.234"}, "value", "Enter a number with at most two decimals."),
    ],
)
def test_bad_measurement_gets_400_on_the_field(login, world, supplier_kpi, body, field, message):
    response = _record(login(world.supplier_lead), world, supplier_kpi, **body)
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert not Measurement.objects.exists()


# --- Bulk upsert -----------------------------------------------------------------------------


def _rows(supplier_kpi, count=3):
    return [
        {"kpi": supplier_kpi.pk if n % 2 else supplier_kpi.name, "period": f"2026-{n:02d}"}
        | {"value": str(90 + n), "note": f"row {n}"}
        for n in range(1, count + 1)
    ]


def test_bulk_upsert_is_idempotent(login, world, supplier_kpi):
    api = login(world.supplier_lead)
    body = {"measurements": _rows(supplier_kpi)}
    first = api.post(bulk(world.partnership), body, format="json")
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 3, "updated": 0}
    stored = list(Measurement.objects.order_by("period_start").values_list("pk", "value", "note"))
    assert [value for _pk, value, _note in stored] == [Decimal(91), Decimal(92), Decimal(93)]
    second = api.post(bulk(world.partnership), body, format="json")
    assert second.json() == {"created": 0, "updated": 3}
    again = list(Measurement.objects.order_by("period_start").values_list("pk", "value", "note"))
    assert again == stored


def test_bulk_counts_created_and_updated_rows(login, world, supplier_kpi):
    MeasurementFactory(kpi=supplier_kpi, period_start=datetime.date(2026, 2, 1), value=50)
    api = login(world.supplier_lead)
    refused = api.post(
        bulk(world.partnership), {"measurements": _rows(supplier_kpi)}, format="json"
    )
    assert refused.status_code == 400
    assert list(refused.json()["rows"]) == ["2"]
    assert "already has the value 50" in refused.json()["rows"]["2"]["period"][0]
    assert Measurement.objects.count() == 1  # nothing written
    response = api.post(
        bulk(world.partnership),
        {"measurements": _rows(supplier_kpi), "overwrite": True},
        format="json",
    )
    assert response.json() == {"created": 2, "updated": 1}
    assert Measurement.objects.get(period_start=datetime.date(2026, 2, 1)).value == Decimal(92)


def test_bulk_writes_nothing_when_one_row_is_wrong(login, world, supplier_kpi):
    rows = _rows(supplier_kpi, 4)
    rows[2]["value"] = "ninety"
    rows[3]["period"] = "someday"
    response = login(world.supplier_lead).post(
        bulk(world.partnership), {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "rows": {
            "3": {"value": ["Enter a number."]},
            "4": {"period": ["Enter a period like 2026-03."]},
        }
    }
    assert not Measurement.objects.exists()


def test_bulk_row_with_a_kpi_of_another_partnership_is_unknown(
    login, world, supplier_kpi, foreign_kpi
):
    rows = _rows(supplier_kpi, 2)
    rows.append({"kpi": foreign_kpi.pk, "period": "2026-03", "value": "99"})
    rows.append({"kpi": foreign_kpi.name, "period": "2026-03", "value": "99"})
    response = login(world.supplier_lead).post(
        bulk(world.partnership), {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "rows": {"3": {"kpi": ["Unknown KPI."]}, "4": {"kpi": ["Unknown KPI."]}}
    }
    assert not Measurement.objects.exists()


def test_bulk_rows_follow_the_source_rule(login, world, supplier_kpi, client_kpi):
    rows = [
        {"kpi": client_kpi.pk, "period": "2026-01", "value": "3"},
        {"kpi": supplier_kpi.pk, "period": "2026-01", "value": "96"},
    ]
    response = login(world.member).post(
        bulk(world.partnership), {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"rows": {"2": {"kpi": ["Only the supplier reports this KPI."]}}}
    assert not Measurement.objects.exists()


def test_bulk_rejects_the_same_kpi_and_period_twice(login, world, supplier_kpi):
    rows = [
        {"kpi": supplier_kpi.pk, "period": "2026-01", "value": "96"},
        {"kpi": supplier_kpi.name, "period": "2026-01-15", "value": "97"},
        {"period": "2026-02"},
    ]
    response = login(world.supplier_lead).post(
        bulk(world.partnership), {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()["rows"]
    assert errors["2"] == {"period": ["Row 1 already gives a value for this KPI and period."]}
    assert set(errors["3"]) == {"kpi", "value"}
    assert "1" not in errors


def test_bulk_refuses_more_than_1000_rows(login, world, supplier_kpi):
    rows = [{"kpi": supplier_kpi.pk, "period": "2026-01", "value": "1"}] * 1001
    response = login(world.supplier_lead).post(
        bulk(world.partnership), {"measurements": rows}, format="json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["measurements"]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("body", [{}, {"measurements": []}, {"measurements": "all"}])
def test_bulk_without_rows_gets_400(login, world, body):
    response = login(world.supplier_lead).post(bulk(world.partnership), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["measurements"]


@pytest.mark.parametrize("who", ["viewer", "facilitator"])
def test_insider_without_the_role_gets_403_for_bulk(login, world, supplier_kpi, who):
    response = login(getattr(world, who)).post(
        bulk(world.partnership), {"measurements": _rows(supplier_kpi)}, format="json"
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


# --- Schema ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_documents_the_kpi_routes_with_their_errors(client, world):
    client.force_login(world.member)  # the schema needs a sign-in with DEBUG off
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    schema_paths = response.json()["paths"]
    base = "/api/v1/partnerships/{partnership_id}"
    expected = {
        f"{base}/kpis/": {"get", "post"},
        f"{base}/kpis/{{kpi_id}}/": {"get", "put", "patch"},
        f"{base}/kpis/library/": {"get"},
        f"{base}/kpis/from-library/": {"post"},
        f"{base}/kpis/{{kpi_id}}/measurements/": {"get", "post"},
        f"{base}/kpis/{{kpi_id}}/measurements/{{measurement_id}}/": {"get"},
        f"{base}/measurements/bulk/": {"post"},
    }
    for path, methods in expected.items():
        operations = schema_paths[path]
        assert set(operations) - {"parameters"} == methods, path
        for method in methods:
            operation = operations[method]
            assert operation["tags"] == ["kpis"]
            needed = {"401", "404"} if method == "get" else {"400", "401", "403", "404"}
            assert needed <= set(operation["responses"]), (path, method)
