"""Fixtures of the hub's tests."""

import pytest
from rest_framework.test import APIClient

from .api_support import PEOPLE


@pytest.fixture
def english(world):
    """For tests that assert messages in English; Dutch is the default language."""
    for who in PEOPLE:
        user = getattr(world, who)
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def as_user():
    api = APIClient()

    def _as(user):
        api.logout()
        if user is not None:
            api.force_login(user)
        return api

    return _as
