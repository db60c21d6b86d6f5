"""Fixtures of the review-round tests (the people come from the `world` fixture)."""

import pytest
from rest_framework.test import APIClient

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator", "outsider"]


@pytest.fixture
def english(world):
    """For tests that assert messages in English; Dutch is the default language."""
    for who in PEOPLE:
        user = getattr(world, who)
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def as_user():
    """An API client signed in as the given user (or anonymous for None)."""
    api = APIClient()

    def _as(user):
        api.logout()
        if user is not None:
            api.force_login(user)
        return api

    return _as
