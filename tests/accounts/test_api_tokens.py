from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import DEFAULT_TOKEN_DAYS, api_token_create, api_token_revoke
from tests import factories as f

TOKENS = "/settings/tokens/"


@pytest.fixture
def alice(db):
    return f.UserFactory(email="alice@example.test")


@pytest.fixture
def bob(db):
    return f.UserFactory(email="bob@example.test")


def _revoke_url(token) -> str:
    return f"{TOKENS}{token.pk}/revoke/"


# --- services --------------------------------------------------------------------------------


def test_created_token_is_stored_only_as_a_hash(alice):
    token, key = api_token_create(user=alice, name="ERP")
    assert key.startswith(ApiToken.PREFIX)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in token.key_hash
    assert key.startswith(token.key_hint)
    assert len(token.key_hint) < len(key) / 4
    assert token.is_active


def _days_from_now(moment) -> float:
    return (moment - timezone.now()) / timedelta(days=1)


def test_token_expires_after_90_days_unless_told_otherwise(alice):
    token, _key = api_token_create(user=alice, name="ERP")
    assert DEFAULT_TOKEN_DAYS == 90
    assert 89.99 < _days_from_now(token.expires_at) <= 90


def test_token_without_expiry_is_an_explicit_choice(alice):
    token, _key = api_token_create(user=alice, name="ERP", never_expires=True)
    assert token.expires_at is None
    assert token.is_active


def test_an_expiry_and_no_expiry_together_are_refused(alice):
    with pytest.raises(ValidationError):
        api_token_create(
            user=alice,
            name="ERP",
            expires_at=timezone.now() + timedelta(days=5),
            never_expires=True,
        )
    assert not ApiToken.objects.exists()


def test_existing_token_without_expiry_keeps_working(client, alice):
    """Tokens made before expiry became the default have none; they are not cut off."""
    key = ApiToken.generate_key()
    ApiToken.objects.create(
        user=alice, name="Old", key_hash=ApiToken.hash_key(key), key_hint=key[:8]
    )
    response = client.get("/api/v1/partnerships/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_two_tokens_get_different_keys(alice):
    _t1, key1 = api_token_create(user=alice, name="One")
    _t2, key2 = api_token_create(user=alice, name="Two")
    assert key1 != key2


def test_duplicate_active_name_is_refused(alice):
    api_token_create(user=alice, name="ERP")
    with pytest.raises(ValidationError) as excinfo:
        api_token_create(user=alice, name=" ERP ")
    assert "name" in excinfo.value.message_dict


def test_name_is_free_again_after_revoking(alice):
    token, _key = api_token_create(user=alice, name="ERP")
    api_token_revoke(user=alice, token=token)
    new_token, _key = api_token_create(user=alice, name="ERP")
    assert new_token.is_active


def test_another_user_may_use_the_same_name(alice, bob):
    api_token_create(user=alice, name="ERP")
    token, _key = api_token_create(user=bob, name="ERP")
    assert token.user == bob


@pytest.mark.parametrize("name", ["", "   "])
def test_empty_name_is_refused(alice, name):
    with pytest.raises(ValidationError):
        api_token_create(user=alice, name=name)


def test_expiry_in_the_past_is_refused(alice):
    with pytest.raises(ValidationError):
        api_token_create(user=alice, name="Old", expires_at=timezone.now() - timedelta(hours=1))


def test_revoking_anothers_token_is_refused(alice, bob):
    token, _key = api_token_create(user=alice, name="ERP")
    with pytest.raises(PermissionDenied):
        api_token_revoke(user=bob, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_twice_keeps_the_first_moment(alice):
    token, _key = api_token_create(user=alice, name="ERP")
    first = api_token_revoke(user=alice, token=token).revoked_at
    assert api_token_revoke(user=alice, token=token).revoked_at == first


# --- pages -----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_log_in(client, db):
    response = client.get(TOKENS)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_page_lists_own_tokens_with_their_status(client, alice, bob):
    active, _ = api_token_create(user=alice, name="Active one")
    revoked, _ = api_token_create(user=alice, name="Revoked one")
    api_token_revoke(user=alice, token=revoked)
    expired, _ = api_token_create(
        user=alice, name="Expired one", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(days=1))
    api_token_create(user=bob, name="Bob's secret")
    client.force_login(alice)
    response = client.get(TOKENS, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Active one" in html and "Revoked one" in html and "Expired one" in html
    assert active.key_hint in html
    assert "Bob&#x27;s secret" not in html and "Bob's secret" not in html
    assert response.headers["Cache-Control"].startswith("max-age=0")
    assert list(response.context["tokens"]) == list(alice.api_tokens.all())


def test_creating_shows_the_key_once(client, alice):
    client.force_login(alice)
    response = client.post(TOKENS, {"name": "BI tool", "expires_in_days": ""})
    assert response.status_code == 200
    key = response.context["new_key"]
    token = ApiToken.objects.get(user=alice)
    assert token.key_hash == ApiToken.hash_key(key)
    assert 89.99 < _days_from_now(token.expires_at) <= 90  # left empty: the default
    assert key in response.content.decode()
    again = client.get(TOKENS)
    assert key not in again.content.decode()
    assert token.key_hint in again.content.decode()


def test_creating_with_an_expiry_sets_it(client, alice):
    client.force_login(alice)
    client.post(TOKENS, {"name": "Pilot", "expires_in_days": "30"})
    token = ApiToken.objects.get(user=alice)
    expected = timezone.now() + timedelta(days=30)
    assert abs(token.expires_at - expected) < timedelta(minutes=1)


def test_form_offers_90_days_and_an_explicit_no_expiry(client, alice):
    client.force_login(alice)
    response = client.get(TOKENS, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'name="expires_in_days" value="90"' in html
    assert 'type="checkbox" name="never_expires"' in html
    assert "checked" not in html


def test_never_expires_box_makes_a_token_without_expiry(client, alice):
    client.force_login(alice)
    # The days stay prefilled when the box is ticked: the box wins.
    client.post(TOKENS, {"name": "Forever", "expires_in_days": "90", "never_expires": "on"})
    assert ApiToken.objects.get(user=alice).expires_at is None


def test_list_shows_each_tokens_expiry(client, alice):
    api_token_create(user=alice, name="Pilot", expires_at=timezone.now() + timedelta(days=30))
    api_token_create(user=alice, name="Forever", never_expires=True)
    client.force_login(alice)
    html = client.get(TOKENS, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    rows = {row.split("</td>")[0]: row for row in html.split("<tr>\n  <td>")[1:]}
    expiry = timezone.localtime(timezone.now() + timedelta(days=30)).strftime("%d-%m-%Y")
    assert expiry in rows["Pilot"]
    assert "Never" in rows["Forever"]


@pytest.mark.parametrize("days", ["0", "366", "-1", "soon"])
def test_expiry_outside_1_to_365_days_is_refused(client, alice, days):
    client.force_login(alice)
    response = client.post(TOKENS, {"name": "Pilot", "expires_in_days": days})
    assert response.context["form"].errors["expires_in_days"]
    assert response.context["new_key"] is None
    assert not ApiToken.objects.filter(user=alice).exists()


def test_duplicate_name_is_shown_on_the_form(client, alice):
    api_token_create(user=alice, name="ERP")
    client.force_login(alice)
    response = client.post(TOKENS, {"name": "ERP"})
    assert response.context["form"].errors["name"]
    assert response.context["new_key"] is None
    assert ApiToken.objects.filter(user=alice).count() == 1


def test_token_from_the_page_works_on_the_api(client, alice):
    client.force_login(alice)
    key = client.post(TOKENS, {"name": "Script"}).context["new_key"]
    client.logout()
    response = client.get("/api/v1/partnerships/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200


def test_revoking_from_the_page(client, alice):
    token, key = api_token_create(user=alice, name="ERP")
    client.force_login(alice)
    response = client.post(_revoke_url(token))
    assert response.status_code == 302
    assert response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    api_response = client.get("/api/v1/partnerships/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api_response.status_code == 401


def test_revoking_anothers_token_gets_404(client, alice, bob):
    token, _key = api_token_create(user=alice, name="ERP")
    client.force_login(bob)
    assert client.post(_revoke_url(token)).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_anothers_token_id_gets_404_whatever_the_method(client, alice, bob, method):
    token, _key = api_token_create(user=alice, name="ERP")
    client.force_login(bob)
    assert getattr(client, method)(_revoke_url(token)).status_code == 404


def test_revoke_needs_post(client, alice):
    token, _key = api_token_create(user=alice, name="ERP")
    client.force_login(alice)
    assert client.get(_revoke_url(token)).status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


# --- the other account pages keep working ----------------------------------------------------


def test_profile_page_saves(client, alice):
    client.force_login(alice)
    assert client.get("/settings/profile/").status_code == 200
    response = client.post(
        "/settings/profile/", {"full_name": "Alice Smit", "phone": "", "language": "en"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.full_name, alice.language) == ("Alice Smit", "en")


def test_language_switch_sets_the_cookie(client, alice):
    client.force_login(alice)
    response = client.post("/settings/language/", {"language": "en", "next": "/partnerships/"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "en"
