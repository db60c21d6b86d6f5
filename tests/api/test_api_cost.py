"""What a Bearer call costs: one query to authenticate (the token, its user and the MFA policy),
none once the worker remembers the token, one Redis round trip to throttle (and to see that the
remembered token is still good), a list whose queries do not grow with its rows, and the
token's last use written at most once a minute."""

import datetime
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from redis.connection import AbstractConnection

from accounts import token_memory
from accounts.authentication import LAST_USED_RESOLUTION_SECONDS
from accounts.models import ApiToken
from accounts.services import api_token_create
from partnership.access import resolve_access
from partnership.api_base import resolve_access_in_one_query
from partnership.api_input import PageNumberPagination
from partnership.api_throttle import UserRateThrottle
from tests import factories as f
from tests.api import paths
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.messaging.factories import MessageFactory, ThreadFactory
from tests.reviews.factories import action

pytestmark = pytest.mark.django_db

# Queries of one Bearer request with a token the worker remembers (none for the token), the
# partnership with the caller's place in it (1), the page (1; a first page shorter than a page
# needs no COUNT), and what a list adds: the measurements' KPI and the threads' linked documents.
LISTS = {
    "partnerships": (lambda w, kpi: paths.partnerships(), 1),
    "kpis": (lambda w, kpi: f"{paths.partnership(w.partnership)}kpis/", 2),
    "measurements": (
        lambda w, kpi: f"{paths.partnership(w.partnership)}kpis/{kpi.pk}/measurements/",
        3,
    ),
    "threads": (lambda w, kpi: f"{paths.partnership(w.partnership)}threads/", 3),
    "actions": (lambda w, kpi: f"{paths.partnership(w.partnership)}actions/", 2),
}


def _grow(w, kpi, n: int) -> None:
    """n more rows of every list the supplier's project leader reads."""
    start = kpi.measurements.count()
    for i in range(start, start + n):
        client = f.OrganizationFactory(name=f"Client {i}", slug=f"client-{i}")
        f.PartnershipFactory(client=client, supplier=w.cleaner, title=f"Cleaning {i}")
        MeasurementFactory(kpi=kpi, period_start=datetime.date(2025, 1 + i, 1))
        other = KPIFactory(partnership=w.partnership)
        MeasurementFactory(kpi=other)
        thread = ThreadFactory(partnership=w.partnership, created_by=w.supplier_lead)
        MessageFactory(thread=thread, author=w.supplier_lead)
        action(w.partnership, w.supplier_lead, title=f"Action {i}")


def _queries(api, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(path)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def _remember_the_token(api) -> None:
    """Its first use learns whose token it is (and stamps the use), the second reads it after
    the versions; from the third on the worker remembers it."""
    for _ in range(2):
        assert api.get(paths.partnerships()).status_code == 200


def test_list_queries_do_not_grow_with_their_rows(api, world):
    _token, key = api_token_create(user=world.supplier_lead, name="ERP")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    kpi = KPIFactory(partnership=world.partnership)
    _grow(world, kpi, 1)
    _remember_the_token(api)
    small = {name: _queries(api, path(world, kpi)) for name, (path, _n) in LISTS.items()}
    _grow(world, kpi, 2)
    _remember_the_token(api)  # new organisations: workers forget tokens (the MFA policy)
    large = {name: _queries(api, path(world, kpi)) for name, (path, _n) in LISTS.items()}
    assert small == large == {name: n for name, (_path, n) in LISTS.items()}
    rows = api.get(LISTS["threads"][0](world, kpi)).json()
    assert rows["count"] == len(rows["results"]) == 3


def test_a_full_first_page_still_counts_every_row(api, world, monkeypatch):
    _token, key = api_token_create(user=world.supplier_lead, name="ERP")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    monkeypatch.setattr(PageNumberPagination, "page_size", 2)
    for i in range(3):
        client = f.OrganizationFactory(name=f"Client {i}", slug=f"client-{i}")
        f.PartnershipFactory(client=client, supplier=world.cleaner, title=f"Cleaning {i}")
    body = api.get(paths.partnerships()).json()
    assert (body["count"], len(body["results"])) == (5, 2)
    assert api.get(paths.partnerships() + "?page=3").json()["count"] == 5


def _updates_of_tokens(ctx) -> int:
    return sum(
        1
        for q in ctx.captured_queries
        if q["sql"].startswith('UPDATE "accounts_apitoken"') and "last_used_at" in q["sql"]
    )


def test_last_use_is_written_once_for_two_requests_within_a_minute(api, world):
    token, key = api_token_create(user=world.member, name="ERP")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(paths.partnerships()).status_code == 200
        assert api.get(paths.partnerships()).status_code == 200
    assert _updates_of_tokens(ctx) == 1
    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(seconds=10)
    stale = timezone.now() - timedelta(seconds=LAST_USED_RESOLUTION_SECONDS + 1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=stale)
    token_memory.forget()  # as the minute does: a worker remembers a token for no longer
    with CaptureQueriesContext(connection) as ctx:
        api.get(paths.partnerships())
    assert _updates_of_tokens(ctx) == 1  # stale again: written again


@pytest.fixture
def redis_round_trips(monkeypatch):
    """Every command (or pipeline) the real redis client sends, as it goes out."""
    sent = []
    send = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return send(self, command, check_health)

    monkeypatch.setattr(AbstractConnection, "send_packed_command", counting)
    return sent


def test_throttle_answers_429_with_retry_after_in_one_redis_round_trip(
    api, world, monkeypatch, redis_round_trips
):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "4/minute"})
    user = f.participant(world.partnership, "client", role="member", email="erp@hospital.test")
    _token, key = api_token_create(user=user, name="ERP")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(paths.partnerships()).status_code == 200  # loads the script once
    redis_round_trips.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(paths.partnerships()).status_code == 200
    assert len(redis_round_trips) == 1  # the count, and the versions the token's row is read after
    assert 'FROM "accounts_apitoken"' in ctx.captured_queries[0]["sql"]
    redis_round_trips.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(paths.partnerships()).status_code == 200
    assert len(redis_round_trips) == 1  # the count, and the versions that keep the row good
    assert not any("accounts_apitoken" in q["sql"] for q in ctx.captured_queries)
    assert api.get(paths.partnerships()).status_code == 200
    refused = api.get(paths.partnerships())
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert set(refused.json()) == {"detail"}


def test_the_apis_one_query_resolution_answers_as_the_access_rule(world):
    people = [world.manager, world.member, world.viewer, world.supplier_lead, world.facilitator]
    people.append(world.outsider)
    for user in people:
        for partnership in (world.partnership, world.other_partnership):
            try:
                expected = resolve_access(user, partnership.pk)
            except Http404:
                with pytest.raises(Http404):
                    resolve_access_in_one_query(user, partnership.pk)
                continue
            got = resolve_access_in_one_query(user, partnership.pk)
            assert (got.partnership.pk, got.side, got.org_role) == (
                expected.partnership.pk,
                expected.side,
                expected.org_role,
            )
            assert (got.participant is None) == (expected.participant is None)
            assert got.partnership.client.name == expected.partnership.client.name


def test_the_health_check_sends_no_query_to_an_idle_connection_and_finds_a_closed_one(
    monkeypatch,
):
    """Before a request's first query: an idle healthy connection costs no `SELECT 1`; one the
    server ended is found unusable (and so replaced) as Django's own check would."""
    from django.db import connections
    from django.db.backends.postgresql import base as postgresql

    selects = []
    original = postgresql.DatabaseWrapper.is_usable
    monkeypatch.setattr(
        postgresql.DatabaseWrapper,
        "is_usable",
        lambda self: selects.append(1) or original(self),
    )
    other = connections.create_connection("default")  # not the test's connection
    try:
        other.ensure_connection()
        assert other.is_usable() is True
        assert selects == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [other.connection.info.backend_pid])
        for _ in range(50):  # the farewell arrives within milliseconds
            if not other.is_usable():
                break
            time.sleep(0.01)
        assert other.is_usable() is False
    finally:
        other.close()
