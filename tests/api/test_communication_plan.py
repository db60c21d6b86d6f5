import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from partnership.models import CommunicationPlan, Contact, EscalationStep, MeetingCadence
from partnership.services_plan_api import communication_plan_replace
from tests import factories as f
from tests.api import paths

WRITE_DENIED = ["member", "viewer", "facilitator"]


@pytest.fixture
def plan(world):
    f.ContactFactory(partnership=world.partnership, name="Anna de Vries")
    f.ContactFactory(partnership=world.partnership, side="supplier", name="Bram Jansen")
    f.MeetingFactory(partnership=world.partnership)
    f.EscalationStepFactory(partnership=world.partnership, level=1)
    return world.partnership.communication_plan


FULL_BODY = {
    "emergency_number": "+31 20 555 0000",
    "emergency_instructions": "Flooding, fire, security incidents",
    "channels": "Hub for questions; phone for urgent matters",
    "contacts": [
        {"side": "client", "name": "Carla Smit", "role": "Contract manager", "order": 1},
        {"side": "supplier", "name": "Dirk Bakker", "role": "Project leader"},
    ],
    "meetings": [
        {"level": "tactical", "frequency": "monthly", "participants": "Contract managers"}
    ],
    "escalation_steps": [
        {"level": 1, "client_contact": "Carla Smit", "supplier_contact": "Dirk Bakker"},
        {"level": 2, "client_contact": "Director", "supplier_contact": "Regional manager"},
    ],
}


# --- read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "viewer", "supplier_lead", "facilitator"])
def test_insiders_read_the_plan(login, world, plan, who):
    response = login(getattr(world, who)).get(paths.plan(world.partnership))
    assert response.status_code == 200
    body = response.json()
    assert body["emergency_number"] == "+31 20 555 0101"
    assert {c["name"] for c in body["contacts"]} == {"Anna de Vries", "Bram Jansen"}
    assert len(body["meetings"]) == 1
    assert body["escalation_steps"][0]["level"] == 1


def test_anonymous_gets_401_for_the_plan(api, world):
    assert api.get(paths.plan(world.partnership)).status_code == 401


def test_plan_has_no_collection_methods(login, world, plan):
    api = login(world.manager)
    assert api.post(paths.plan(world.partnership), FULL_BODY, format="json").status_code == 405
    assert api.delete(paths.plan(world.partnership)).status_code == 405


# --- write -----------------------------------------------------------------------------------


def test_put_replaces_fields_and_every_list_sent(login, world, plan):
    response = login(world.manager).put(paths.plan(world.partnership), FULL_BODY, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["emergency_number"] == "+31 20 555 0000"
    assert sorted(Contact.objects.filter(plan=plan).values_list("name", flat=True)) == [
        "Carla Smit",
        "Dirk Bakker",
    ]
    assert list(MeetingCadence.objects.filter(plan=plan).values_list("level", flat=True)) == [
        "tactical"
    ]
    assert EscalationStep.objects.filter(plan=plan).count() == 2


def test_patch_changes_only_what_is_sent(login, world, plan):
    body = {"emergency_number": "112", "contacts": []}
    response = login(world.supplier_lead).patch(paths.plan(world.partnership), body, format="json")
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.emergency_number == "112"
    assert plan.channels == ""
    assert not Contact.objects.filter(plan=plan).exists()
    assert MeetingCadence.objects.filter(plan=plan).count() == 1  # not sent, so kept
    assert EscalationStep.objects.filter(plan=plan).count() == 1


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_writing_the_plan(login, world, plan, who):
    response = login(getattr(world, who)).put(
        paths.plan(world.partnership), FULL_BODY, format="json"
    )
    assert response.status_code == 403
    assert Contact.objects.filter(plan=plan).count() == 2


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"emergency_number": "call Bram"}, "emergency_number"),
        ({"contacts": [{"side": "facilitator", "name": "X", "role": "Y"}]}, "contacts"),
        ({"contacts": [{"side": "client", "role": "Y"}]}, "contacts"),
        (
            {"meetings": [{"level": "cosmic", "frequency": "daily", "participants": "all"}]},
            "meetings",
        ),
        (
            {
                "escalation_steps": [
                    {"level": 1, "client_contact": "A", "supplier_contact": "B"},
                    {"level": 1, "client_contact": "C", "supplier_contact": "D"},
                ]
            },
            "escalation_steps",
        ),
    ],
)
def test_bad_plan_body_gets_400_and_changes_nothing(login, world, plan, overrides, field):
    body = {**FULL_BODY, **overrides}
    response = login(world.manager).put(paths.plan(world.partnership), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    plan.refresh_from_db()
    assert plan.emergency_number == "+31 20 555 0101"
    assert Contact.objects.filter(plan=plan).count() == 2


def test_ids_in_nested_items_are_refused_and_do_not_reach_other_plans(login, world, plan):
    foreign = f.ContactFactory(partnership=world.other_partnership, name="Foreign")
    body = {"contacts": [{"id": foreign.pk, "side": "client", "name": "Mine", "role": "R"}]}
    response = login(world.manager).patch(paths.plan(world.partnership), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["contacts"]["0"]) == ["id"]  # read-only: an unknown field
    foreign.refresh_from_db()
    assert foreign.name == "Foreign"
    assert foreign.plan.partnership == world.other_partnership


def test_plan_is_answered_even_when_missing(login, world):
    CommunicationPlan.objects.filter(partnership=world.partnership).delete()
    api = login(world.manager)
    response = api.get(paths.plan(world.partnership))
    assert response.status_code == 200
    assert response.json()["contacts"] == []
    response = api.patch(paths.plan(world.partnership), {"channels": "Hub"}, format="json")
    assert response.status_code == 200
    assert CommunicationPlan.objects.get(partnership=world.partnership).channels == "Hub"


# --- the service on its own --------------------------------------------------------------------


def test_service_rolls_back_everything_when_one_item_is_invalid(world, plan):
    steps = [
        {"level": 3, "client_contact": "A", "supplier_contact": "B"},
        {"level": 3, "client_contact": "C", "supplier_contact": "D"},
    ]
    with pytest.raises(ValidationError) as excinfo:
        communication_plan_replace(
            actor=world.manager,
            partnership=world.partnership,
            emergency_number="112",
            contacts=[],
            escalation_steps=steps,
        )
    assert "escalation_steps" in excinfo.value.message_dict
    plan.refresh_from_db()
    assert plan.emergency_number == "+31 20 555 0101"
    assert Contact.objects.filter(plan=plan).count() == 2
    assert list(EscalationStep.objects.filter(plan=plan).values_list("level", flat=True)) == [1]


def test_service_refuses_insiders_without_the_role(world, plan):
    with pytest.raises(PermissionDenied):
        communication_plan_replace(actor=world.member, partnership=world.partnership, channels="x")


def test_service_refuses_unknown_fields(world, plan):
    with pytest.raises(ValidationError):
        communication_plan_replace(actor=world.manager, partnership=world.partnership, colour="red")
