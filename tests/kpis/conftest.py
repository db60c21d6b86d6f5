"""Fixtures of the KPI API tests."""

import pytest
from rest_framework.test import APIClient

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator", "outsider"]


@pytest.fixture
def login():
    """`login(user)`: an API client signed in with a session."""
    api = APIClient()

    def _login(user):
        api.logout()
        api.force_login(user)
        return api

    return _login


@pytest.fixture
def english(world):
    """Messages are asserted in English; Dutch is the default language."""
    for who in PEOPLE:
        user = getattr(world, who)
        user.language = "en"
        user.save(update_fields=["language"])
