"""The isolation checks catch scoping mistakes: proven on views that make them on purpose
(`leaky_urls.py`), walked and probed by the very functions the route suite uses."""

import pytest

from partnership import api_base, scoping

from . import leaky_urls
from .routes import iter_routes
from .test_url_isolation import Case, check_own_scope, check_refused

pytestmark = pytest.mark.urls("tests.isolation.leaky_urls")

ROUTES = {r.name: r for r in iter_routes(leaky_urls.leaky_patterns) if "format" not in r.kwargs}
EVERY_CONTRACT = ["every-contract-page", "every-contract-detail"]


def _cases(name: str) -> list[Case]:
    route = ROUTES[name]
    auths = ("session", "bearer") if route.is_api else ("session",)
    return [Case(route, "GET", auth) for auth in auths]


def _without_the_bases_filter(monkeypatch) -> None:
    """What the bases did before they narrowed `scoped_queryset` themselves."""
    monkeypatch.setattr(scoping, "within", lambda queryset, scope: queryset)
    monkeypatch.setattr(api_base, "within", lambda queryset, scope: queryset)


@pytest.mark.parametrize("name", EVERY_CONTRACT)
@pytest.mark.parametrize("insider", [False, True], ids=["outsider", "insider"])
def test_a_scoped_queryset_of_every_row_still_answers_404(name, insider, isolation, client):
    for case in _cases(name):
        assert check_refused(case, isolation, client, insider=insider) == []


@pytest.mark.parametrize("name", EVERY_CONTRACT)
def test_without_the_bases_filter_the_insider_probe_reports_the_leak(
    name, isolation, client, monkeypatch
):
    """A's insider names B's contract under A's own partnership: only the bases' own filter
    stands between that URL and B's data (the outsider is stopped by the partnership itself)."""
    _without_the_bases_filter(monkeypatch)
    for case in _cases(name):
        problems = "\n".join(check_refused(case, isolation, client, insider=True))
        assert "answered 200 instead of 404" in problems
        assert repr(isolation.b.contract.reference) in problems  # "response shows '…'"


def test_a_serializer_field_reading_across_tenants_is_caught_by_the_own_scope_walk(
    isolation, client
):
    for case in _cases("neighbour-leak-detail"):
        problems = check_own_scope(case, isolation, client)
        assert len(problems) == 1
        assert f"response shows {isolation.b.contract.reference!r}" in problems[0]
