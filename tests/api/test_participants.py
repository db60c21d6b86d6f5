import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from accounts.models import User
from partnership import services_orgs
from partnership.access import access_for
from partnership.models import Membership, Participant
from sti.models import Response as StiResponse
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


def test_adding_a_facilitator_by_email_answers_202_with_a_pending_invitation(login, world):
    f.member(world.facilitators, "member", email="second@facilitators.test")
    body = {"email": "Second@Facilitators.test", "side": "facilitator", "title": "Coach"}
    response = login(world.supplier_lead).post(paths.participants(world.partnership), body)
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "pending"
    assert response.json()["email"] == "second@facilitators.test"
    assert not Participant.objects.filter(user__email="second@facilitators.test").exists()


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


def test_partnership_in_the_body_is_refused(login, world, newcomer):
    body = {
        "user_id": newcomer.pk,
        "side": "client",
        "partnership": str(world.other_partnership.pk),
    }
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 400
    assert list(response.json()) == ["partnership"]
    assert not Participant.objects.filter(user=newcomer).exists()


# --- update ----------------------------------------------------------------------------------


def test_manager_changes_a_title(login, world):
    member = _participant(world, world.member)
    response = login(world.manager).patch(
        paths.participant(world.partnership, member),
        {"title": "Housekeeping lead"},
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Housekeeping lead"
    member.refresh_from_db()
    assert (member.title, member.side) == ("Housekeeping lead", "client")


def test_a_participants_side_cannot_be_changed(login, world):
    member = _participant(world, world.member)
    response = login(world.manager).patch(
        paths.participant(world.partnership, member), {"title": "Lead", "side": "supplier"}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["side"]
    member.refresh_from_db()
    assert member.side == "client"


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


# --- who may add, change and remove whom (issue 14, item 3) ---------------------------------


@pytest.fixture
def cleaner_admin(world):
    """The supplier organisation's admin, who takes no part in the partnership."""
    return f.member(world.cleaner, "admin", email="admin@cleaner.test")


@pytest.fixture
def shared_facilitator(world):
    """A facilitator from the facilitators' firm who works in another partnership of the same
    two organisations, so both sides' managers already know them."""
    elsewhere = f.PartnershipFactory(client=world.hospital, supplier=world.cleaner)
    person = f.member(world.facilitators, "member", email="known@facilitators.test")
    f.ParticipantFactory(partnership=elsewhere, user=person, side="facilitator")
    return person


@pytest.mark.parametrize(
    "body",
    [
        {"email": "admin@cleaner.test", "side": "facilitator"},
        {"user_id": "CLEANER_ADMIN", "side": "facilitator"},
        {"user_id": "CLEANER_ADMIN", "side": "supplier"},
        {"email": "admin@cleaner.test", "side": "supplier"},
    ],
    ids=["email-facilitator", "id-facilitator", "id-other-side", "email-other-side"],
)
def test_another_organisations_admin_is_never_seated_by_this_side_and_keeps_their_role(
    login, world, cleaner_admin, body
):
    body = {k: cleaner_admin.pk if v == "CLEANER_ADMIN" else v for k, v in body.items()}
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code in (202, 400), response.json()
    assert not Participant.including_former.filter(user=cleaner_admin).exists()
    assert Membership.objects.get(user=cleaner_admin).role == "admin"
    assert access_for(cleaner_admin, world.partnership).is_manager  # still their side's manager


def test_an_invitation_to_facilitate_cannot_be_accepted_by_a_member_of_a_party(
    login, world, cleaner_admin, django_capture_on_commit_callbacks
):
    body = {"email": "admin@cleaner.test", "side": "facilitator"}
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 202
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    with pytest.raises(ValidationError, match="een partij in deze samenwerking"):
        services_orgs.invitation_accept(user=cleaner_admin, token=token)
    assert not Participant.including_former.filter(user=cleaner_admin).exists()
    assert access_for(cleaner_admin, world.partnership).side == "supplier"


@pytest.mark.parametrize(
    "email",
    ["nobody@nowhere.test", "fac@facilitators.test", "admin@outsider.test", "admin@cleaner.test"],
    ids=["no-account", "facilitator-elsewhere", "stranger", "other-party-admin"],
)
def test_adding_by_email_answers_the_same_whether_or_not_the_address_has_an_account(
    login, world, cleaner_admin, email, django_capture_on_commit_callbacks
):
    # fac@facilitators.test takes part in world.partnership already: ask in another partnership
    other = f.PartnershipFactory(client=world.hospital, supplier=world.university)
    with django_capture_on_commit_callbacks(execute=True):
        response = login(world.manager).post(
            paths.participants(other), {"email": email, "side": "facilitator"}
        )
    assert response.status_code == 202
    body = response.json()
    assert sorted(body) == ["email", "expires_at", "id", "sent_at", "side", "status", "title"]
    assert (body["email"], body["side"], body["status"]) == (email, "facilitator", "pending")
    user = User.objects.filter(email=email).first()
    if user is not None:
        assert user.full_name not in response.content.decode()
    assert mail.outbox[-1].to == [email]  # an invitation goes out either way


def test_an_unknown_id_and_a_strangers_id_get_the_same_answer(login, world):
    api = login(world.manager)
    nobody = api.post(
        paths.participants(world.partnership), {"user_id": 987654, "side": "facilitator"}
    )
    stranger = api.post(
        paths.participants(world.partnership),
        {"user_id": world.outsider.pk, "side": "facilitator"},
    )
    assert nobody.status_code == stranger.status_code == 400
    assert nobody.json() == stranger.json()
    assert list(nobody.json()) == ["user_id"]


@pytest.mark.parametrize("who", ["manager", "supplier_lead"])
def test_either_sides_manager_adds_a_facilitator_they_work_with_by_id(
    login, world, shared_facilitator, who
):
    body = {"user_id": shared_facilitator.pk, "side": "facilitator"}
    response = login(getattr(world, who)).post(paths.participants(world.partnership), body)
    assert response.status_code == 201, response.json()
    assert _participant(world, shared_facilitator).side == "facilitator"
    assert not Membership.objects.filter(
        user=shared_facilitator, organization__in=[world.hospital, world.cleaner]
    ).exists()


def test_a_member_of_a_party_cannot_be_added_as_facilitator_by_id(login, world):
    elsewhere = f.PartnershipFactory(client=world.hospital, supplier=world.cleaner)
    colleague = f.participant(elsewhere, "supplier", role="member", email="worker@cleaner.test")
    body = {"user_id": colleague.pk, "side": "facilitator"}
    response = login(world.supplier_lead).post(paths.participants(world.partnership), body)
    assert response.status_code == 400
    assert list(response.json()) == ["user_id"]
    assert not Participant.objects.filter(partnership=world.partnership, user=colleague).exists()


@pytest.mark.parametrize(
    ("actor", "target"), [("manager", "supplier_lead"), ("supplier_lead", "member")]
)
def test_a_person_of_the_other_side_cannot_be_changed_or_removed(login, world, actor, target):
    seat = _participant(world, getattr(world, target))
    api = login(getattr(world, actor))
    url = paths.participant(world.partnership, seat)
    assert api.patch(url, {"title": "Renamed"}).status_code == 403
    assert api.delete(url).status_code == 403
    seat.refresh_from_db()
    assert seat.title != "Renamed" and not seat.is_former


@pytest.mark.parametrize("who", ["manager", "supplier_lead"])
def test_either_sides_manager_looks_after_the_facilitator(login, world, who):
    seat = _participant(world, world.facilitator)
    api = login(getattr(world, who))
    url = paths.participant(world.partnership, seat)
    assert api.patch(url, {"title": "Session lead"}).status_code == 200
    assert api.delete(url).status_code == 204
    assert not Participant.including_former.filter(pk=seat.pk).exists()


def _submitted_rating(world, user, side="client"):
    from tests.sti import factories as sti

    survey = sti.survey(world.partnership, sti.adopted_set(world.partnership))
    return sti.response(survey, user, side, {})


def test_a_rater_is_deactivated_not_deleted_and_loses_access(login, world):
    response_row = _submitted_rating(world, world.member)
    seat = _participant(world, world.member)
    api = login(world.manager)
    assert api.delete(paths.participant(world.partnership, seat)).status_code == 204

    seat = Participant.including_former.get(pk=seat.pk)
    assert seat.is_former
    assert StiResponse.objects.filter(pk=response_row.pk, respondent=world.member).exists()
    listed = {
        r["user"]["email"]: r["active"]
        for r in api.get(paths.participants(world.partnership)).json()["results"]
    }
    assert listed["member@hospital.test"] is False
    assert login(world.member).get(paths.partnership(world.partnership)).status_code == 404

    # adding them again re-activates the same seat, and the access comes back
    body = {"user_id": world.member.pk, "side": "client", "title": "Back"}
    response = login(world.manager).post(paths.participants(world.partnership), body)
    assert response.status_code == 201, response.json()
    assert response.json()["id"] == seat.pk and response.json()["active"] is True
    assert login(world.member).get(paths.partnership(world.partnership)).status_code == 200
