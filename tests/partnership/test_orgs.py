"""Organisation pages: who gets 200 / 403 / 404 on which route, and what the pages change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnership.models import Invitation, Membership, Organization, Participant, Role
from tests import factories as f

pytestmark = pytest.mark.django_db

ALL_METHODS = ("get", "post", "put", "patch", "delete")


def _membership(user, org) -> Membership:
    return Membership.objects.get(user=user, organization=org)


def _invitation(org, email="new@hospital.test", **kwargs) -> Invitation:
    return f.invitation(org, email, **kwargs)


def _routes(world) -> dict[str, str]:
    """One URL per org route, all pointing at objects of the hospital organisation."""
    slug = world.hospital.slug
    membership = _membership(world.member, world.hospital)
    invitation = _invitation(world.hospital)
    return {
        "detail": reverse("orgs:detail", kwargs={"slug": slug}),
        "members": reverse("orgs:members", kwargs={"slug": slug}),
        "member_role": reverse(
            "orgs:member_role", kwargs={"slug": slug, "membership_id": membership.pk}
        ),
        "member_remove": reverse(
            "orgs:member_remove", kwargs={"slug": slug, "membership_id": membership.pk}
        ),
        "invitations": reverse("orgs:invitations", kwargs={"slug": slug}),
        "invitation_revoke": reverse(
            "orgs:invitation_revoke", kwargs={"slug": slug, "invitation_id": invitation.pk}
        ),
        "invitation_resend": reverse(
            "orgs:invitation_resend", kwargs={"slug": slug, "invitation_id": invitation.pk}
        ),
        "settings": reverse("orgs:settings", kwargs={"slug": slug}),
    }


ROUTE_NAMES = [
    "detail",
    "members",
    "member_role",
    "member_remove",
    "invitations",
    "invitation_revoke",
    "invitation_resend",
    "settings",
]


@pytest.mark.parametrize("route", ROUTE_NAMES)
@pytest.mark.parametrize("method", ALL_METHODS)
def test_partner_in_a_shared_partnership_gets_404_on_every_org_route_and_method(
    client, world, route, method
):
    # An admin of an unrelated organisation is tried on every route by tests/isolation; a partner
    # in a shared partnership is still an outsider to the organisation.
    url = _routes(world)[route]
    client.force_login(world.supplier_lead)
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.parametrize(
    "route,expected",
    [
        ("detail", 200),
        ("members", 200),
        ("invitations", 403),
        ("settings", 403),
        ("member_role", 403),
        ("member_remove", 403),
        ("invitation_revoke", 403),
        ("invitation_resend", 403),
    ],
)
def test_member_without_admin_role_reads_members_but_changes_nothing(
    client, world, route, expected
):
    url = _routes(world)[route]
    client.force_login(world.member)
    assert client.get(url).status_code == expected
    assert client.post(url, {"role": Role.ADMIN, "name": "Hacked"}).status_code == 403
    assert _membership(world.member, world.hospital).role == Role.MEMBER
    assert Organization.objects.get(pk=world.hospital.pk).name == "Hospital"
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 0


@pytest.mark.parametrize("route", ["detail", "members", "invitations", "settings"])
def test_admin_gets_200_on_org_pages(client, world, route):
    client.force_login(world.manager)
    response = client.get(_routes(world)[route])
    assert response.status_code == 200
    assert "Hospital" in response.content.decode()


@pytest.mark.parametrize("route", ["member_role", "member_remove", "invitation_revoke"])
def test_change_routes_refuse_get_for_admin(client, world, route):
    client.force_login(world.manager)
    assert client.get(_routes(world)[route]).status_code == 405


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(_routes(world)["members"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- My organisations and creating one -------------------------------------------------------


def test_org_list_shows_name_slug_role_and_member_count(client, world):
    client.force_login(world.manager)
    response = client.get(reverse("orgs:list"), HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    row = body.split('href="/orgs/hospital/"')[1].split("</tr>")[0]
    assert "<code>hospital</code>" in row
    assert "Admin" in row
    assert ">3<" in row  # manager, member, viewer
    assert "Cleaner" not in body and "Outsider" not in body


def test_org_list_empty_state_for_a_user_without_organisation(client, db):
    client.force_login(f.UserFactory())
    response = client.get(reverse("orgs:list"))
    assert 'data-testid="empty-orgs"' in response.content.decode()
    assert reverse("orgs:create") in response.content.decode()


def test_create_organisation_makes_creator_admin(client, db):
    user = f.UserFactory()
    client.force_login(user)
    response = client.post(reverse("orgs:create"), {"name": "Schoon & Co", "slug": ""})
    org = Organization.objects.get(name="Schoon & Co")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", kwargs={"slug": org.slug})
    assert org.slug == "schoon-co"
    assert _membership(user, org).role == Role.ADMIN


def test_create_organisation_refuses_taken_and_reserved_short_names(client, world):
    client.force_login(world.manager)
    for slug in ("hospital", "new"):
        response = client.post(
            reverse("orgs:create"), {"name": "Another", "slug": slug}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 200
        assert "is-invalid" in response.content.decode()
    assert not Organization.objects.filter(name="Another").exists()


def test_derived_short_name_avoids_the_reserved_new(client, db):
    client.force_login(f.UserFactory())
    client.post(reverse("orgs:create"), {"name": "New"})
    assert Organization.objects.get(name="New").slug != "new"


# --- Members: roles and removal, never the last admin ----------------------------------------


def test_admin_changes_a_members_role(client, world):
    membership = _membership(world.member, world.hospital)
    client.force_login(world.manager)
    response = client.post(
        reverse("orgs:member_role", kwargs={"slug": "hospital", "membership_id": membership.pk}),
        {"role": Role.MANAGER},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.MANAGER


def test_invalid_role_changes_nothing(client, world):
    membership = _membership(world.member, world.hospital)
    client.force_login(world.manager)
    client.post(
        reverse("orgs:member_role", kwargs={"slug": "hospital", "membership_id": membership.pk}),
        {"role": "owner"},
    )
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_last_admin_cannot_be_demoted_and_sees_why(client, world):
    mine = _membership(world.manager, world.hospital)
    client.force_login(world.manager)
    response = client.post(
        reverse("orgs:member_role", kwargs={"slug": "hospital", "membership_id": mine.pk}),
        {"role": Role.MEMBER},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    mine.refresh_from_db()
    assert mine.role == Role.ADMIN
    assert "An organisation needs at least one admin." in response.content.decode()


def test_last_admin_cannot_be_removed(client, world):
    mine = _membership(world.manager, world.hospital)
    client.force_login(world.manager)
    response = client.post(
        reverse("orgs:member_remove", kwargs={"slug": "hospital", "membership_id": mine.pk}),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert Membership.objects.filter(pk=mine.pk).exists()
    assert "An organisation needs at least one admin." in response.content.decode()


def test_with_a_second_admin_the_first_may_step_down(client, world):
    second = _membership(world.member, world.hospital)
    second.role = Role.ADMIN
    second.save()
    mine = _membership(world.manager, world.hospital)
    client.force_login(world.manager)
    client.post(
        reverse("orgs:member_role", kwargs={"slug": "hospital", "membership_id": mine.pk}),
        {"role": Role.MANAGER},
    )
    mine.refresh_from_db()
    assert mine.role == Role.MANAGER
    # and now the remaining admin is the last one
    client.force_login(world.member)
    client.post(
        reverse("orgs:member_remove", kwargs={"slug": "hospital", "membership_id": second.pk})
    )
    assert Membership.objects.filter(pk=second.pk, role=Role.ADMIN).exists()


def test_removing_a_member_ends_their_seat_in_the_orgs_partnerships(client, world):
    membership = _membership(world.member, world.hospital)
    client.force_login(world.manager)
    response = client.post(
        reverse("orgs:member_remove", kwargs={"slug": "hospital", "membership_id": membership.pk})
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not Participant.objects.filter(user=world.member).exists()
    client.force_login(world.member)
    assert client.get(reverse("orgs:members", kwargs={"slug": "hospital"})).status_code == 404


def test_members_page_lists_everyone_with_role_forms_for_admins_only(client, world):
    url = reverse("orgs:members", kwargs={"slug": "hospital"})
    client.force_login(world.manager)
    body = client.get(url).content.decode()
    for email in ("manager@hospital.test", "member@hospital.test", "viewer@hospital.test"):
        assert email in body
    assert "lead@cleaner.test" not in body
    assert 'name="role"' in body
    client.force_login(world.viewer)
    body = client.get(url).content.decode()
    assert "member@hospital.test" in body
    assert 'name="role"' not in body


def test_members_page_runs_a_constant_number_of_queries(client, world):
    url = reverse("orgs:members", kwargs={"slug": "hospital"})
    client.force_login(world.manager)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(20):
        f.member(world.hospital, Role.MEMBER)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(few.captured_queries) == len(many.captured_queries)


# --- Settings --------------------------------------------------------------------------------


def test_admin_renames_the_org_and_requires_mfa(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("orgs:settings", kwargs={"slug": "hospital"}),
        {"name": "St Lucas Hospital", "require_mfa": "on"},
    )
    assert response.status_code == 302
    world.hospital.refresh_from_db()
    assert world.hospital.name == "St Lucas Hospital"
    assert world.hospital.require_mfa is True
    assert world.hospital.slug == "hospital"


def test_settings_refuse_an_empty_name(client, world):
    client.force_login(world.manager)
    response = client.post(reverse("orgs:settings", kwargs={"slug": "hospital"}), {"name": " "})
    assert response.status_code == 200
    world.hospital.refresh_from_db()
    assert world.hospital.name == "Hospital"


def test_settings_form_has_a_labelled_mfa_checkbox(client, world):
    client.force_login(world.manager)
    body = client.get(
        reverse("orgs:settings", kwargs={"slug": "hospital"}), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert '<label class="form-check-label" for="id_require_mfa">' in body
    assert "Require two-factor authentication" in body
