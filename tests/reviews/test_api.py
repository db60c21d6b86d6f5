"""The review rounds API: rounds and their transitions, the session, the agenda and decisions.

Every endpoint is tried by an insider with the role, an insider without it and anonymously (401);
an agenda item or decision of another round answers 404, and bad input answers 400 with field
errors, never 500. The outsider's 404 on every route and method, and a round, agenda item or
decision of another partnership under this one's URL, are proven by `tests/isolation`, which walks
every route.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from partnership.models import Phase
from reviews import calendar, services, services_sessions
from reviews.models import AgendaItem, Decision, ReviewRound, RoundEvent, RoundState, Session
from tests.api import paths
from tests.reviews.factories import review_round, travel

pytestmark = pytest.mark.django_db

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
RUNNERS = ["manager", "supplier_lead", "facilitator"]  # run the session: facilitator or managers
NOT_RUNNERS = ["member", "viewer"]


def rounds(p) -> str:
    return f"{paths.partnership(p)}rounds/"


def round_url(p, r, tail: str = "") -> str:
    return f"{rounds(p)}{r.pk}/{tail}"


def agenda(p, r) -> str:
    return round_url(p, r, "agenda/")


def agenda_item_url(p, r, item, tail: str = "") -> str:
    return f"{agenda(p, r)}{item.pk}/{tail}"


def decisions(p, r) -> str:
    return round_url(p, r, "decisions/")


def session_url(p, r) -> str:
    return round_url(p, r, "session/")


def _closed(world, **kwargs):
    return review_round(
        world.partnership, RoundState.CLOSED, facilitator=world.facilitator, **kwargs
    )


def _plan(world, r, actor=None) -> Session:
    start = timezone.now() + datetime.timedelta(days=3)
    return services_sessions.session_plan(
        actor=actor or world.facilitator,
        review_round=r,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Room 2.01",
    )


def _item(world, r, title="Pro-activity", **kwargs) -> AgendaItem:
    return services_sessions.agenda_item_create(
        actor=world.facilitator, review_round=r, title=title, **kwargs
    )


def _foreign_round(world) -> ReviewRound:
    return review_round(world.other_partnership, RoundState.CLOSED)


# --- Rounds: who reads -------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_everyone_who_sees_the_partnership_lists_and_reads_rounds(as_user, world, who):
    r = _closed(world)
    api = as_user(getattr(world, who))
    listed = api.get(rounds(world.partnership))
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    row = body["results"][0]
    assert row["id"] == r.pk
    assert row["period"] == "2026-Q2"
    assert row["state"] == "closed"
    assert row["survey"] == r.survey_id
    detail = api.get(round_url(world.partnership, r))
    assert detail.status_code == 200
    assert detail.json()["opens_at"] and detail.json()["closes_at"]


def test_anonymous_gets_401_on_every_route(world):
    r = _closed(world)
    item = _item(world, r)
    urls = [
        rounds(world.partnership),
        round_url(world.partnership, r),
        session_url(world.partnership, r),
        agenda(world.partnership, r),
        agenda_item_url(world.partnership, r, item),
        decisions(world.partnership, r),
    ]
    anonymous = APIClient()
    for url in urls:
        assert anonymous.get(url).status_code == 401, url
    for tail in ["open/", "close/", "finish/", "publish/", "reopen/"]:
        url = round_url(world.partnership, r, tail)
        assert anonymous.post(url, {}, format="json").status_code == 401, url


def test_an_agenda_item_of_another_round_answers_404_under_ours(as_user, world):
    own = _closed(world)
    foreign = _foreign_round(world)
    foreign_item = AgendaItem.objects.create(round=foreign, position=99, title="Elsewhere")
    foreign_decision = Decision.objects.create(round=foreign, text="Elsewhere")
    api = as_user(world.facilitator)
    p = world.partnership
    assert api.get(agenda_item_url(p, own, foreign_item)).status_code == 404
    assert (
        api.patch(
            agenda_item_url(p, own, foreign_item), {"minutes": "x"}, format="json"
        ).status_code
        == 404
    )
    assert (
        api.post(
            agenda_item_url(p, own, foreign_item, "move/"), {"position": 1}, format="json"
        ).status_code
        == 404
    )
    assert api.delete(agenda_item_url(p, own, foreign_item)).status_code == 404
    assert api.delete(f"{decisions(p, own)}{foreign_decision.pk}/").status_code == 404
    foreign_item.refresh_from_db()
    assert foreign_item.minutes == ""
    assert Decision.objects.filter(pk=foreign_decision.pk).exists()


def test_rounds_filter_by_state(as_user, world):
    closed = _closed(world)
    scheduled = services.round_plan(
        partnership=world.partnership,
        period=calendar.ReviewPeriod.containing(datetime.date(2026, 7, 1)),
    )
    api = as_user(world.viewer)
    listed = api.get(rounds(world.partnership))
    assert [row["id"] for row in listed.json()["results"]] == [scheduled.pk, closed.pk]
    only = api.get(rounds(world.partnership), {"state": "scheduled"})
    assert [row["id"] for row in only.json()["results"]] == [scheduled.pk]


@pytest.mark.usefixtures("english")
def test_an_unknown_state_filter_answers_400(as_user, world):
    response = as_user(world.viewer).get(rounds(world.partnership), {"state": "archived"})
    assert response.status_code == 400
    assert "state" in response.json()


# --- Rounds: sealed scores ---------------------------------------------------------------------


def test_an_open_round_shows_response_counts_and_never_scores(as_user, world):
    raters = {world.manager: "client", world.supplier_lead: "supplier"}
    r = review_round(world.partnership, RoundState.OPEN, raters=raters)
    api = as_user(world.facilitator)
    response = api.get(round_url(world.partnership, r))
    body = response.json()
    assert body["state"] == "open"
    assert body["response_rate"]["client"]["submitted"] == 1
    assert body["response_rate"]["supplier"]["submitted"] == 1
    assert body["grade_to_supplier"] is None and body["grade_to_client"] is None
    assert "Problems reach us late" not in response.content.decode()
    listed = api.get(rounds(world.partnership)).json()["results"][0]
    assert listed["grade_to_supplier"] is None and listed["grade_to_client"] is None


def test_a_closed_round_shows_the_grades(as_user, world):
    raters = {world.manager: "client", world.supplier_lead: "supplier"}
    r = _closed(world, raters=raters)
    body = as_user(world.facilitator).get(round_url(world.partnership, r)).json()
    assert body["grade_to_supplier"] is not None
    assert body["grade_to_client"] is not None
    assert body["response_rate"]["percent"] > 0


# --- Rounds: transitions -----------------------------------------------------------------------


def test_a_round_walks_its_whole_life_through_the_api(as_user, world):
    r = review_round(world.partnership, RoundState.SCHEDULED)
    p = world.partnership
    with travel(r.opens_at + datetime.timedelta(minutes=5)):
        opened = as_user(world.manager).post(round_url(p, r, "open/"))
        assert opened.status_code == 200, opened.json()
        assert opened.json()["state"] == "open"
        assert opened.json()["opened_at"]
    with travel(r.closes_at + datetime.timedelta(minutes=5)):
        closed = as_user(world.supplier_lead).post(round_url(p, r, "close/"))
        assert closed.status_code == 200, closed.json()
        assert closed.json()["state"] == "closed"
    api = as_user(world.facilitator)
    start = timezone.now() - datetime.timedelta(hours=2)  # recorded right after it was held
    planned = api.put(
        session_url(p, r),
        {
            "starts_at": start.isoformat(),
            "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
            "video_url": "https://meet.example.test/review",
            "note": "Bring the figures.",
        },
        format="json",
    )
    assert planned.status_code == 200, planned.json()
    finished = api.post(round_url(p, r, "finish/"))
    assert finished.status_code == 200, finished.json()
    assert finished.json()["state"] == "discussed"
    assert finished.json()["session"]["video_url"] == "https://meet.example.test/review"
    published = api.post(round_url(p, r, "publish/"))
    assert published.status_code == 200, published.json()
    body = published.json()
    assert body["state"] == "published"
    assert body["report"]["edition"] == 1
    assert body["report"]["pdf_url"] == round_url(p, r, "report.pdf")
    reopened = api.post(round_url(p, r, "reopen/"), {"reason": "Typo in minutes"}, format="json")
    assert reopened.status_code == 200, reopened.json()
    assert reopened.json()["state"] == "discussed"
    assert reopened.json()["reopen_count"] == 1
    assert reopened.json()["report"] is None
    event = RoundEvent.objects.filter(round=r).order_by("pk").last()
    assert (event.actor, event.reason) == (world.facilitator, "Typo in minutes")


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator"])
def test_only_managers_open_and_close_rounds(as_user, world, who):
    scheduled = review_round(world.partnership, RoundState.SCHEDULED)
    api = as_user(getattr(world, who))
    with travel(scheduled.opens_at + datetime.timedelta(minutes=5)):
        assert api.post(round_url(world.partnership, scheduled, "open/")).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.state == RoundState.SCHEDULED
    with travel(scheduled.opens_at + datetime.timedelta(minutes=5)):
        services.round_open(review_round=scheduled, now=timezone.now())
    assert api.post(round_url(world.partnership, scheduled, "close/")).status_code == 403
    scheduled.refresh_from_db()
    assert scheduled.state == RoundState.OPEN


@pytest.mark.parametrize("who", NOT_RUNNERS)
def test_members_and_viewers_cannot_finish_publish_or_reopen(as_user, world, who):
    r = _closed(world)
    _plan(world, r)
    api = as_user(getattr(world, who))
    p = world.partnership
    assert api.post(round_url(p, r, "finish/")).status_code == 403
    after_the_session = r.session.ends_at + datetime.timedelta(hours=1)
    services.round_finish(review_round=r, actor=world.facilitator, now=after_the_session)
    assert api.post(round_url(p, r, "publish/")).status_code == 403
    assert api.post(round_url(p, r, "reopen/"), {"reason": "x"}, format="json").status_code == 403
    r.refresh_from_db()
    assert r.state == RoundState.DISCUSSED


@pytest.mark.usefixtures("english")
def test_a_transition_from_the_wrong_state_answers_400(as_user, world):
    r = _closed(world)
    api = as_user(world.manager)
    response = api.post(round_url(world.partnership, r, "open/"))
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Only a scheduled round can be opened."]}
    unplanned = api.post(round_url(world.partnership, r, "finish/"))
    assert unplanned.status_code == 400
    assert "Plan the session" in unplanned.json()["non_field_errors"][0]
    _plan(world, r)
    not_yet_held = api.post(round_url(world.partnership, r, "finish/"))
    assert not_yet_held.status_code == 400
    assert "once it is held" in not_yet_held.json()["non_field_errors"][0]
    r.refresh_from_db()
    assert r.state == RoundState.CLOSED


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": ["a", "b"]}])
def test_reopen_without_a_reason_answers_400_on_the_field(as_user, world, body):
    r = review_round(world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator)
    response = as_user(world.facilitator).post(
        round_url(world.partnership, r, "reopen/"), body, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    r.refresh_from_db()
    assert (r.state, r.reopen_count) == (RoundState.DISCUSSED, 0)


def test_an_ended_partnership_is_read_only(as_user, world):
    r = review_round(world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator)
    world.partnership.phase = Phase.ENDED
    world.partnership.save(update_fields=["phase"])
    for who in ["manager", "facilitator"]:
        api = as_user(getattr(world, who))
        assert api.get(round_url(world.partnership, r)).status_code == 200
        assert api.post(round_url(world.partnership, r, "publish/")).status_code == 403
        assert api.post(agenda(world.partnership, r), {"title": "x"}).status_code == 403


# --- Session -----------------------------------------------------------------------------------


def _session_body(**overrides) -> dict:
    start = timezone.now() + datetime.timedelta(days=5)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + datetime.timedelta(hours=2)).isoformat(),
        "location": "Room 1.14",
        **overrides,
    }


def test_the_session_answers_404_until_it_is_planned(as_user, world):
    r = _closed(world)
    api = as_user(world.viewer)
    assert api.get(session_url(world.partnership, r)).status_code == 404
    _plan(world, r)
    response = api.get(session_url(world.partnership, r))
    assert response.status_code == 200
    assert response.json()["location"] == "Room 2.01"
    assert response.json()["planned_by"] == world.facilitator.pk


@pytest.mark.parametrize("who", RUNNERS)
def test_the_facilitator_and_managers_plan_the_session(as_user, world, who):
    r = _closed(world)
    response = as_user(getattr(world, who)).put(
        session_url(world.partnership, r), _session_body(note="Coffee at 9"), format="json"
    )
    assert response.status_code == 200, response.json()
    session = Session.objects.get(round=r)
    assert (session.location, session.note) == ("Room 1.14", "Coffee at 9")
    assert response.json()["sequence"] == 0


def test_moving_the_session_raises_its_sequence(as_user, world):
    r = _closed(world)
    _plan(world, r)
    response = as_user(world.facilitator).put(
        session_url(world.partnership, r), _session_body(location="Room 3"), format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["sequence"], response.json()["location"]) == (1, "Room 3")


@pytest.mark.parametrize("who", NOT_RUNNERS)
def test_members_and_viewers_cannot_plan_the_session(as_user, world, who):
    r = _closed(world)
    response = as_user(getattr(world, who)).put(
        session_url(world.partnership, r), _session_body(), format="json"
    )
    assert response.status_code == 403
    assert not Session.objects.filter(round=r).exists()


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"starts_at": None}, "starts_at"),
        ({"starts_at": "next tuesday"}, "starts_at"),
        ({"ends_at": 12}, "ends_at"),
        ({"location": "", "video_url": ""}, "location"),
        ({"video_url": "not a link"}, "video_url"),
        ({"location": "x" * 201}, "location"),
        ({"note": ["a"]}, "note"),
    ],
)
def test_bad_session_input_answers_400_on_the_field(as_user, world, overrides, field):
    r = _closed(world)
    body = {k: v for k, v in _session_body(**overrides).items() if v is not None}
    response = as_user(world.facilitator).put(
        session_url(world.partnership, r), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Session.objects.filter(round=r).exists()


@pytest.mark.usefixtures("english")
def test_a_session_that_ends_before_it_starts_answers_400(as_user, world):
    r = _closed(world)
    start = timezone.now() + datetime.timedelta(days=5)
    body = _session_body(
        starts_at=start.isoformat(), ends_at=(start - datetime.timedelta(hours=1)).isoformat()
    )
    response = as_user(world.facilitator).put(
        session_url(world.partnership, r), body, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"ends_at": ["The session must end after it starts."]}


def test_a_scheduled_round_takes_no_session(as_user, world):
    r = review_round(world.partnership, RoundState.SCHEDULED)
    response = as_user(world.facilitator).put(
        session_url(world.partnership, r), _session_body(), format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


# --- Agenda ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", PEOPLE)
def test_everyone_reads_the_agenda(as_user, world, who):
    r = _closed(world)
    item = _item(world, r)
    api = as_user(getattr(world, who))
    listed = api.get(agenda(world.partnership, r))
    assert listed.status_code == 200
    assert item.pk in [row["id"] for row in listed.json()["results"]]
    assert api.get(agenda_item_url(world.partnership, r, item)).status_code == 200


@pytest.mark.parametrize("who", RUNNERS)
def test_the_facilitator_and_managers_shape_the_agenda(as_user, world, who):
    r = _closed(world)
    api = as_user(getattr(world, who))
    p = world.partnership
    created = api.post(
        agenda(p, r), {"title": "Windows", "details": "Streaks", "kind": "kpi"}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["title"], body["details"], body["kind"]) == ("Windows", "Streaks", "kpi")
    item = AgendaItem.objects.get(pk=body["id"])
    changed = api.patch(
        agenda_item_url(p, r, item), {"minutes": "Agreed to check weekly."}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["minutes"] == "Agreed to check weekly."
    assert changed.json()["title"] == "Windows"  # left out: unchanged
    moved = api.post(agenda_item_url(p, r, item, "move/"), {"position": 1}, format="json")
    assert moved.status_code == 200, moved.json()
    assert moved.json()[0]["id"] == item.pk
    assert [row["position"] for row in moved.json()] == list(range(1, len(moved.json()) + 1))
    blank = api.post(agenda(p, r), {"title": "Spare"}, format="json").json()
    removed = api.delete(f"{agenda(p, r)}{blank['id']}/")
    assert removed.status_code == 204
    assert not AgendaItem.objects.filter(pk=blank["id"]).exists()


@pytest.mark.parametrize("who", NOT_RUNNERS)
def test_members_and_viewers_cannot_change_the_agenda(as_user, world, who):
    r = _closed(world)
    item = _item(world, r)
    api = as_user(getattr(world, who))
    p = world.partnership
    assert api.post(agenda(p, r), {"title": "x"}, format="json").status_code == 403
    assert (
        api.patch(agenda_item_url(p, r, item), {"minutes": "x"}, format="json").status_code == 403
    )
    assert api.post(agenda_item_url(p, r, item, "move/"), {"position": 1}).status_code == 403
    assert api.delete(agenda_item_url(p, r, item)).status_code == 403
    item.refresh_from_db()
    assert item.minutes == ""


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "title"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "x", "kind": "gossip"}, "kind"),
        ({"title": "x", "details": {"a": 1}}, "details"),
    ],
)
def test_bad_agenda_input_answers_400_on_the_field(as_user, world, body, field):
    r = _closed(world)
    before = AgendaItem.objects.filter(round=r).count()
    response = as_user(world.facilitator).post(agenda(world.partnership, r), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert AgendaItem.objects.filter(round=r).count() == before


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("position", ["first", 0, -3, None, 1.5])
def test_a_bad_position_answers_400(as_user, world, position):
    r = _closed(world)
    item = _item(world, r)
    response = as_user(world.facilitator).post(
        agenda_item_url(world.partnership, r, item, "move/"), {"position": position}, format="json"
    )
    assert response.status_code == 400
    assert "position" in response.json()


@pytest.mark.usefixtures("english")
def test_an_item_with_minutes_is_not_removed(as_user, world):
    r = _closed(world)
    item = _item(world, r)
    services_sessions.minutes_save(actor=world.facilitator, item=item, minutes="Said things")
    response = as_user(world.facilitator).delete(agenda_item_url(world.partnership, r, item))
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert AgendaItem.objects.filter(pk=item.pk).exists()


@pytest.mark.usefixtures("english")
def test_the_agenda_of_an_open_round_does_not_change(as_user, world):
    open_round = review_round(world.partnership, RoundState.OPEN)
    api = as_user(world.facilitator)
    response = api.post(agenda(world.partnership, open_round), {"title": "x"}, format="json")
    assert response.status_code == 400
    assert "can no longer be changed" in response.json()["non_field_errors"][0]
    assert not AgendaItem.objects.filter(round=open_round).exists()


# --- Decisions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", RUNNERS)
def test_decisions_are_recorded_listed_and_removed(as_user, world, who):
    r = _closed(world)
    item = _item(world, r)
    api = as_user(getattr(world, who))
    p = world.partnership
    created = api.post(
        decisions(p, r), {"text": "Weekly check", "agenda_item": item.pk}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["agenda_item"] == item.pk
    assert created.json()["created_by"]["id"] == getattr(world, who).pk
    loose = api.post(decisions(p, r), {"text": "Next session in May"}, format="json")
    assert loose.status_code == 201 and loose.json()["agenda_item"] is None
    listed = as_user(world.viewer).get(decisions(p, r)).json()["results"]
    assert [row["text"] for row in listed] == ["Weekly check", "Next session in May"]
    api = as_user(getattr(world, who))
    assert api.delete(f"{decisions(p, r)}{created.json()['id']}/").status_code == 204
    assert list(Decision.objects.filter(round=r).values_list("text", flat=True)) == [
        "Next session in May"
    ]


@pytest.mark.parametrize("who", NOT_RUNNERS)
def test_members_and_viewers_record_no_decisions(as_user, world, who):
    r = _closed(world)
    decision = services_sessions.decision_create(
        actor=world.facilitator, review_round=r, text="Kept"
    )
    api = as_user(getattr(world, who))
    p = world.partnership
    assert api.post(decisions(p, r), {"text": "x"}, format="json").status_code == 403
    assert api.delete(f"{decisions(p, r)}{decision.pk}/").status_code == 403
    assert list(Decision.objects.filter(round=r)) == [decision]


@pytest.mark.usefixtures("english")
def test_a_decision_under_an_item_of_another_round_answers_400(as_user, world):
    r = _closed(world)
    foreign = _foreign_round(world)
    foreign_item = AgendaItem.objects.create(round=foreign, position=99, title="Elsewhere")
    api = as_user(world.facilitator)
    for agenda_item in [foreign_item.pk, 987654321, "one"]:
        response = api.post(
            decisions(world.partnership, r),
            {"text": "x", "agenda_item": agenda_item},
            format="json",
        )
        assert response.status_code == 400
        assert "agenda_item" in response.json()
    missing = api.post(decisions(world.partnership, r), {"text": " "}, format="json")
    assert missing.status_code == 400 and "text" in missing.json()
    assert not Decision.objects.filter(round=r).exists()


# --- Query counts ------------------------------------------------------------------------------


def _count(api, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_rounds_list_runs_a_constant_number_of_queries(as_user, world):
    _closed(world, raters={world.manager: "client"})
    r = rounds(world.partnership)
    services.round_plan(
        partnership=world.partnership,
        period=calendar.ReviewPeriod.containing(datetime.date(2026, 7, 1)),
    )
    api = as_user(world.facilitator)
    small = _count(api, r)
    for month in [1, 4, 7, 10]:
        services.round_plan(
            partnership=world.partnership,
            period=calendar.ReviewPeriod.containing(datetime.date(2025, month, 1)),
        )
    assert api.get(r).json()["count"] == 6
    assert _count(api, r) == small


def test_the_agenda_list_runs_a_constant_number_of_queries(as_user, world):
    r = _closed(world)
    AgendaItem.objects.filter(round=r).delete()
    for n in range(3):
        _item(world, r, title=f"Item {n}")
    api = as_user(world.viewer)
    small = _count(api, agenda(world.partnership, r))
    for n in range(9):
        _item(world, r, title=f"More {n}")
    assert api.get(agenda(world.partnership, r)).json()["count"] == 12
    assert _count(api, agenda(world.partnership, r)) == small
