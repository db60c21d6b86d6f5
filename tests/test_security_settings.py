"""Security settings and headers of ASVS L2: proxy headers believed only when trusted, a
Permissions-Policy on every response, the API schema and docs behind a sign-in with DEBUG off,
and the deployment checks that keep the account rules on."""

import runpy
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from accounts.checks import session_lifetime_within_asvs, signup_does_not_reveal_addresses
from accounts.services import api_token_create
from tests import factories as f

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "config" / "settings.py"


def _settings_with(monkeypatch, **env) -> dict:
    """config/settings.py as a process with this environment would load it."""
    for name in ("TRUST_PROXY_HEADERS", "TRUSTED_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


# --- proxy headers -------------------------------------------------------------------------


def test_proxy_headers_are_not_believed_by_default(monkeypatch):
    loaded = _settings_with(monkeypatch)
    assert loaded["TRUST_PROXY_HEADERS"] is False
    assert "SECURE_PROXY_SSL_HEADER" not in loaded
    assert "ALLAUTH_TRUSTED_PROXY_COUNT" not in loaded


def test_trusted_proxy_headers_give_https_and_the_client_address(monkeypatch):
    loaded = _settings_with(monkeypatch, TRUST_PROXY_HEADERS="1", TRUSTED_PROXY_COUNT="2")
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2


def test_a_client_claiming_https_is_not_believed_in_this_configuration():
    request = RequestFactory().get("/", HTTP_X_FORWARDED_PROTO="https")
    assert not request.is_secure()


# --- Permissions-Policy --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/accounts/login/", "/api/v1/partnerships/", "/no-such-page/", "/static/js/tandem.js"],
    ids=["page", "api-401", "404", "static"],
)
def test_every_response_switches_off_the_powerful_browser_features(client, db, path):
    policy = client.get(path).headers["Permissions-Policy"]
    features = dict(item.split("=", 1) for item in policy.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "display-capture"):
        assert features[feature] == "()", feature
    assert set(features.values()) == {"()"}, "the app uses none of them"


# --- the API schema and docs ---------------------------------------------------------------


def test_schema_and_docs_need_a_sign_in_when_debug_is_off(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 401
    assert schema["WWW-Authenticate"] == "Bearer"
    docs = client.get("/api/docs/")
    assert docs.status_code == 302
    assert docs["Location"] == "/accounts/login/?next=/api/docs/"


def test_schema_answers_a_token(client, db):
    _token, key = api_token_create(user=f.UserFactory(), name="Schema")
    response = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert "/api/v1/partnerships/" in response.json()["paths"]


def test_schema_and_docs_are_open_while_debug_is_on(client, db, settings):
    settings.DEBUG = True
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/?format=json").status_code == 200


# --- deployment checks ---------------------------------------------------------------------


def test_deploy_check_is_quiet_with_the_production_defaults():
    assert signup_does_not_reveal_addresses(None) == []
    assert session_lifetime_within_asvs(None) == []


def test_deploy_check_warns_when_sign_up_would_reveal_addresses():
    with override_settings(ACCOUNT_EMAIL_VERIFICATION="optional"):
        assert [w.id for w in signup_does_not_reveal_addresses(None)] == ["accounts.W001"]


@pytest.mark.parametrize(
    "overrides",
    [{"SESSION_IDLE_TIMEOUT": 31 * 60}, {"SESSION_ABSOLUTE_LIFETIME": 13 * 3600}],
    ids=["idle", "absolute"],
)
def test_deploy_check_warns_about_sessions_longer_than_asvs_allows(overrides):
    with override_settings(**overrides):
        assert [w.id for w in session_lifetime_within_asvs(None)] == ["accounts.W002"]
