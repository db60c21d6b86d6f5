"""The dashboard, the overview and an ordinary page run the same number of queries for a person
in 2 partnerships as for one in 12 with four times the threads, and the header's hub badge is
one query per request (the context is built once, however many templates a request renders)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from messaging.models import ReadState
from partnership.context_processors import tandem
from tests import factories as f
from tests.conftest import shared_transaction
from tests.messaging.factories import ThreadFactory

pytestmark = pytest.mark.django_db


def _person_in(n: int):
    """A supplier's project leader in `n` partnerships, each with a contract, a contact and
    threads: shared (one read), internal to each side, so that the rule has work to do."""
    supplier = f.OrganizationFactory()
    lead = f.member(supplier, "manager")
    now = timezone.now()
    partnerships = []
    for _ in range(n):
        p = f.PartnershipFactory(supplier=supplier)
        f.ParticipantFactory(partnership=p, user=lead, side="supplier")
        f.ContractFactory(partnership=p)
        f.ContactFactory(partnership=p)
        read = ThreadFactory(partnership=p, side="supplier")
        ReadState.objects.create(user=lead, thread=read, read_at=now)
        ThreadFactory(partnership=p, side="client")  # unread
        ThreadFactory(partnership=p, side="supplier", visibility="supplier_internal")
        ThreadFactory(partnership=p, side="client", visibility="client_internal")  # never seen
        partnerships.append(p)
    return lead, partnerships[0]


def _is_badge(sql: str) -> bool:
    """The hub's header badge: unread threads counted across partnerships, by the access rule
    (run as a statement prepared on the connection, see `partnership.statements`)."""
    if sql.startswith("EXECUTE "):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT statement FROM pg_prepared_statements WHERE name = %s", [sql.split()[1]]
            )
            sql = cursor.fetchone()[0]
    return (
        'FROM "messaging_thread"' in sql
        and '"messaging_readstate"' in sql
        and '"partnership_membership"' in sql
        and "GROUP BY" not in sql  # the dashboard's cards count per partnership
    )


def _queries(client, user, path: str) -> tuple[int, int, str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    badges = sum(_is_badge(q["sql"]) for q in ctx.captured_queries)
    return len(ctx.captured_queries), badges, response.content.decode()


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """Built once for the module, in a transaction its end rolls back."""
    with shared_transaction(django_db_blocker):
        yield {"few": _person_in(2), "many": _person_in(12)}


@pytest.mark.parametrize(
    "page",
    [
        "/",  # the dashboard: cards, hub counts per card, "My work"
        "{overview}",
        "{overview}communication-plan/",  # an ordinary page: only the header reaches across
    ],
)
def test_pages_run_the_same_queries_for_2_and_12_partnerships_and_one_badge(client, people, page):
    measured = {}
    for size, (user, p) in people.items():
        path = page.format(overview=p.get_absolute_url())
        measured[size] = _queries(client, user, path)
    (few, few_badges, few_html), (many, many_badges, many_html) = measured.values()
    assert few == many
    assert few_badges == many_badges == 1
    # The badge counts what the lead may read and has not: in each partnership the client's
    # shared thread and the supplier's internal one; not the read one, nor the client's internal.
    assert 'data-testid="hub-unread">4<' in few_html
    assert 'data-testid="hub-unread">24<' in many_html


def test_the_header_is_worked_out_once_per_request(people):
    user, _p = people["many"]
    request = RequestFactory().get("/")
    request.user = user
    first, second = tandem(request), tandem(request)
    assert first is second  # a second template rendered in the request reuses the first's
    with CaptureQueriesContext(connection) as ctx:
        badges = {link["key"]: link["badge"] for link in first["header_links"]()}
        unread = first["unread_notifications"]()
    assert badges["hub"] == 24 and unread == 0
    assert sum(_is_badge(q["sql"]) for q in ctx.captured_queries) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert [link["badge"] for link in second["header_links"]()] == list(badges.values())
        assert second["unread_notifications"]() == 0
    assert ctx.captured_queries == []


def test_the_work_badge_computes_the_access_rule_once_and_counts_as_the_sources(people):
    from partnership import statements, work

    user, p = people["many"]
    today = timezone.localdate()
    querysets = [source.queryset(user, today) for source in work.sources() if source.queryset]
    sql, params = statements._sum_statement(querysets)
    assert sql.startswith("WITH ") and " AS MATERIALIZED (SELECT " in sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        assert cursor.fetchone()[0] == sum(qs.count() for qs in querysets)


def test_only_repeated_uncorrelated_access_subqueries_are_hoisted():
    from partnership.statements import _hoisted

    # A parenthesis inside a literal does not end the subquery.
    rule = (
        '(SELECT U0."partnership_id" FROM "partnership_participant" U0'
        ' WHERE (U0."user_id" = 5 AND U0."note" = \')(\'))'
    )
    correlated = (
        '(SELECT U0."organization_id" FROM "partnership_membership" U0'
        ' WHERE (U0."organization_id" = ("t"."client_id")))'
    )
    single = '(SELECT V0."id" FROM "partnership_partnership" V0 WHERE V0."phase" = \'ended\')'
    first, second = "SELECT 1 WHERE 1 IN {} AND 2 IN {}", "SELECT 2 WHERE 3 IN {} AND 4 IN {}"
    whole = "SELECT ({}) + ({} AND 5 IN %s)" % single  # noqa: UP031
    sql = whole.format(first.format(rule, correlated), second.format(rule, correlated))
    cte = '(SELECT * FROM "access_0")'
    assert _hoisted(sql) == f'WITH "access_0" AS MATERIALIZED {rule} ' + whole.format(
        first.format(cte, correlated), second.format(cte, correlated)
    )


def test_my_work_runs_its_compiled_queries_afresh(people):
    """The items' SQL is compiled once per person and day (and prepared by the driver on the
    connection, so planned once there); the rows are read each time."""
    from accounts.models import User
    from messaging.models import Status
    from partnership.work import work_for

    user, p = people["many"]
    before = work_for(User.objects.get(pk=user.pk))
    thread = ThreadFactory(
        partnership=p, side="client", status=Status.WAITING, waiting_for="supplier"
    )
    with CaptureQueriesContext(connection) as ctx:
        after = work_for(User.objects.get(pk=user.pk))
    assert [i.url for i in after if i.kind == "messaging.thread"] == [
        i.url for i in before if i.kind == "messaging.thread"
    ] + [reverse("messaging:thread", args=[p.pk, thread.pk])]
    assert len(ctx.captured_queries) == 1 + 7  # the user, one query per source
    # ... the same text each time, which the driver prepares on the connection once it has run
    # more than DB_PREPARE_THRESHOLD times (planned once there).
    for _ in range(settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]):
        work_for(User.objects.get(pk=user.pk))
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = {row[0] for row in cursor.fetchall()}
    assert {q["sql"] for q in ctx.captured_queries[1:]} <= prepared
