"""Organisations that require two-factor authentication send members to TOTP setup first."""

import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.urls import reverse

from partnership.middleware import user_needs_mfa
from tests import factories as f

pytestmark = pytest.mark.django_db

SETUP_URL = reverse("mfa_activate_totp")


@pytest.fixture
def strict_hospital(world):
    world.hospital.require_mfa = True
    world.hospital.save(update_fields=["require_mfa"])
    return world


def _current_code(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


@pytest.mark.parametrize(
    "path",
    ["/", "/partnerships/", "/orgs/", "/orgs/hospital/members/", "/notifications/", "/admin/"],
)
def test_member_without_totp_is_sent_to_setup_first(client, strict_hospital, path):
    client.force_login(strict_hospital.member)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == SETUP_URL


def test_partnership_pages_are_also_behind_the_gate(client, strict_hospital):
    client.force_login(strict_hospital.viewer)
    response = client.get(strict_hospital.partnership.get_absolute_url())
    assert response["Location"] == SETUP_URL
    response = client.post(
        reverse("orgs:settings", kwargs={"slug": "hospital"}), {"name": "X", "require_mfa": ""}
    )
    assert response["Location"] == SETUP_URL


def test_setup_page_tells_why(client, strict_hospital):
    client.force_login(strict_hospital.member)
    response = client.get("/", follow=True, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert "Two-factor authentication is required by Hospital." in body


def test_api_with_the_session_is_refused_not_redirected(client, strict_hospital):
    client.force_login(strict_hospital.member)
    response = client.get("/api/v1/partnerships/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "two-factor" in response.json()["detail"].lower()


def test_htmx_requests_are_redirected_by_header(client, strict_hospital):
    client.force_login(strict_hospital.member)
    response = client.get("/partnerships/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == SETUP_URL


@pytest.mark.parametrize("path", ["/accounts/email/", "/accounts/2fa/", "/i18n/setlang/"])
def test_account_pages_stay_reachable(client, strict_hospital, path):
    client.force_login(strict_hospital.member)
    response = client.get(path)
    assert response.status_code != 302 or response["Location"] != SETUP_URL


def test_language_switch_and_logout_stay_reachable(client, strict_hospital):
    client.force_login(strict_hospital.member)
    response = client.post(reverse("accounts:set_language"), {"language": "en", "next": "/"})
    assert response["Location"] == "/"
    response = client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert response["Location"] != SETUP_URL
    assert client.get("/")["Location"].startswith(reverse("account_login"))


def test_members_of_other_organisations_are_not_affected(client, strict_hospital):
    client.force_login(strict_hospital.supplier_lead)
    assert client.get("/").status_code == 200
    client.force_login(strict_hospital.outsider)
    assert client.get("/orgs/").status_code == 200


def test_member_with_totp_gets_through(client, strict_hospital):
    TOTP.activate(strict_hospital.member, generate_totp_secret())
    client.force_login(strict_hospital.member)
    assert client.get("/").status_code == 200
    assert client.get("/orgs/hospital/members/").status_code == 200


def test_user_needs_mfa_is_one_query(strict_hospital, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert user_needs_mfa(strict_hospital.member) is True
    with django_assert_num_queries(1):
        assert user_needs_mfa(strict_hospital.supplier_lead) is False


def test_admin_switches_the_requirement_on_and_is_sent_to_setup_too(client, world):
    client.force_login(world.manager)
    response = client.post(
        reverse("orgs:settings", kwargs={"slug": "hospital"}),
        {"name": "Hospital", "require_mfa": "on"},
    )
    assert response.status_code == 302
    world.hospital.refresh_from_db()
    assert world.hospital.require_mfa
    assert client.get("/")["Location"] == SETUP_URL
    client.force_login(world.member)
    assert client.get("/")["Location"] == SETUP_URL


def test_whole_setup_through_allauth_then_the_dashboard(client, strict_hospital):
    """Log in for real, get sent to setup, scan (read the secret), confirm a code, get through."""
    member = strict_hospital.member
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    response = client.post(
        reverse("account_login"), {"login": member.email, "password": f.PASSWORD}
    )
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"] == SETUP_URL

    # allauth asks for the password again before any MFA change, and says why we are here
    response = client.get(SETUP_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    reauth = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "Two-factor authentication is required by Hospital." in reauth.content.decode()
    response = client.post(response["Location"], {"password": f.PASSWORD})
    assert response["Location"] == SETUP_URL

    page = client.get(SETUP_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    assert '<label class="form-label" for="id_code">' in body
    assert "Two-factor authentication is required by Hospital." in body
    secret = client.session[SECRET_SESSION_KEY]

    response = client.post(SETUP_URL, {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=member).exists()

    response = client.post(SETUP_URL, {"code": _current_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=member, type=Authenticator.Type.TOTP).exists()
    codes_page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert codes_page.status_code == 200
    assert "is required by" not in codes_page.content.decode()
    assert reverse("partnership:dashboard") in codes_page.content.decode()
    assert client.get("/").status_code == 200


def test_api_token_stops_working_while_the_mfa_policy_is_unmet(client, world):
    from accounts.models import ApiToken

    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=world.manager, name="ci", key_hash=ApiToken.hash_key(key), key_hint=key[:8]
    )
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/partnerships/", **headers).status_code == 200
    world.hospital.require_mfa = True
    world.hospital.save()
    response = client.get("/api/v1/partnerships/", HTTP_ACCEPT_LANGUAGE="en", **headers)
    assert response.status_code == 401
    assert "two-factor" in response.json()["detail"]


def test_member_cannot_remove_totp_while_the_organisation_requires_it(world):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    authenticator = Authenticator.objects.create(
        user=world.manager, type=Authenticator.Type.TOTP, data={"secret": "x"}
    )
    assert get_adapter().can_delete_authenticator(authenticator)
    world.hospital.require_mfa = True
    world.hospital.save()
    assert not get_adapter().can_delete_authenticator(authenticator)
