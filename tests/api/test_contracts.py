import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnership.models import Contract, Partnership
from tests import factories as f
from tests.api import paths

WRITE_DENIED = ["member", "viewer", "facilitator"]


def _contract_body(**overrides):
    body = {
        "reference": "C-NEW",
        "title": "Window cleaning",
        "start_date": "2026-04-01",
        "end_date": "2027-03-31",
        "value": "12000.00",
        "quality_agreements": "98% of rooms pass the daily check",
    }
    body.update(overrides)
    return body


# --- read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "viewer", "supplier_lead", "facilitator"])
def test_insiders_list_contracts(login, world, who):
    response = login(getattr(world, who)).get(paths.contracts(world.partnership))
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [world.contract.pk]


def test_viewer_reads_a_contract(login, world):
    response = login(world.viewer).get(paths.contract(world.partnership, world.contract))
    assert response.status_code == 200
    assert response.json()["reference"] == world.contract.reference
    assert response.json()["end_date"] == "2028-12-31"


def test_contract_of_another_partnership_gets_404_under_this_one(login, world):
    # The supplier lead can see both partnerships, yet ids do not cross between them.
    response = login(world.supplier_lead).get(
        paths.contract(world.partnership, world.other_contract)
    )
    assert response.status_code == 404


def test_contract_list_runs_the_same_queries_for_5_and_50(login, world):
    api = login(world.member)
    f.ContractFactory.create_batch(4, partnership=world.partnership)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(paths.contracts(world.partnership))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.json()["count"]

    few, count = measure()
    assert count == 5
    f.ContractFactory.create_batch(45, partnership=world.partnership)
    many, count = measure()
    assert count == 50
    assert many == few + 1  # a full first page needs its COUNT; a shorter one is its own count


# --- create ----------------------------------------------------------------------------------


def test_manager_adds_a_contract(login, world):
    response = login(world.manager).post(
        paths.contracts(world.partnership), _contract_body(), format="json"
    )
    assert response.status_code == 201, response.json()
    contract = Contract.objects.get(pk=response.json()["id"])
    assert contract.partnership == world.partnership
    assert contract.end_date == datetime.date(2027, 3, 31)


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_adding_a_contract(login, world, who):
    response = login(getattr(world, who)).post(
        paths.contracts(world.partnership), _contract_body(), format="json"
    )
    assert response.status_code == 403
    assert not Contract.objects.filter(reference="C-NEW").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"value": "-5"}, "value"),
        ({"start_date": "first of April"}, "start_date"),
        ({"pilot_evaluation_date": "2025-01-01"}, "pilot_evaluation_date"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_contract_body_gets_400_on_the_field(login, world, overrides, field):
    response = login(world.manager).post(
        paths.contracts(world.partnership), _contract_body(**overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Contract.objects.filter(reference="C-NEW").exists()


def test_duplicate_reference_gets_400(login, world):
    body = _contract_body(reference=world.contract.reference)
    response = login(world.manager).post(paths.contracts(world.partnership), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["reference"]


def test_same_reference_in_another_partnership_is_fine(login, world):
    body = _contract_body(reference=world.other_contract.reference)
    response = login(world.manager).post(paths.contracts(world.partnership), body, format="json")
    assert response.status_code == 201


def test_partnership_in_the_body_is_refused(login, world):
    body = _contract_body(partnership=str(world.other_partnership.pk))
    response = login(world.manager).post(paths.contracts(world.partnership), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["partnership"]
    assert not Contract.objects.filter(reference="C-NEW").exists()


# --- update and delete -----------------------------------------------------------------------


def test_manager_moves_the_end_date(login, world):
    response = login(world.supplier_lead).patch(
        paths.contract(world.partnership, world.contract), {"end_date": "2029-06-30"}
    )
    assert response.status_code == 200
    world.contract.refresh_from_db()
    assert world.contract.end_date == datetime.date(2029, 6, 30)


def test_end_before_start_on_update_gets_400_and_changes_nothing(login, world):
    response = login(world.manager).patch(
        paths.contract(world.partnership, world.contract), {"end_date": "2020-01-01"}
    )
    assert response.status_code == 400
    assert "end_date" in response.json()
    world.contract.refresh_from_db()
    assert world.contract.end_date == datetime.date(2028, 12, 31)


def test_manager_replaces_a_contract(login, world):
    body = _contract_body(reference=world.contract.reference, title="Renewed")
    response = login(world.manager).put(
        paths.contract(world.partnership, world.contract), body, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Renewed"


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_changing_a_contract(login, world, who):
    response = login(getattr(world, who)).patch(
        paths.contract(world.partnership, world.contract), {"title": "Mine"}
    )
    assert response.status_code == 403


def test_manager_deletes_a_contract(login, world):
    response = login(world.manager).delete(paths.contract(world.partnership, world.contract))
    assert response.status_code == 204
    assert not Contract.objects.filter(pk=world.contract.pk).exists()


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_deleting_a_contract(login, world, who):
    response = login(getattr(world, who)).delete(paths.contract(world.partnership, world.contract))
    assert response.status_code == 403
    assert Contract.objects.filter(pk=world.contract.pk).exists()


def test_contracts_of_an_ended_partnership_are_read_only(login, world):
    Partnership.objects.filter(pk=world.partnership.pk).update(phase="ended")
    api = login(world.manager)
    assert api.get(paths.contracts(world.partnership)).status_code == 200
    response = api.post(paths.contracts(world.partnership), _contract_body(), format="json")
    assert response.status_code == 403
