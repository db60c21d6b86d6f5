"""What the facilitator and the other side never see, tried on every route of review rounds.

The routes come from the isolation suite's walker over the URLconf and the API router, so a
review page or endpoint added later is walked too. Every GET route whose kwargs can point into
the partnership (the partnership, a round, an agenda item, a decision or an action, or none at
all: the dashboard, my actions, the facilitator's workspace) is requested, and PDFs are read as
text. Two situations:

- a closed round, with an internal thread on each side and a rating left as a draft: the
  facilitator never sees the internal threads or the draft, on any page, endpoint or PDF;
- an open round: while it is open, nobody but the respondent reads a motivation — not the other
  side, not a manager colleague, not the facilitator.

The controls show the same walk finds the markers where they may be seen, so the checks can fail.
"""

import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from messaging import services as hub
from reviews import services, services_sessions
from reviews.models import RoundState
from sti.models import Response
from tests.isolation.routes import discover, in_scope
from tests.reviews import factories as rf
from tests.sti import factories as sti_f

pytestmark = pytest.mark.django_db

REVIEW_KWARGS = {"partnership_id", "round_id", "agenda_item_id", "decision_id", "action_id"}
CLIENT_INTERNAL = "Client internal IC5512"
SUPPLIER_INTERNAL = "Supplier internal IS7730"
DRAFT = "Draft motivation DM3318"
SEALED = "Sealed motivation SM9047"


def _routes():
    return [
        r
        for r in in_scope(discover())
        if r.name is not None
        and not r.positional
        and "format" not in r.kwargs
        and set(r.kwargs) <= REVIEW_KWARGS
    ]


def _text(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    if response.get("Content-Type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(raw)).pages)
    return raw.decode("utf-8", errors="replace")


def _walk(user, kwargs: dict) -> dict:
    client = Client()
    client.force_login(user)
    bodies = {}
    for route in _routes():
        if not set(route.kwargs) <= set(kwargs):
            continue
        url = reverse(route.name, kwargs={k: kwargs[k] for k in route.kwargs})
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        assert response.status_code < 500, f"{route.name} answers {response.status_code}"
        bodies[route.name] = _text(response)
    return bodies


def _kwargs(review_round) -> dict:
    agenda_item = review_round.agenda.first()
    decision = review_round.decisions.first()
    action = review_round.actions.first()
    return {
        "partnership_id": review_round.partnership_id,
        "round_id": review_round.pk,
        "agenda_item_id": agenda_item.pk if agenda_item else 0,
        "decision_id": decision.pk if decision else 0,
        "action_id": action.pk if action else 0,
    }


@pytest.fixture
def closed_round(world):
    review_round = rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )
    hub.thread_create(
        actor=world.manager,
        partnership=world.partnership,
        subject=CLIENT_INTERNAL,
        body=CLIENT_INTERNAL,
        category="complaint",
        internal=True,
    )
    hub.thread_create(
        actor=world.supplier_lead,
        partnership=world.partnership,
        subject=SUPPLIER_INTERNAL,
        body=SUPPLIER_INTERNAL,
        category="complaint",
        internal=True,
    )
    # A response that was never submitted: drafts are the respondent's alone, even after close.
    draft = Response.objects.create(
        survey=review_round.survey, respondent=world.manager, side="client"
    )
    indicator = review_round.survey.indicator_set.indicators.get(name="Pro-activity")
    draft.ratings.create(indicator=indicator, rated_side="supplier", score=2, motivation=DRAFT)
    rf.action(world.partnership, world.supplier_lead, review_round=review_round)
    _plan_session(review_round, world.facilitator)
    return review_round


def _plan_session(review_round, facilitator):
    start = review_round.closes_at + datetime.timedelta(days=400)
    services_sessions.session_plan(
        actor=facilitator,
        review_round=review_round,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Room 2",
    )
    item = services_sessions.agenda_item_create(
        actor=facilitator, review_round=review_round, title="Walk item"
    )
    services_sessions.decision_create(
        actor=facilitator, review_round=review_round, text="Walk decision", agenda_item=item
    )


def test_the_walk_reaches_the_review_pages_and_endpoints():
    names = {r.name for r in _routes()}
    assert "reviews:rounds" in names and "reviews:round" in names
    assert len(names) >= 2


def test_the_facilitator_never_sees_internal_threads_or_drafts(world, closed_round):
    bodies = _walk(world.facilitator, _kwargs(closed_round))
    assert len(bodies) >= 2
    for name, body in bodies.items():
        for marker in (CLIENT_INTERNAL, SUPPLIER_INTERNAL, DRAFT):
            assert marker not in body, f"{name} shows {marker!r} to the facilitator"


def test_the_other_side_never_sees_the_other_sides_internal_thread(world, closed_round):
    for name, body in _walk(world.supplier_lead, _kwargs(closed_round)).items():
        assert CLIENT_INTERNAL not in body, f"{name} shows the client's internal thread"
        assert DRAFT not in body, f"{name} shows the client's draft"


@pytest.fixture
def open_round(world):
    review_round = rf.review_round(world.partnership, RoundState.OPEN)
    with rf.travel(review_round.opens_at):
        sti_f.response(
            review_round.survey,
            world.member,
            "client",
            {("Pro-activity", "supplier"): (3, SEALED), ("Openness", "supplier"): 7},
        )
    rf.action(world.partnership, world.member, review_round=review_round)
    return review_round


@pytest.mark.parametrize("reader", ["supplier_lead", "manager", "facilitator", "viewer"])
def test_motivations_stay_sealed_while_the_round_is_open(world, open_round, reader):
    for name, body in _walk(getattr(world, reader), _kwargs(open_round)).items():
        assert SEALED not in body, f"{name} shows a sealed motivation to {reader}"


def test_controls_the_walk_finds_what_may_be_seen(world, open_round):
    """After close the facilitator reads the motivation somewhere in the round's pages."""
    with rf.travel(open_round.closes_at):
        services.round_close(review_round=open_round)
    bodies = _walk(world.facilitator, _kwargs(open_round))
    assert any(SEALED in body for body in bodies.values())
