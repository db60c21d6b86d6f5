"""Fixtures for the API suites."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def login(api):
    """`login(user)` signs the API client in with a session (None signs out)."""

    def _login(user):
        api.logout()
        if user is not None:
            api.force_login(user)
        return api

    return _login


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "schemathesis: the schemathesis run over the whole API (-m schemathesis)"
    )
