"""Every way of choosing a password applies the same rules (ASVS 2.1.1 and 2.1.7): at least 12
characters and not on Django's list of breached passwords, refused with a clear Dutch message and
nothing changed. The invitation link leads to allauth's sign-up, so it is covered by "signup"."""

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from accounts.models import User
from tests import factories as f

EMAIL = "jan@example.test"
ELEVEN = "elf-tekens!"  # 11 characters, not on the list
TWELVE = "twaalf-teken"  # 12
BREACHED = "q1w2e3r4t5y6"  # 12 characters, on Django's list of common (breached) passwords

WEAK = [
    pytest.param(ELEVEN, "Dit wachtwoord is te kort: gebruik minstens 12 tekens.", id="11-chars"),
    pytest.param(
        BREACHED,
        "Dit wachtwoord staat in een lijst van veelgebruikte en gelekte wachtwoorden.",
        id="breached",
    ),
]


@pytest.fixture
def jan(db):
    user = f.UserFactory(email=EMAIL)
    EmailAddress.objects.create(user=user, email=EMAIL, verified=True, primary=True)
    return user


def _signup(client, password):
    return client.post(
        reverse("account_signup"),
        {
            "email": "nieuw@example.test",
            "full_name": "Nieuwe Collega",
            "password1": password,
            "password2": password,
        },
    )


def _change(client, password, user):
    client.force_login(user)
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": f.PASSWORD, "password1": password, "password2": password},
    )


def _reset(client, password, user):
    key_url = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    set_password_url = client.get(key_url)["Location"]  # allauth moves the key to the session
    return client.post(set_password_url, {"password1": password, "password2": password})


FLOWS = {
    "signup": lambda client, password, user: _signup(client, password),
    "change": _change,
    "reset": _reset,
}


def _nothing_changed(flow: str, user: User) -> bool:
    if flow == "signup":
        return not User.objects.filter(email="nieuw@example.test").exists()
    user.refresh_from_db()
    return user.check_password(f.PASSWORD)


@pytest.mark.parametrize("flow", FLOWS)
@pytest.mark.parametrize(("password", "message"), WEAK)
def test_weak_password_is_refused_in_dutch_and_changes_nothing(
    client, jan, flow, password, message
):
    response = FLOWS[flow](client, password, jan)
    assert response.status_code == 200, "the form is shown again"
    assert message in response.content.decode()
    assert _nothing_changed(flow, jan)


@pytest.mark.parametrize("flow", FLOWS)
def test_twelve_characters_are_enough(client, jan, flow):
    response = FLOWS[flow](client, TWELVE, jan)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert not _nothing_changed(flow, jan)


def test_sign_up_page_states_the_rules_in_dutch(client, db):
    html = client.get(reverse("account_signup")).content.decode()
    assert "Je wachtwoord moet minstens 12 tekens lang zijn" in html
    assert "Je wachtwoord mag geen veelgebruikt of gelekt wachtwoord zijn." in html


def test_password_like_the_persons_own_name_is_refused(client, jan):
    jan.full_name = "Jan Vermeulen"
    jan.save()
    response = _change(client, "janvermeulen", jan)
    assert "Dit wachtwoord lijkt te veel op je volledige naam." in response.content.decode()
