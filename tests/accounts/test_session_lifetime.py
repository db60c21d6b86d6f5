"""A signed-in session ends after SESSION_IDLE_TIMEOUT without a request and SESSION_ABSOLUTE_
LIFETIME after sign-in (ASVS 3.3): the person is signed out, told why, and sent to log in; htmx
gets HX-Redirect, the API a JSON 401. The session is aged by rewriting its stamps, as the
middleware reads them, instead of waiting."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.middleware import SESSION_SEEN_KEY, SESSION_STARTED_KEY
from accounts.services import api_token_create
from tests import factories as f

PAGE = "/settings/profile/"
IDLE_MESSAGE = "Je sessie is verlopen na 30 minuten zonder activiteit. Log opnieuw in"
ABSOLUTE_MESSAGE = "Je sessie is verlopen: een aanmelding blijft hoogstens 12 uur geldig."


@pytest.fixture
def signed_in(client, db):
    user = f.UserFactory(email="fm@example.test", full_name="Femke Manager")
    client.force_login(user)
    client.user = user
    return client


def _age(client, *, signed_in_ago: int = 0, seen_ago: int = 0) -> None:
    session = client.session
    now = int(time.time())
    session[SESSION_STARTED_KEY] = now - signed_in_ago
    session[SESSION_SEEN_KEY] = now - seen_ago
    session.save()


def _signed_out(client) -> bool:
    return "_auth_user_id" not in client.session


def test_defaults_are_30_minutes_idle_and_12_hours_in_all():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_LIFETIME == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_LIFETIME


def test_sign_in_stamps_the_session(signed_in):
    session = signed_in.session
    assert abs(session[SESSION_STARTED_KEY] - time.time()) < 5
    assert session[SESSION_SEEN_KEY] == session[SESSION_STARTED_KEY]


def test_idle_session_is_signed_out_and_sent_to_log_in_with_the_reason(signed_in):
    _age(signed_in, signed_in_ago=3600, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    response = signed_in.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}"
    assert _signed_out(signed_in)
    login_page = signed_in.get(response["Location"]).content.decode()
    assert IDLE_MESSAGE in login_page


def test_session_used_just_under_the_idle_timeout_goes_on(signed_in):
    _age(signed_in, signed_in_ago=3600, seen_ago=settings.SESSION_IDLE_TIMEOUT - 5)
    assert signed_in.get(PAGE).status_code == 200
    assert not _signed_out(signed_in)


def test_busy_session_still_ends_after_the_absolute_lifetime(signed_in):
    _age(signed_in, signed_in_ago=settings.SESSION_ABSOLUTE_LIFETIME + 1, seen_ago=0)
    response = signed_in.get(PAGE, follow=True)
    assert response.redirect_chain[0][0].startswith("/accounts/login/")
    assert ABSOLUTE_MESSAGE in response.content.decode()
    assert _signed_out(signed_in)


def test_expired_form_post_changes_nothing_and_returns_to_its_page(signed_in):
    _age(signed_in, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    response = signed_in.post(
        PAGE,
        {"full_name": "Iemand Anders", "phone": "", "language": ""},
        HTTP_REFERER=f"http://testserver{PAGE}",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}"
    signed_in.user.refresh_from_db()
    assert signed_in.user.full_name == "Femke Manager"


def test_htmx_request_gets_hx_redirect_to_log_in_and_back(signed_in):
    _age(signed_in, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    response = signed_in.get(
        "/settings/tokens/",
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="http://testserver/settings/tokens/?tab=1",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/login/?next=/settings/tokens/%3Ftab%3D1"
    assert not response.content
    assert _signed_out(signed_in)


def test_htmx_redirect_never_points_to_another_site(signed_in):
    _age(signed_in, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    response = signed_in.post(
        "/settings/tokens/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="https://evil.example/"
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=/"


def test_api_call_on_an_expired_session_gets_401_json(signed_in):
    _age(signed_in, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    response = signed_in.get("/api/v1/partnerships/")
    assert response.status_code == 401
    assert response.json() == {"detail": IDLE_MESSAGE + " om verder te gaan."}
    assert _signed_out(signed_in)


def test_api_call_with_a_token_never_reads_the_session_even_when_it_expired(signed_in):
    _token, key = api_token_create(user=signed_in.user, name="ERP")
    _age(signed_in, seen_ago=settings.SESSION_IDLE_TIMEOUT + 1)
    with CaptureQueriesContext(connection) as ctx:
        response = signed_in.get("/api/v1/partnerships/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "django_session" in q["sql"]]
    assert signed_in.get(PAGE).status_code == 302  # the next page still ends the session
    assert _signed_out(signed_in)


def test_session_from_before_the_rule_counts_from_now(signed_in):
    session = signed_in.session
    del session[SESSION_STARTED_KEY], session[SESSION_SEEN_KEY]
    session.save()
    assert signed_in.get(PAGE).status_code == 200
    assert abs(signed_in.session[SESSION_STARTED_KEY] - time.time()) < 5


def _session_writes(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(PAGE).status_code == 200
    return sum(1 for q in queries if q["sql"].startswith("UPDATE") and "django_session" in q["sql"])


def test_activity_is_written_at_most_once_a_minute(signed_in):
    _age(signed_in, signed_in_ago=600, seen_ago=30)
    assert _session_writes(signed_in) == 0, "seen 30 s ago: nothing to write"
    _age(signed_in, signed_in_ago=600, seen_ago=61)
    assert _session_writes(signed_in) == 1
    assert abs(signed_in.session[SESSION_SEEN_KEY] - time.time()) < 5
    assert signed_in.session[SESSION_STARTED_KEY] < time.time() - 590, "the start stays"
