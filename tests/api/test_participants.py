import pytest

from partnership.models import Participant
from tests import factories as f
from tests.api import paths

WRITE_DENIED = ["member", "viewer", "facilitator"]


@pytest.fixture
def newcomer(world):
    """A hospital member who does not take part yet."""
    return f.member(world.hospital, "member", email="newcomer@hospital.test")


def _participant(world, user):
    return Participant.objects.get(partnership=world.partnership, user=user)


# --- read ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "viewer", "facilitator"])
def test_insiders_list_participants(login, world, who):
    response = login(getattr(world, who)).get(paths.participants(world.partnership))
    assert response.status_code == 200
    emails = {row["user"]["email"] for row in response.json()["results"]}
    assert emails == {
        "manager@hospital.test",
        "member@hospital.test",
        "viewer@hospital.test",
        "lead@cleaner.test",
        "fac@facilitators.test",
    }


def test_anonymous_gets_401_for_participant_list(api, world):
    assert api.get(paths.participants(world.partnership)).status_code == 401


def test_member_reads_a_participant(login, world):
    lead = _participant(world, world.supplier_lead)
    response = login(world.member).get(paths.participant(world.partnership, lead))
    assert response.status_code == 200
    assert response.json()["side"] == "supplier"
    assert response.json()["title"] == "Project leader"


# --- create ----------------------------------------------------------------------------------


def test_manager_adds_an_organisation_member_by_id(login, world, newcomer):
    body = {"user_id": newcomer.pk, "side": "client", "title": "Facility manager"}
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 201, response.json()
    assert response.json()["user"]["email"] == "newcomer@hospital.test"
    assert _participant(world, newcomer).title == "Facility manager"


def test_manager_adds_a_facilitator_by_email(login, world):
    facilitator = f.member(world.facilitators, "member", email="second@facilitators.test")
    body = {"email": "Second@Facilitators.test", "side": "facilitator"}
    response = login(world.supplier_lead).post(paths.participants(world.partnership), body)
    assert response.status_code == 201
    assert _participant(world, facilitator).side == "facilitator"


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_adding_a_participant(login, world, newcomer, who):
    body = {"user_id": newcomer.pk, "side": "client"}
    response = login(getattr(world, who)).post(paths.participants(world.partnership), body)
    assert response.status_code == 403
    assert not Participant.objects.filter(user=newcomer).exists()


def test_user_id_outside_the_partnerships_organisations_gets_400(login, world):
    body = {"user_id": world.outsider.pk, "side": "client"}
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 400
    assert "user_id" in response.json()
    assert not Participant.objects.filter(user=world.outsider).exists()


def test_user_id_of_the_other_side_gets_400_on_user_id(login, world):
    cleaner_member = f.member(world.cleaner, "member")
    body = {"user_id": cleaner_member.pk, "side": "client"}
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 400
    assert list(response.json()) == ["user_id"]


def test_existing_participant_gets_400(login, world):
    body = {"user_id": world.member.pk, "side": "client"}
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 400
    assert "user_id" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"side": "client"}, "non_field_errors"),
        ({"side": "client", "user_id": 1, "email": "a@b.test"}, "non_field_errors"),
        ({"side": "client", "email": "nobody@nowhere.test"}, "email"),
        ({"side": "referee", "email": "member@hospital.test"}, "side"),
        ({"side": "client", "user_id": "abc"}, "user_id"),
    ],
)
def test_bad_participant_body_gets_400_on_the_field(login, world, body, field):
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 400
    assert field in response.json()


def test_partnership_in_the_body_is_ignored(login, world, newcomer):
    body = {
        "user_id": newcomer.pk,
        "side": "client",
        "partnership": str(world.other_partnership.pk),
    }
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 201
    assert Participant.objects.get(user=newcomer).partnership == world.partnership


# --- update ----------------------------------------------------------------------------------


def test_manager_changes_a_title(login, world):
    member = _participant(world, world.member)
    response = login(world.manager).patch(
        paths.participant(world.partnership, member),
        {"title": "Housekeeping lead", "side": "supplier"},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Housekeeping lead"
    member.refresh_from_db()
    assert (member.title, member.side) == ("Housekeeping lead", "client")


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_changing_a_title(login, world, who):
    member = _participant(world, world.member)
    response = login(getattr(world, who)).put(
        paths.participant(world.partnership, member), {"title": "Boss"}
    )
    assert response.status_code == 403


# --- delete ----------------------------------------------------------------------------------


def test_manager_removes_a_participant(login, world):
    viewer = _participant(world, world.viewer)
    response = login(world.manager).delete(paths.participant(world.partnership, viewer))
    assert response.status_code == 204
    assert not Participant.objects.filter(pk=viewer.pk).exists()


@pytest.mark.parametrize("who", WRITE_DENIED)
def test_insider_without_the_role_gets_403_removing_a_participant(login, world, who):
    lead = _participant(world, world.supplier_lead)
    response = login(getattr(world, who)).delete(paths.participant(world.partnership, lead))
    assert response.status_code == 403
    assert Participant.objects.filter(pk=lead.pk).exists()


def test_participant_of_another_partnership_cannot_be_removed_through_this_one(login, world):
    stranger = f.ParticipantFactory(partnership=world.other_partnership)
    response = login(world.supplier_lead).delete(paths.participant(world.partnership, stranger))
    assert response.status_code == 404
    assert Participant.objects.filter(pk=stranger.pk).exists()
