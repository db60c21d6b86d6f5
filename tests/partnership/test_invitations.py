"""Invitations from the organisation pages to a new member, through the e-mailed link."""

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from partnership.models import Invitation, Membership, Participant, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase-42"
INVITATIONS_URL = reverse("orgs:invitations", kwargs={"slug": "hospital"})


def _link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/invitations/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _confirmation_link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _send(client, captured, email="new.person@example.com", role=Role.MANAGER):
    with captured(execute=True):
        response = client.post(INVITATIONS_URL, {"email": email, "role": role})
    assert response.status_code == 302
    return Invitation.objects.get(email=email)


def _invitation(org, email, **kwargs) -> Invitation:
    return f.invitation(org, email, **kwargs)


def _verified_user(email):
    user = f.UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def test_new_person_signs_up_through_the_link_and_joins_with_the_role(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.manager)
    invitation = _send(client, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    invite_mail = mail.outbox[0]
    assert invite_mail.to == ["new.person@example.com"]
    assert "Hospital" in invite_mail.subject
    link = _link_in(invite_mail)
    assert invitation.token_hash == Invitation.hash_token(link.split("/")[2])

    client.logout()
    response = client.get(link)
    assert response.status_code == 200
    assert reverse("account_signup") in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(
            reverse("account_signup"),
            {
                "email": "new.person@example.com",
                "full_name": "New Person",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            HTTP_ACCEPT_LANGUAGE="en",  # an English browser: the account keeps English
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(user__email="new.person@example.com").exists()
    confirm = _confirmation_link_in(mail.outbox[-1])
    assert client.get(confirm).status_code == 200
    assert client.post(confirm).status_code == 302

    response = client.post(
        reverse("account_login"), {"login": "new.person@example.com", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == link

    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert "Accept invitation" in response.content.decode()
    response = client.post(link)
    assert response.status_code == 302
    membership = Membership.objects.get(user__email="new.person@example.com")
    assert (membership.organization, membership.role) == (world.hospital, Role.MANAGER)
    invitation.refresh_from_db()
    assert invitation.status == "accepted"


def test_existing_user_logs_in_from_the_link_and_accepts(
    client, world, django_capture_on_commit_callbacks
):
    person = _verified_user("known@example.com")
    client.force_login(world.manager)
    _send(client, django_capture_on_commit_callbacks, email="known@example.com", role=Role.VIEWER)
    link = _link_in(mail.outbox[-1])
    client.logout()
    client.get(link)
    response = client.post(
        reverse("account_login"), {"login": "known@example.com", "password": f.PASSWORD}
    )
    assert response["Location"] == link
    client.post(link)
    assert Membership.objects.get(user=person, organization=world.hospital).role == Role.VIEWER


def test_link_is_single_use(client, world):
    person = _verified_user("once@example.com")
    invitation = _invitation(world.hospital, "once@example.com", invited_by=world.manager)
    link = f"/invitations/{invitation.raw_token}/"
    client.force_login(person)
    client.post(link)
    Membership.objects.filter(user=person).delete()  # removed again later
    response = client.post(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This invitation has already been used." in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()
    response = client.get(link, HTTP_ACCEPT_LANGUAGE="en")
    assert "can no longer be used" in response.content.decode()


def test_expired_link_is_refused_with_a_message(client, world):
    person = _verified_user("late@example.com")
    invitation = _invitation(
        world.hospital, "late@example.com", expires_at=timezone.now() - timedelta(minutes=1)
    )
    link = f"/invitations/{invitation.raw_token}/"
    client.force_login(person)
    assert "can no longer be used" in client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This invitation has expired. Ask for a new one." in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_revoked_link_is_refused_with_a_message(client, world):
    person = _verified_user("gone@example.com")
    invitation = _invitation(world.hospital, "gone@example.com")
    client.force_login(world.manager)
    response = client.post(
        reverse(
            "orgs:invitation_revoke",
            kwargs={"slug": "hospital", "invitation_id": invitation.pk},
        )
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    client.force_login(person)
    link = f"/invitations/{invitation.raw_token}/"
    response = client.post(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This invitation has been withdrawn." in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_resend_makes_a_new_link_and_expiry_and_kills_the_old_link(
    client, world, django_capture_on_commit_callbacks
):
    person = _verified_user("again@example.com")
    invitation = _invitation(
        world.hospital,
        "again@example.com",
        role=Role.MEMBER,
        expires_at=timezone.now() - timedelta(days=1),
    )
    old_link = f"/invitations/{invitation.raw_token}/"
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(
                "orgs:invitation_resend",
                kwargs={"slug": "hospital", "invitation_id": invitation.pk},
            )
        )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert invitation.expires_at > timezone.now() + timedelta(days=1)
    new_link = _link_in(mail.outbox[-1])
    assert new_link != old_link

    client.force_login(person)
    assert client.get(old_link).status_code == 404
    client.post(new_link)
    assert Membership.objects.filter(user=person, organization=world.hospital).exists()


def test_resend_and_revoke_refuse_an_accepted_invitation(client, world):
    invitation = _invitation(world.hospital, "done@example.com", accepted_at=timezone.now())
    client.force_login(world.manager)
    for name in ("orgs:invitation_resend", "orgs:invitation_revoke"):
        response = client.post(
            reverse(name, kwargs={"slug": "hospital", "invitation_id": invitation.pk}),
            follow=True,
        )
        assert 'class="alert alert-danger' in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert invitation.revoked_at is None


def test_link_for_someone_else_does_not_exist_for_a_signed_in_stranger(client, world):
    invitation = _invitation(world.hospital, "someone@example.com")
    client.force_login(world.outsider)
    assert client.get(f"/invitations/{invitation.raw_token}/").status_code == 404
    assert client.post(f"/invitations/{invitation.raw_token}/").status_code == 404
    assert not Membership.objects.filter(user=world.outsider, organization=world.hospital).exists()


def test_invitation_list_shows_every_status(client, world):
    now = timezone.now()
    _invitation(world.hospital, "p@example.com")
    _invitation(world.hospital, "a@example.com", accepted_at=now)
    _invitation(world.hospital, "r@example.com", revoked_at=now)
    _invitation(world.hospital, "e@example.com", expires_at=now - timedelta(days=1))
    _invitation(world.cleaner, "other-org@example.com")
    client.force_login(world.manager)
    body = client.get(INVITATIONS_URL).content.decode()
    for status in ("pending", "accepted", "revoked", "expired"):
        assert f'data-status="{status}"' in body
    assert "other-org@example.com" not in body


@pytest.mark.parametrize(
    "email,message",
    [
        ("member@hospital.test", "This person is already a member."),
        ("open@example.com", "An invitation for this address is already open"),
        ("not-an-address", "Enter a valid email address."),
    ],
)
def test_send_form_shows_field_errors(client, world, email, message):
    _invitation(world.hospital, "open@example.com")
    client.force_login(world.manager)
    before = Invitation.objects.count()
    response = client.post(
        INVITATIONS_URL, {"email": email, "role": Role.MEMBER}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Invitation.objects.count() == before


def test_invitation_list_runs_a_constant_number_of_queries(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.manager)
    _invitation(world.hospital, "first@example.com", invited_by=world.manager)
    with CaptureQueriesContext(connection) as few:
        client.get(INVITATIONS_URL)
    for n in range(15):
        _invitation(world.hospital, f"more{n}@example.com", invited_by=world.member)
    with CaptureQueriesContext(connection) as many:
        client.get(INVITATIONS_URL)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_inviter_is_notified_when_the_invitation_is_accepted(
    world, django_capture_on_commit_callbacks
):
    from partnership import services_orgs
    from partnership.models import Notification

    newcomer = f.UserFactory(email="newcomer@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services_orgs.invitation_send(
            actor=world.manager, organization=world.hospital, email=newcomer.email
        )
    services_orgs.invitation_accept(user=newcomer, token=_link_in(mail.outbox[-1]).split("/")[2])
    note = Notification.objects.get(user=world.manager, kind="organization.invitation_accepted")
    assert newcomer.display_name in note.display_title


# --- hashed tokens and facilitator invitations (issue 14, items 3 and 5) --------------------


def _stored_values(invitation) -> list[str]:
    row = Invitation.objects.filter(pk=invitation.pk).values().get()
    return [str(value) for value in row.values()]


def test_an_invited_facilitator_joins_through_the_link_once_and_the_token_is_not_stored(
    client, world, django_capture_on_commit_callbacks
):
    person = _verified_user("coach@elsewhere.test")
    client.force_login(world.supplier_lead)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/partnerships/{world.partnership.pk}/participants/",
            {"email": "coach@elsewhere.test", "side": "facilitator", "title": "Coach"},
        )
    link = _link_in(mail.outbox[-1])
    token = link.split("/")[2]
    invitation = Invitation.objects.get(email="coach@elsewhere.test")
    assert invitation.organization is None and invitation.side == "facilitator"
    assert not any(token in value for value in _stored_values(invitation))
    assert invitation.token_hash == Invitation.hash_token(token)

    client.force_login(person)
    assert client.post(link).status_code == 302
    seat = Participant.objects.get(partnership=world.partnership, user=person)
    assert (seat.side, seat.title) == ("facilitator", "Coach")
    assert not Membership.objects.filter(user=person).exists()  # no organisation joined
    response = client.post(link, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "This invitation has already been used." in response.content.decode()


def test_resending_issues_a_new_token_and_only_its_hash_is_stored(
    client, world, django_capture_on_commit_callbacks
):
    invitation = _invitation(world.hospital, "resend@example.com")
    old_hash = invitation.token_hash
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "orgs:invitation_resend",
                kwargs={"slug": "hospital", "invitation_id": invitation.pk},
            )
        )
    token = _link_in(mail.outbox[-1]).split("/")[2]
    invitation.refresh_from_db()
    assert invitation.token_hash not in (old_hash, token)
    assert invitation.token_hash == Invitation.hash_token(token)
    assert not any(token in value for value in _stored_values(invitation))


def test_the_migration_hashes_tokens_stored_before_and_their_links_keep_working(client, world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("partnership.migrations.0004_invitation_token_hash")
    person = _verified_user("before@example.com")
    invitation = Invitation.objects.create(
        organization=world.hospital, email="before@example.com", token_hash="an-old-clear-token"
    )
    migration.hash_existing_tokens(apps, None)
    invitation.refresh_from_db()
    assert invitation.token_hash == Invitation.hash_token("an-old-clear-token")
    client.force_login(person)
    client.post("/invitations/an-old-clear-token/")
    assert Membership.objects.filter(user=person, organization=world.hospital).exists()
