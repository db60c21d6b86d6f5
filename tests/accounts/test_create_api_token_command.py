from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import DEFAULT_TOKEN_DAYS, api_token_create
from tests import factories as f


def _run(*args) -> str:
    out = StringIO()
    call_command("create_api_token", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip()


def test_command_prints_a_working_token(world):
    key = _run("Member@Hospital.test", "Nightly export")
    token = ApiToken.objects.get(user=world.member)
    assert token.name == "Nightly export"
    assert token.key_hash == ApiToken.hash_key(key)
    assert _days_from_now(token.expires_at) == pytest.approx(DEFAULT_TOKEN_DAYS, abs=0.01)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = api.get("/api/v1/partnerships/")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def _days_from_now(moment) -> float:
    return (moment - timezone.now()) / timedelta(days=1)


@pytest.mark.parametrize("option", ["--days", "--expires-days"])
def test_command_sets_the_expiry(db, option):
    user = f.UserFactory(email="ops@example.test")
    _run("ops@example.test", "CI", option, "7")
    assert _days_from_now(ApiToken.objects.get(user=user).expires_at) == pytest.approx(7, abs=0.01)


def test_command_makes_a_token_without_expiry_only_when_asked(db):
    user = f.UserFactory(email="ops@example.test")
    key = _run("ops@example.test", "CI", "--no-expiry")
    token = ApiToken.objects.get(user=user)
    assert token.expires_at is None
    assert token.key_hash == ApiToken.hash_key(key)


def test_command_refuses_days_and_no_expiry_together(db):
    f.UserFactory(email="ops@example.test")
    with pytest.raises(CommandError):
        _run("ops@example.test", "CI", "--days", "7", "--no-expiry")
    assert not ApiToken.objects.exists()


def test_unknown_email_is_a_clear_error(db):
    with pytest.raises(CommandError, match="nobody@example.test"):
        _run("nobody@example.test", "CI")
    assert not ApiToken.objects.exists()


def test_duplicate_active_name_is_a_clear_error(db):
    user = f.UserFactory(email="ops@example.test")
    api_token_create(user=user, name="CI")
    with pytest.raises(CommandError):
        _run("ops@example.test", "CI")
    assert ApiToken.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("days", ["0", "366"])
def test_expiry_outside_1_to_365_days_is_refused(db, days):
    f.UserFactory(email="ops@example.test")
    with pytest.raises(CommandError):
        _run("ops@example.test", "CI", "--days", days)
    assert not ApiToken.objects.exists()
