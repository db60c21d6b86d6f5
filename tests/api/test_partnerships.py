import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnership.models import CommunicationPlan, Participant, Partnership
from tests import factories as f
from tests.api import paths


def _titles(response):
    return [row["title"] for row in response.json()["results"]]


# --- list ------------------------------------------------------------------------------------


def test_participant_lists_only_their_partnership(login, world):
    response = login(world.member).get(paths.partnerships())
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == str(world.partnership.pk)
    assert row["client"]["name"] == "Hospital"
    assert row["participant_count"] == 5
    assert row["contract_end"] == "2028-12-31"


def test_supplier_manager_lists_every_partnership_of_their_organisation(login, world):
    response = login(world.supplier_lead).get(paths.partnerships())
    assert _titles(response) == ["Hospital cleaning", "University cleaning"]


def test_outsider_lists_no_partnerships(login, world):
    response = login(world.outsider).get(paths.partnerships())
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_anonymous_gets_401_for_partnership_list(api, world):
    response = api.get(paths.partnerships())
    assert response.status_code == 401
    assert "detail" in response.json()


def test_list_filters_by_phase(login, world):
    f.PartnershipFactory(client=world.hospital, supplier=world.university, phase="pilot")
    api = login(world.manager)
    assert len(_titles(api.get(paths.partnerships()))) == 2
    response = api.get(paths.partnerships(), {"phase": "pilot"})
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["phase"] == "pilot"


def test_list_filters_by_service(login, world):
    f.PartnershipFactory(
        client=world.hospital, supplier=world.university, services=["catering", "reception"]
    )
    response = login(world.manager).get(paths.partnerships(), {"service": "catering"})
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["services"] == ["catering", "reception"]


@pytest.mark.parametrize("param", ["phase", "service"])
def test_invalid_filter_value_gets_400_on_that_parameter(login, world, param):
    response = login(world.manager).get(paths.partnerships(), {param: "bogus"})
    assert response.status_code == 400
    assert param in response.json()


def _managed_partnerships(org, count):
    for _ in range(count):
        partnership = f.PartnershipFactory(client=org)
        f.ContractFactory(partnership=partnership)
        f.ParticipantFactory(partnership=partnership)


def _count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def test_partnership_list_runs_the_same_queries_for_5_and_50(login, db):
    org = f.OrganizationFactory()
    admin = f.member(org, "admin")
    api = login(admin)
    _managed_partnerships(org, 5)
    few, count = _count_queries(api, paths.partnerships())
    assert count == 5
    _managed_partnerships(org, 45)
    many, count = _count_queries(api, paths.partnerships())
    assert count == 50
    assert many == few + 1  # a full first page needs its COUNT; a shorter one is its own count


# --- retrieve --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "member", "viewer", "supplier_lead", "facilitator"])
def test_insiders_read_the_partnership(login, world, who):
    response = login(getattr(world, who)).get(paths.partnership(world.partnership))
    assert response.status_code == 200
    assert response.json()["title"] == "Hospital cleaning"


@pytest.mark.parametrize("bad_id", ["not-a-uuid", str(uuid.uuid4())], ids=["malformed", "unknown"])
def test_unknown_or_malformed_partnership_id_gets_404(login, world, bad_id):
    response = login(world.manager).get(f"/api/v1/partnerships/{bad_id}/")
    assert response.status_code == 404


# --- create ----------------------------------------------------------------------------------


def _create_body(world, **overrides):
    body = {
        "client": str(world.hospital.pk),
        "supplier": str(world.university.pk),
        "title": "Hospital catering",
        "services": ["catering"],
        "phase": "pilot",
        "core_values": "Openness",
    }
    body.update(overrides)
    return body


def test_client_admin_creates_a_partnership(login, world):
    response = login(world.manager).post(paths.partnerships(), _create_body(world), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["title"] == "Hospital catering"
    assert body["phase"] == "pilot"
    assert body["supplier"]["id"] == str(world.university.pk)
    assert body["participant_count"] == 1
    created = Partnership.objects.get(pk=body["id"])
    assert created.created_by == world.manager
    assert Participant.objects.filter(partnership=created, user=world.manager, side="client")
    assert CommunicationPlan.objects.filter(partnership=created).exists()


def test_supplier_manager_creates_a_partnership_on_the_supplier_side(login, world):
    body = _create_body(world, client=str(world.university.pk), supplier=str(world.cleaner.pk))
    response = login(world.supplier_lead).post(paths.partnerships(), body, format="json")
    assert response.status_code == 201
    created = Partnership.objects.get(pk=response.json()["id"])
    assert created.participants.get().side == "supplier"


def test_plain_member_cannot_create_a_partnership(login, world):
    response = login(world.member).post(paths.partnerships(), _create_body(world), format="json")
    assert response.status_code == 403
    assert not Partnership.objects.filter(title="Hospital catering").exists()


def test_outsider_cannot_create_a_partnership_between_other_organisations(login, world):
    response = login(world.outsider).post(paths.partnerships(), _create_body(world), format="json")
    assert response.status_code == 403
    assert not Partnership.objects.filter(title="Hospital catering").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"services": ["window-washing"]}, "services"),
        ({"services": []}, "services"),
        ({"phase": "hibernating"}, "phase"),
        ({"title": ""}, "title"),
        ({"client": str(uuid.uuid4())}, "client"),
        ({"supplier": "not-a-uuid"}, "supplier"),
    ],
)
def test_bad_partnership_body_gets_400_on_the_field(login, world, overrides, field):
    body = _create_body(world, **overrides)
    response = login(world.manager).post(paths.partnerships(), body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_same_client_and_supplier_gets_400_from_the_service(login, world):
    body = _create_body(world, supplier=str(world.hospital.pk))
    response = login(world.manager).post(paths.partnerships(), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["supplier"]
    assert isinstance(response.json()["supplier"][0], str)


# --- update ----------------------------------------------------------------------------------


def test_manager_changes_the_title(login, world):
    response = login(world.manager).patch(
        paths.partnership(world.partnership), {"title": "Hospital cleaning 2.0"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Hospital cleaning 2.0"
    world.partnership.refresh_from_db()
    assert world.partnership.title == "Hospital cleaning 2.0"


def test_supplier_manager_replaces_the_details(login, world):
    body = {"title": "Cleaning", "services": ["cleaning", "it"], "future_vision": "Together"}
    response = login(world.supplier_lead).put(
        paths.partnership(world.partnership), body, format="json"
    )
    assert response.status_code == 200
    world.partnership.refresh_from_db()
    assert world.partnership.services == ["cleaning", "it"]
    assert world.partnership.future_vision == "Together"


def test_put_without_required_fields_gets_400(login, world):
    response = login(world.manager).put(
        paths.partnership(world.partnership), {"title": "x"}, format="json"
    )
    assert response.status_code == 400
    assert "services" in response.json()


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator"])
def test_insider_without_the_role_gets_403_on_update(login, world, who):
    response = login(getattr(world, who)).patch(
        paths.partnership(world.partnership), {"title": "Taken over"}, format="json"
    )
    assert response.status_code == 403
    world.partnership.refresh_from_db()
    assert world.partnership.title == "Hospital cleaning"


def test_invalid_phase_on_update_gets_400(login, world):
    response = login(world.manager).patch(
        paths.partnership(world.partnership), {"phase": "hibernating"}, format="json"
    )
    assert response.status_code == 400
    assert "phase" in response.json()


def test_ended_partnership_is_read_only(login, world):
    Partnership.objects.filter(pk=world.partnership.pk).update(phase="ended")
    api = login(world.manager)
    assert api.get(paths.partnership(world.partnership)).status_code == 200
    response = api.patch(paths.partnership(world.partnership), {"title": "x"}, format="json")
    assert response.status_code == 403


def test_partnerships_cannot_be_deleted_through_the_api(login, world):
    response = login(world.manager).delete(paths.partnership(world.partnership))
    assert response.status_code == 405
    assert Partnership.objects.filter(pk=world.partnership.pk).exists()


@pytest.mark.parametrize("method", ["post", "delete"])
def test_outsider_gets_404_not_405_for_unsupported_methods(login, world, method):
    response = getattr(login(world.outsider), method)(paths.partnership(world.partnership))
    assert response.status_code == 404
