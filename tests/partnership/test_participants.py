"""The participants page: who adds, changes and removes whom, and former participants (issue 14,
item 3). The API's side of the same rules is in tests/api/test_participants.py."""

import pytest
from django.core import mail

from partnership.access import access_for
from partnership.models import Membership, Participant, Partnership
from reviews import selectors as review_selectors
from sti import selectors as sti_selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


def _url(world, tail=""):
    return f"/partnerships/{world.partnership.pk}/participants/{tail}"


def test_the_form_offers_only_the_own_side_and_the_facilitator(client, world):
    client.force_login(world.supplier_lead)
    page = client.get(_url(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="supplier"' in page and 'value="facilitator"' in page
    assert 'value="client"' not in page
    response = client.post(_url(world), {"email": "member@hospital.test", "side": "client"})
    assert response.status_code == 200  # the form again, with the error
    assert Participant.objects.get(user=world.member).side == "client"


def test_another_organisations_admin_as_facilitator_gets_an_invitation_and_keeps_their_role(
    client, world, django_capture_on_commit_callbacks
):
    admin = f.member(world.cleaner, "admin", email="admin@cleaner.test")
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(world),
            {"email": "admin@cleaner.test", "side": "facilitator"},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert "Invitation sent to admin@cleaner.test" in response.content.decode()
    assert admin.full_name not in response.content.decode()
    assert not Participant.including_former.filter(user=admin).exists()
    assert Membership.objects.get(user=admin).role == "admin"
    assert access_for(admin, world.partnership).is_manager
    assert mail.outbox[-1].to == ["admin@cleaner.test"]


@pytest.mark.parametrize(
    ("actor", "target"), [("manager", "supplier_lead"), ("supplier_lead", "member")]
)
def test_the_other_sides_people_have_no_buttons_and_cannot_be_removed(client, world, actor, target):
    seat = Participant.objects.get(partnership=world.partnership, user=getattr(world, target))
    client.force_login(getattr(world, actor))
    page = client.get(_url(world)).content.decode()
    assert _url(world, f"{seat.pk}/remove/") not in page
    assert client.post(_url(world, f"{seat.pk}/remove/")).status_code == 403
    assert client.post(_url(world, f"{seat.pk}/edit/"), {"title": "X"}).status_code == 403
    seat.refresh_from_db()
    assert seat.title != "X" and not seat.is_former


def test_a_removed_rater_is_a_former_participant_no_one_informs_or_lets_in(client, world):
    from tests.sti import factories as sti

    survey = sti.survey(world.partnership, sti.adopted_set(world.partnership))
    sti.response(survey, world.member, "client", {})
    seat = Participant.objects.get(partnership=world.partnership, user=world.member)
    client.force_login(world.manager)
    response = client.post(_url(world, f"{seat.pk}/remove/"), follow=True)
    assert f'data-former="{world.member.email}"' in response.content.decode()

    assert Participant.including_former.get(pk=seat.pk).is_former
    p = world.partnership
    assert not Partnership.objects.visible_to(world.member).filter(pk=p.pk).exists()
    assert world.member not in review_selectors.people_to_inform(partnership=p)
    assert world.member not in sti_selectors.participants_to_inform(partnership=p)
    assert not sti_selectors.respondents(partnership=p).filter(user=world.member).exists()
    assert world.member not in [x.user for x in p.participants.all()]
    client.force_login(world.member)
    assert client.get(f"/partnerships/{p.pk}/").status_code == 404


def test_a_participant_without_ratings_is_removed_outright(client, world):
    seat = Participant.objects.get(partnership=world.partnership, user=world.viewer)
    client.force_login(world.manager)
    client.post(_url(world, f"{seat.pk}/remove/"))
    assert not Participant.including_former.filter(pk=seat.pk).exists()
