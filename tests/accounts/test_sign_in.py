"""Signing in and up: the demo password never works with DEBUG off, the login limits of one
account do not lock its colleagues behind the same office NAT out, and sign-up and password
reset answer the same for a known and an unknown address."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from config import settings as config_settings
from tests import factories as f

LOGIN = "/accounts/login/"
OFFICE_IP = "198.51.100.7"  # one address for a whole office, as behind a NAT


def _verified_user(email: str, password: str = f.PASSWORD, **extra):
    user = f.UserFactory(email=email, **extra)
    user.set_password(password)
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def _login(client, email: str, password: str):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=OFFICE_IP)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- the demo password ---------------------------------------------------------------------


@pytest.fixture
def demo_user(db):
    """A user whose password is the demo one, as a database seeded with DEBUG on has them."""
    return _verified_user("fm@stlucas.demo", settings.DEMO_PASSWORD, is_staff=True)


def test_demo_password_is_refused_at_login_when_debug_is_off(client, demo_user):
    response = _login(client, demo_user.email, settings.DEMO_PASSWORD)
    assert response.status_code == 200, "the login form again, with the usual error"
    assert not _signed_in(client)


def test_demo_password_is_refused_at_the_admin_login_when_debug_is_off(client, demo_user):
    client.post("/admin/login/", {"username": demo_user.email, "password": settings.DEMO_PASSWORD})
    assert not _signed_in(client)


def test_demo_password_works_while_debug_is_on(client, demo_user, settings):
    settings.DEBUG = True
    assert _login(client, demo_user.email, settings.DEMO_PASSWORD).status_code == 302
    assert _signed_in(client)


# --- login limits behind one office address --------------------------------------------------


@pytest.fixture
def production_rate_limits(settings):
    settings.ACCOUNT_RATE_LIMITS = config_settings.ACCOUNT_RATE_LIMITS
    cache.clear()
    yield
    cache.clear()


def test_ip_limit_never_locks_longer_than_the_account_limit():
    by_kind = {
        rate.per: rate for rate in parse_rates(config_settings.ACCOUNT_RATE_LIMITS["login_failed"])
    }
    assert by_kind["ip"].duration <= by_kind["key"].duration
    assert by_kind["ip"].amount > by_kind["key"].amount


def test_a_locked_account_does_not_lock_out_a_colleague_on_the_same_address(
    client, db, production_rate_limits
):
    attacked = _verified_user("a@office.test")
    colleague = _verified_user("b@office.test")
    for _attempt in range(20):
        _login(client, attacked.email, "wrong-password-guess")
    locked = _login(client, attacked.email, f.PASSWORD)
    assert locked.status_code == 200 and not _signed_in(client), "A stays locked for its window"

    response = _login(client, colleague.email, f.PASSWORD)
    assert response.status_code == 302
    assert _signed_in(client)


# --- no oracle for who has an account ------------------------------------------------------


def _comparable(response, email: str) -> tuple:
    """Status, redirect and the page it leads to, with the address and one-time tokens out."""
    html = response.content.decode().replace(email, "EMAIL")
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    chain = [(url.replace(email, "EMAIL"), status) for url, status in response.redirect_chain]
    return response.status_code, chain, html


def test_sign_up_answers_the_same_for_a_known_and_an_unknown_address(client, db):
    _verified_user("known@example.test")

    def sign_up(email):
        fresh = client.__class__()
        return fresh.post(
            reverse("account_signup"),
            {
                "email": email,
                "full_name": "Iemand",
                "password1": "een-lang-wachtwoord",
                "password2": "een-lang-wachtwoord",
            },
            follow=True,
        )

    known = _comparable(sign_up("known@example.test"), "known@example.test")
    unknown = _comparable(sign_up("unknown@example.test"), "unknown@example.test")
    assert known == unknown
    assert known[1], "both go on to the 'check your e-mail' page"


def test_password_reset_answers_the_same_for_a_known_and_an_unknown_address(client, db):
    _verified_user("known@example.test")

    def reset(email):
        fresh = client.__class__()
        return fresh.post(reverse("account_reset_password"), {"email": email}, follow=True)

    known = _comparable(reset("known@example.test"), "known@example.test")
    unknown = _comparable(reset("unknown@example.test"), "unknown@example.test")
    assert known == unknown
    assert known[1], "both go on to the 'e-mail sent' page"
