"""Accounts through allauth: e-mail login, verified signup, password reset, the rate limit, and
pages that render in the app's style, accessibly and within the CSP."""

import re
from html.parser import HTMLParser

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings as django_settings
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from tests import factories as f

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "another-long-passphrase-77"


@pytest.fixture
def person(db):
    user = f.UserFactory(email="person@example.com")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def _login(client, email, password, **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, **extra)


def _link(message, prefix: str) -> str:
    match = re.search(rf"https?://[^/\s]+({re.escape(prefix)}\S+)", message.body)
    assert match, message.body
    return match.group(1)


class _FormAudit(HTMLParser):
    """Collects form controls and labels, inline styles and inline scripts of a page."""

    def __init__(self):
        super().__init__()
        self.controls: list[dict] = []
        self.label_targets: set[str] = set()
        self.inline_styles = 0
        self.inline_scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.inline_scripts += 1
        if tag == "style":
            self.inline_styles += 1
        if tag == "label" and attrs.get("for"):
            self.label_targets.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.controls.append(attrs)


def assert_accessible_and_csp_safe(response):
    assert response.status_code == 200
    audit = _FormAudit()
    audit.feed(response.content.decode())
    unlabelled = [
        c
        for c in audit.controls
        if c.get("id") not in audit.label_targets and not c.get("aria-label")
    ]
    assert unlabelled == []
    assert audit.inline_styles == 0
    assert audit.inline_scripts == 0
    return audit


# --- Signing up and logging in by e-mail -----------------------------------------------------


def test_signup_form_asks_for_email_and_passwords_but_no_username(client):
    response = client.get(reverse("account_signup"))
    audit = assert_accessible_and_csp_safe(response)
    names = {c.get("name") for c in audit.controls}
    assert {"email", "full_name", "password1", "password2"} <= names
    assert "username" not in names


def test_signup_requires_email_verification_when_debug_is_off(
    client, django_capture_on_commit_callbacks
):
    assert django_settings.DEBUG is False
    assert django_settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory"
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(
            reverse("account_signup"),
            {
                "email": "Fresh@Example.com",
                "full_name": "Fresh Person",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="fresh@example.com")
    assert user.full_name == "Fresh Person"
    assert user.language == "nl"  # the language the person signed up in
    assert not EmailAddress.objects.get(user=user).verified
    # not signed in, and logging in does not get them in either before they verify
    assert client.get("/")["Location"].startswith(reverse("account_login"))
    response = _login(client, "fresh@example.com", NEW_PASSWORD)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert client.get("/").status_code == 302

    confirm = _link(mail.outbox[0], "/accounts/confirm-email/")
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    response = _login(client, "fresh@example.com", NEW_PASSWORD)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_login_by_email_gets_in(client, person):
    response = _login(client, "PERSON@example.com", f.PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_password_shows_an_error_next_to_the_form(client, person):
    response = _login(client, person.email, "wrong-password", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "alert alert-danger" in response.content.decode()
    assert client.get("/").status_code == 302


def test_failed_logins_are_rate_limited(client, person, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    cache.clear()
    try:
        for _ in range(3):
            assert _login(client, person.email, "wrong-password").status_code == 200
        response = _login(client, person.email, f.PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200  # even the right password is refused now
        assert "Too many failed login attempts" in response.content.decode()
        assert client.get("/").status_code == 302
    finally:
        cache.clear()


def test_without_the_limit_the_right_password_still_works_after_failures(client, person):
    for _ in range(3):
        _login(client, person.email, "wrong-password")
    assert _login(client, person.email, f.PASSWORD)["Location"] == "/"


# --- Password reset --------------------------------------------------------------------------


def test_password_reset_sends_a_mail_with_a_working_link(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after commit
        response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]
    assert mail.outbox[0].subject.startswith("[Tandem]")

    link = _link(mail.outbox[0], "/accounts/password/reset/key/")
    response = client.get(link, follow=True)
    assert_accessible_and_csp_safe(response)
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert _login(client, person.email, NEW_PASSWORD)["Location"] == "/"


def test_password_reset_for_an_unknown_address_reveals_nothing(client, db):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")


# --- The pages look like the app, are accessible and keep to the CSP -------------------------


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_render_in_the_app_layout(client, db, url_name):
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")
    assert_accessible_and_csp_safe(response)
    body = response.content.decode()
    assert 'class="navbar' in body  # our base.html, not allauth's bare layout
    assert "Menu:" not in body
    assert 'class="h3 mb-3"' in body  # the h1 element template


@pytest.mark.parametrize(
    "url_name",
    ["account_email", "account_change_password", "mfa_index", "account_logout"],
)
def test_account_pages_render_with_the_account_section_bar(client, person, url_name):
    _login(client, person.email, f.PASSWORD)
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en")
    assert_accessible_and_csp_safe(response)
    body = response.content.decode()
    assert 'aria-label="Account sections"' in body
    assert "Menu:" not in body


def test_totp_setup_shows_the_qr_code_as_data_uri_with_a_text_alternative(client, person):
    _login(client, person.email, f.PASSWORD)
    response = client.get(reverse("mfa_activate_totp"))
    reauth = response["Location"]
    client.post(reauth, {"password": f.PASSWORD})
    response = client.get(reverse("mfa_activate_totp"), HTTP_ACCEPT_LANGUAGE="en")
    assert_accessible_and_csp_safe(response)
    body = response.content.decode()
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="[^"]+"', body)
    assert 'for="authenticator_secret"' in body


def test_allauth_strings_are_translated_to_dutch(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="nl")
    body = response.content.decode()
    assert "Wachtwoord vergeten?" in body
    assert "Aanmelden" in body


def test_email_page_confirms_removal_without_inline_script(client, person):
    _login(client, person.email, f.PASSWORD)
    response = client.get(reverse("account_email"))
    assert_accessible_and_csp_safe(response)
    assert re.search(r'name="action_remove"[^>]*data-confirm="[^"]+"', response.content.decode())
