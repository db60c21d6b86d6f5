"""The actions API: list with filters, record, change.

Every id in a body (owner, round, agenda item, KPI, dispute, thread) is re-resolved inside the
partnership of the URL: one of another partnership is a 400 on that field and writes nothing.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.services import api_token_create
from kpis.models import Dispute
from reviews import services_actions
from reviews.models import ActionItem, AgendaItem, RoundState
from tests import factories as f
from tests.api import paths
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.messaging.factories import ThreadFactory
from tests.reviews.factories import action, review_round, travel

pytestmark = pytest.mark.django_db

READERS = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
RECORDERS = ["manager", "member", "supplier_lead", "facilitator"]


def actions(p) -> str:
    return f"{paths.partnership(p)}actions/"


def action_url(p, a) -> str:
    return f"{actions(p)}{a.pk}/"


def _due(days=30) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _body(world, **overrides) -> dict:
    return {
        "title": "Report problems the same day",
        "owner": world.supplier_lead.pk,
        "due_date": _due(),
        **overrides,
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def foreign(world):
    """Objects of the other partnership, and a user taking part only there."""

    class Foreign:
        pass

    other = world.other_partnership
    x = Foreign()
    x.user = f.participant(other, "client", role="member", email="someone@university.test")
    x.round = review_round(other, RoundState.CLOSED)
    x.agenda_item = AgendaItem.objects.create(round=x.round, position=99, title="Elsewhere")
    x.kpi = KPIFactory(partnership=other)
    measurement = MeasurementFactory(kpi=x.kpi)
    x.dispute = Dispute.objects.create(
        partnership=other, measurement=measurement, raised_by=x.user, side="client", reason="Wrong"
    )
    x.thread = ThreadFactory(partnership=other)
    return x


# --- Who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_everyone_who_sees_the_partnership_lists_and_reads_actions(as_user, world, who):
    recorded = action(world.partnership, world.member)
    api = as_user(getattr(world, who))
    listed = api.get(actions(world.partnership))
    assert _ids(listed) == [recorded.pk]
    row = listed.json()["results"][0]
    assert row["owner"]["id"] == world.member.pk
    assert (row["owner_side"], row["status"], row["origin"]) == ("client", "open", "manual")
    assert row["overdue"] is False
    assert api.get(action_url(world.partnership, recorded)).status_code == 200


def test_anonymous_gets_401(world):
    recorded = action(world.partnership, world.member)
    anonymous = APIClient()
    p = world.partnership
    for url in [actions(p), action_url(p, recorded)]:
        assert anonymous.get(url).status_code == 401
    assert anonymous.post(actions(p), _body(world), format="json").status_code == 401
    assert ActionItem.objects.get().title == "Report problems the same day"


@pytest.mark.parametrize("who", RECORDERS)
def test_participants_and_the_facilitator_record_actions(as_user, world, who):
    r = review_round(world.partnership, RoundState.CLOSED)
    item = AgendaItem.objects.create(round=r, position=50, title="Floors")
    response = as_user(getattr(world, who)).post(
        actions(world.partnership),
        _body(world, origin="session", round=r.pk, agenda_item=item.pk, description="Daily"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"]["id"] == world.supplier_lead.pk
    assert (body["owner_side"], body["origin"], body["round"]) == ("supplier", "session", r.pk)
    assert body["agenda_item"] == item.pk
    assert body["created_by"]["id"] == getattr(world, who).pk
    created = ActionItem.objects.get(pk=body["id"])
    assert created.partnership == world.partnership


def test_viewers_record_no_actions(as_user, world):
    response = as_user(world.viewer).post(actions(world.partnership), {}, format="json")
    assert response.status_code == 403
    assert not ActionItem.objects.exists()


def test_links_to_a_kpi_dispute_and_thread_of_the_partnership(as_user, world):
    kpi = KPIFactory(partnership=world.partnership)
    dispute = Dispute.objects.create(
        partnership=world.partnership,
        measurement=MeasurementFactory(kpi=kpi),
        raised_by=world.member,
        side="client",
        reason="Wrong",
    )
    thread = ThreadFactory(partnership=world.partnership)
    response = as_user(world.member).post(
        actions(world.partnership),
        _body(world, origin="dispute", kpi=kpi.pk, dispute=dispute.pk, thread=thread.pk),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kpi"], body["dispute"], body["thread"]) == (kpi.pk, dispute.pk, thread.pk)


def test_an_integration_records_and_finishes_an_action_with_a_token(world):
    _token, key = api_token_create(user=world.supplier_lead, name="CAFM")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    created = api.post(actions(world.partnership), _body(world), format="json")
    assert created.status_code == 201, created.json()
    url = f"{actions(world.partnership)}{created.json()['id']}/"
    assert api.patch(url, {"status": "done"}, format="json").json()["status"] == "done"
    assert api.get(actions(world.partnership), {"status": "done"}).json()["count"] == 1
    api.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert api.get(actions(world.partnership)).status_code == 401


# --- Bad input ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("field", ["owner", "round", "agenda_item", "kpi", "dispute", "thread"])
def test_an_id_of_another_partnership_answers_400_on_its_field(as_user, world, foreign, field):
    value = getattr(foreign, {"owner": "user"}.get(field, field)).pk
    body = _body(world, **{field: value})
    if field == "agenda_item":
        body["round"] = review_round(world.partnership, RoundState.CLOSED).pk
    response = as_user(world.manager).post(actions(world.partnership), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ActionItem.objects.filter(partnership=world.partnership).exists()


@pytest.mark.usefixtures("english")
def test_an_internal_thread_of_the_other_side_is_not_found(as_user, world):
    internal = ThreadFactory(
        partnership=world.partnership, side="client", visibility="client_internal"
    )
    response = as_user(world.supplier_lead).post(
        actions(world.partnership), _body(world, thread=internal.pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"thread": ["Choose a thread of this partnership."]}


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("who", ["facilitator", "viewer"])
def test_the_owner_must_take_part_for_the_client_or_the_supplier(as_user, world, who):
    response = as_user(world.manager).post(
        actions(world.partnership), _body(world, owner=getattr(world, who).pk), format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "owner": ["The owner must take part in this partnership for the client or the supplier."]
    }
    assert not ActionItem.objects.exists()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"owner": None}, "owner"),
        ({"owner": "the lead"}, "owner"),
        ({"owner": 987654321}, "owner"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"due_date": None}, "due_date"),
        ({"due_date": "2020-01-01"}, "due_date"),
        ({"origin": "gossip"}, "origin"),
        ({"round": "last"}, "round"),
        ({"round": 987654321}, "round"),
        ({"kpi": [1]}, "kpi"),
        ({"agenda_item": 987654321}, "agenda_item"),
    ],
)
def test_bad_action_input_answers_400_on_the_field(as_user, world, overrides, field):
    body = {k: v for k, v in _body(world, **overrides).items() if v is not None}
    response = as_user(world.member).post(actions(world.partnership), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ActionItem.objects.exists()


# --- Changing an action ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "recorder", "manager", "facilitator"])
def test_the_owner_recorder_managers_and_facilitator_change_an_action(as_user, world, who):
    recorded = action(world.partnership, world.supplier_lead, actor=world.member)
    user = {"owner": world.supplier_lead, "recorder": world.member}.get(who) or getattr(world, who)
    response = as_user(user).patch(
        action_url(world.partnership, recorded),
        {"status": "done", "description": "Done on Monday"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["description"]) == ("done", "Done on Monday")
    assert body["completed_at"] is not None
    assert body["title"] == "Report problems the same day"  # left out: unchanged


def test_others_cannot_change_an_action(as_user, world):
    recorded = action(world.partnership, world.supplier_lead, actor=world.supplier_lead)
    other_member = f.participant(world.partnership, "client", role="member", email="m2@h.test")
    for user in [other_member, world.viewer]:
        response = as_user(user).patch(
            action_url(world.partnership, recorded), {"status": "done"}, format="json"
        )
        assert response.status_code == 403
    recorded.refresh_from_db()
    assert recorded.status == "open"


@pytest.mark.usefixtures("english")
def test_reassigning_resolves_the_owner_inside_the_partnership(as_user, world, foreign):
    recorded = action(world.partnership, world.supplier_lead)
    api = as_user(world.manager)
    url = action_url(world.partnership, recorded)
    refused = api.patch(url, {"owner": foreign.user.pk}, format="json")
    assert refused.status_code == 400 and "owner" in refused.json()
    moved = api.patch(url, {"owner": world.member.pk}, format="json")
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["owner"]["id"], moved.json()["owner_side"]) == (world.member.pk, "client")


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    "body",
    [{"status": "finished"}, {"title": ""}, {"due_date": "soon"}, {"owner": "x"}, {"status": 3}],
)
def test_bad_changes_answer_400(as_user, world, body):
    recorded = action(world.partnership, world.supplier_lead)
    response = as_user(world.manager).patch(
        action_url(world.partnership, recorded), body, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == set(body)
    recorded.refresh_from_db()
    assert (recorded.status, recorded.title) == ("open", "Report problems the same day")


# --- Filters -----------------------------------------------------------------------------------


@pytest.fixture
def spread(world):
    """Actions in every status, of two owners, one overdue, some in a round."""
    r = review_round(world.partnership, RoundState.CLOSED)
    with travel(timezone.now() - datetime.timedelta(days=60)):
        overdue = action(world.partnership, world.member, title="Overdue", due=_date(days=10))
    fresh = action(world.partnership, world.member, title="Fresh", review_round=r)
    busy = action(
        world.partnership, world.supplier_lead, title="Busy", origin="kpi", review_round=r
    )
    services_actions.action_set_status(actor=world.supplier_lead, action=busy, status="in_progress")
    done = action(world.partnership, world.supplier_lead, title="Done")
    services_actions.action_set_status(actor=world.supplier_lead, action=done, status="done")
    dropped = action(world.partnership, world.member, title="Dropped")
    services_actions.action_set_status(actor=world.member, action=dropped, status="dropped")
    return {
        "round": r,
        "overdue": overdue,
        "fresh": fresh,
        "busy": busy,
        "done": done,
        "dropped": dropped,
    }


def _date(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["overdue", "fresh", "busy", "done", "dropped"]),
        ({"status": "open"}, ["overdue", "fresh", "busy"]),
        ({"status": "in_progress"}, ["busy"]),
        ({"status": "done"}, ["done"]),
        ({"status": "dropped"}, ["dropped"]),
        ({"origin": "kpi"}, ["busy"]),
        ({"overdue": "true"}, ["overdue"]),
        ({"overdue": "false"}, ["fresh", "busy", "done", "dropped"]),
        ({"status": "open", "overdue": "false"}, ["fresh", "busy"]),
    ],
)
def test_the_actions_list_filters(as_user, world, spread, query, expected):
    listed = as_user(world.viewer).get(actions(world.partnership), query)
    assert sorted(_ids(listed)) == sorted(spread[name].pk for name in expected)
    overdue_flags = {row["id"]: row["overdue"] for row in listed.json()["results"]}
    if spread["overdue"].pk in overdue_flags:
        assert overdue_flags[spread["overdue"].pk] is True


def test_the_actions_list_filters_by_owner_and_round(as_user, world, spread):
    api = as_user(world.facilitator)
    by_owner = api.get(actions(world.partnership), {"owner": world.supplier_lead.pk})
    assert sorted(_ids(by_owner)) == sorted([spread["busy"].pk, spread["done"].pk])
    by_round = api.get(actions(world.partnership), {"round": spread["round"].pk})
    assert sorted(_ids(by_round)) == sorted([spread["fresh"].pk, spread["busy"].pk])


def test_filtering_by_another_partnerships_round_or_owner_shows_nothing(as_user, world, foreign):
    action(world.partnership, world.member)
    api = as_user(world.manager)
    assert _ids(api.get(actions(world.partnership), {"round": foreign.round.pk})) == []
    assert _ids(api.get(actions(world.partnership), {"owner": foreign.user.pk})) == []


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    "query",
    [
        {"status": "closed"},
        {"owner": "me"},
        {"round": "latest"},
        {"origin": "email"},
        {"overdue": "maybe"},
    ],
)
def test_a_bad_filter_answers_400(as_user, world, query):
    response = as_user(world.viewer).get(actions(world.partnership), query)
    assert response.status_code == 400
    assert set(response.json()) == set(query)


# --- Query counts ------------------------------------------------------------------------------


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_actions_list_runs_a_constant_number_of_queries(as_user, world):
    r = review_round(world.partnership, RoundState.CLOSED)
    kpi = KPIFactory(partnership=world.partnership)
    thread = ThreadFactory(partnership=world.partnership)
    owners = [world.member, world.supplier_lead, world.manager]

    def add(n):
        for i in range(n):
            links = [{}, {"review_round": r}, {"kpi": kpi}, {"thread": thread}][i % 4]
            action(world.partnership, owners[i % 3], actor=world.facilitator, **links)

    add(5)
    api = as_user(world.viewer)
    url = actions(world.partnership)
    small = _count(api, url)
    add(25)
    assert api.get(url).json()["count"] == 30
    assert _count(api, url) == small
