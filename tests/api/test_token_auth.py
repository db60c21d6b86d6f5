from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import token_memory
from accounts.authentication import LAST_USED_RESOLUTION_SECONDS
from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from tests import factories as f
from tests.api import paths


@pytest.fixture
def member_key(world):
    _token, key = api_token_create(user=world.member, name="ERP")
    return key


def _bearer(api, value):
    api.credentials(HTTP_AUTHORIZATION=value)
    return api


def test_valid_token_reads_as_its_user(api, world, member_key):
    response = _bearer(api, f"Bearer {member_key}").get(paths.partnerships())
    assert response.status_code == 200
    assert [row["title"] for row in response.json()["results"]] == ["Hospital cleaning"]


def test_token_carries_its_users_role(api, world, member_key):
    response = _bearer(api, f"Bearer {member_key}").patch(
        paths.partnership(world.partnership), {"title": "x"}, format="json"
    )
    assert response.status_code == 403


def test_token_use_is_recorded(api, world, member_key):
    token = ApiToken.objects.get(user=world.member)
    assert token.last_used_at is None
    _bearer(api, f"Bearer {member_key}").get(paths.partnerships())
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)


def test_token_use_is_recorded_again_once_stale(api, world, member_key):
    stale = timezone.now() - timedelta(seconds=LAST_USED_RESOLUTION_SECONDS + 5)
    ApiToken.objects.filter(user=world.member).update(last_used_at=stale)
    _bearer(api, f"Bearer {member_key}").get(paths.partnerships())
    assert ApiToken.objects.get(user=world.member).last_used_at > stale


def test_token_works_for_writes_without_csrf(api, world):
    _token, key = api_token_create(user=world.manager, name="CAFM")
    response = _bearer(api, f"Bearer {key}").patch(
        paths.plan(world.partnership), {"channels": "Hub"}, format="json"
    )
    assert response.status_code == 200


def _assert_401(response):
    assert response.status_code == 401
    assert set(response.json()) == {"detail"}
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_expired_token_gets_401(api, world):
    token, key = api_token_create(
        user=world.member, name="Old", expires_at=timezone.now() + timedelta(days=1)
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    _assert_401(_bearer(api, f"Bearer {key}").get(paths.partnerships()))


def test_revoked_token_gets_401(api, world, member_key):
    api_token_revoke(user=world.member, token=ApiToken.objects.get(user=world.member))
    _assert_401(_bearer(api, f"Bearer {member_key}").get(paths.partnerships()))


def test_token_of_a_disabled_account_gets_401(api, world, member_key):
    world.member.is_active = False
    world.member.save()
    _assert_401(_bearer(api, f"Bearer {member_key}").get(paths.partnerships()))


@pytest.mark.parametrize(
    "header",
    [
        "Bearer tdm_wrong",
        "Bearer",
        "Bearer two parts",
        "Token tdm_wrong",
        "tdm_wrong",
    ],
)
def test_wrong_or_malformed_header_gets_401(api, world, member_key, header):
    _assert_401(_bearer(api, header).get(paths.partnerships()))


def test_no_credentials_get_401(api, world):
    _assert_401(api.get(paths.contracts(world.partnership)))


def test_key_with_a_stray_character_gets_401(api, world, member_key):
    _assert_401(_bearer(api, f"Bearer {member_key}x").get(paths.partnerships()))


def test_token_answers_in_its_users_language(api, world):
    world.outsider.language = "en"
    world.outsider.save()
    _token, key = api_token_create(user=world.outsider, name="Snoop")
    response = _bearer(api, f"Bearer {key}").get(paths.contracts(world.partnership))
    assert response.json() == {"detail": "Not found."}
    assert response.headers["Content-Language"] == "en"


# --- What a worker remembers of a token (accounts/token_memory.py) ------------------------------


def _in_steady_use(api, key):
    """Three uses: the first learns the token's user, the second reads the row after the
    versions, the third is served from memory."""
    _bearer(api, f"Bearer {key}")
    for _ in range(3):
        assert api.get(paths.partnerships()).status_code == 200


def _revoke(world, key):
    api_token_revoke(user=world.member, token=ApiToken.objects.get(user=world.member))


def _disable(world, key):
    world.member.is_active = False
    world.member.save()


def _require_mfa(world, key):
    world.hospital.require_mfa = True
    world.hospital.save()


def _join_an_mfa_organisation(world, key):
    from partnership.models import Membership

    strict = f.OrganizationFactory(name="Strict", slug="strict", require_mfa=True)
    Membership.objects.create(user=world.member, organization=strict, role="member")


@pytest.mark.parametrize("change", [_revoke, _disable, _require_mfa, _join_an_mfa_organisation])
@pytest.mark.parametrize("where", ["this worker", "another worker"])
def test_a_remembered_token_is_refused_on_the_next_request_after_a_change(
    api, world, member_key, change, where
):
    _in_steady_use(api, member_key)
    held = dict(token_memory._remembered)
    assert len(held) == 1 and next(iter(held.values())).rows
    change(world, member_key)
    if where == "another worker":  # it still holds the row; the versions it reads moved on
        token_memory._remembered.update(held)
    _assert_401(api.get(paths.partnerships()))


def test_a_change_counts_the_version_up_again_when_it_commits(
    world, django_capture_on_commit_callbacks
):
    """A worker may read the old row between the change and its commit: the version counted
    up at the commit makes it read the row again."""
    before = token_memory.read_versions(world.member.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        token_memory.changed(world.member.pk)
    during = token_memory.read_versions(world.member.pk)
    for callback in callbacks:
        callback()
    after = token_memory.read_versions(world.member.pk)
    assert before != during != after
    assert before[1] == during[1] == after[1]  # everyone's version untouched
