import re

import pytest

from partnership.models import CommunicationPlan, Contract, Partnership
from tests import factories as f

pytestmark = pytest.mark.django_db


def url(world, suffix=""):
    return f"/partnerships/{world.partnership.pk}/{suffix}"


@pytest.mark.parametrize(
    "suffix",
    ["", "contracts/", "communication-plan/", "participants/", "history/"],
)
def test_read_pages_viewer_200(client, world, suffix):
    client.force_login(world.viewer)
    assert client.get(url(world, suffix)).status_code == 200


@pytest.mark.parametrize(
    "suffix",
    ["edit/", "contracts/new/", "communication-plan/edit/", "communication-plan/contacts/new/"],
)
def test_manage_pages_manager_200_member_403(client, world, suffix):
    client.force_login(world.manager)
    assert client.get(url(world, suffix)).status_code == 200
    client.force_login(world.member)
    assert client.get(url(world, suffix)).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(url(world))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_contract_form_shows_field_error_and_writes_nothing(client, world):
    client.force_login(world.manager)
    before = Contract.objects.count()
    response = client.post(
        url(world, "contracts/new/"),
        {"reference": "X-1", "title": "T", "start_date": "2026-05-01", "end_date": "2026-01-01"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in response.content.decode()
    assert Contract.objects.count() == before


def test_emergency_number_validation(client, world):
    client.force_login(world.manager)
    response = client.post(
        url(world, "communication-plan/edit/"),
        {"emergency_number": "call us"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Enter a phone number" in response.content.decode()
    client.post(url(world, "communication-plan/edit/"), {"emergency_number": "+32 3 555 12 12"})
    assert CommunicationPlan.objects.get(partnership=world.partnership).emergency_number == (
        "+32 3 555 12 12"
    )


def test_create_partnership_page_flow(client, world):
    client.force_login(world.manager)
    response = client.post(
        "/partnerships/new/",
        {
            "my_organization": world.hospital.pk,
            "my_side": "client",
            "other_slug": "university",
            "title": "Reception",
            "services": ["reception"],
            "phase": "pilot",
        },
    )
    created = Partnership.objects.get(title="Reception")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert (created.client, created.supplier) == (world.hospital, world.university)


def test_create_partnership_unknown_slug_is_a_field_error(client, world):
    client.force_login(world.manager)
    response = client.post(
        "/partnerships/new/",
        {
            "my_organization": world.hospital.pk,
            "my_side": "client",
            "other_slug": "nobody",
            "title": "X",
            "services": ["reception"],
            "phase": "pilot",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No organisation has this short name." in response.content.decode()


def test_dashboard_empty_state_for_new_user(client, db):
    client.force_login(f.UserFactory())
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert 'data-testid="empty-dashboard"' in response.content.decode()


def test_header_language_switch_is_remembered_on_the_user(client, world):
    client.force_login(world.member)
    client.post("/settings/language/", {"language": "en", "next": "/"})
    world.member.refresh_from_db()
    assert world.member.language == "en"
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/settings/language/", {"language": "nl", "next": "/"})
    assert '<html lang="nl">' in client.get("/").content.decode()


def test_notification_of_another_user_is_404(client, world):
    from partnership.notifications import notify

    (note,) = notify(users=[world.member], kind="x", title="Hello", email=False)
    client.force_login(world.outsider)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 404
    client.force_login(world.member)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 302


def test_manager_sees_and_resends_the_invitation_of_a_new_party(
    client, world, django_capture_on_commit_callbacks
):
    from django.core import mail

    from partnership import services
    from partnership.models import Invitation

    with django_capture_on_commit_callbacks(execute=True):
        p = services.partnership_create(
            actor=world.manager,
            client=world.hospital,
            title="Security",
            services=["security"],
            new_org_name="Guard BV",
            new_org_email="boss@guard.test",
        )
    invitation = Invitation.objects.get(partnership=p)
    old_hash = invitation.token_hash
    client.force_login(world.manager)
    page = client.get(f"/partnerships/{p.pk}/participants/").content.decode()
    assert "boss@guard.test" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/partnerships/{p.pk}/invitations/{invitation.pk}/resend/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.token_hash != old_hash
    token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)
    assert invitation.token_hash == Invitation.hash_token(token)
    # a member of the partnership without the managing role may not resend it
    colleague = f.member(world.hospital, "member")
    f.ParticipantFactory(partnership=p, user=colleague, side="client")
    client.force_login(colleague)
    response = client.post(f"/partnerships/{p.pk}/invitations/{invitation.pk}/resend/")
    assert response.status_code == 403


def test_history_reads_as_sentences_with_labels(client, world):
    from partnership import services

    services.partnership_set_phase(
        actor=world.manager, partnership=world.partnership, phase="renewal"
    )
    client.force_login(world.manager)
    page = client.get(url(world, "history/"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "changed partnership" in page
    assert "Active" in page and "Renewal" in page
    assert "active →" not in page


def test_dashboard_emergency_number_is_a_phone_link(client, world):
    client.force_login(world.member)
    page = client.get("/").content.decode()
    assert 'href="tel:+31205550101"' in page and ">+31 20 555 0101</a>" in page
