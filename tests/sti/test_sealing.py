"""Sealed ratings, tried on every route: while a survey is open nobody reads another's answers.

The routes come from walking the URLconf and the API router (the isolation suite's walker), so a
page or endpoint added later is tried too. Every GET route whose kwargs can point into the
partnership with the open survey (the partnership, the survey, its set and indicators, or no
kwargs at all: dashboard, notifications, settings) is requested as the other side, as a
colleague of the respondent, as the facilitator and as an outsider, and the body must not hold a
score note or motivation the respondent wrote. The respondent themselves must see it on the
questionnaire, which proves the markers are findable.
"""

import pytest
from django.test import Client
from django.urls import reverse

from tests.isolation.routes import discover, in_scope
from tests.sti import factories as sti

pytestmark = pytest.mark.django_db

SECRET = "Sealed motivation ZQ7431"
SELF_SECRET = "Sealed self view WX9902"
SEALABLE_KWARGS = {"partnership_id", "survey_id", "set_id", "indicator_set_id", "indicator_id"}


def _get_routes():
    routes = []
    for route in in_scope(discover()):
        if route.name is None or route.positional or "format" in route.kwargs:
            continue
        if set(route.kwargs) <= SEALABLE_KWARGS:
            routes.append(route)
    return routes


@pytest.fixture
def sealed(world):
    indicator_set = sti.adopted_set(world.partnership)
    survey = sti.survey(world.partnership, indicator_set)
    sti.response(
        survey,
        world.member,
        "client",
        {("Openness", "supplier"): (3, SECRET), ("Openness", "client"): (9, SELF_SECRET)},
        submitted=True,
    )
    kwargs = {
        "partnership_id": world.partnership.pk,
        "survey_id": survey.pk,
        "set_id": indicator_set.pk,
        "indicator_set_id": indicator_set.pk,
        "indicator_id": indicator_set.indicators.get(name="Openness").pk,
    }
    return survey, kwargs


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def test_the_walk_reaches_the_sti_pages_and_endpoints():
    names = {r.name for r in _get_routes()}
    for expected in ("sti:respond", "sti:survey", "sti:results", "sti:home", "partnership:history"):
        assert expected in names
    assert any(r.is_api and "survey_id" in r.kwargs for r in _get_routes())


@pytest.mark.parametrize("reader", ["supplier_lead", "manager", "facilitator", "outsider"])
def test_no_route_reveals_another_persons_answers_while_the_survey_is_open(world, sealed, reader):
    _survey, sample = sealed
    client = Client()
    client.force_login(getattr(world, reader))
    tried = 0
    for route in _get_routes():
        url = reverse(route.name, kwargs={k: sample[k] for k in route.kwargs})
        body = _body(client.get(url, HTTP_ACCEPT="text/html,application/json"))
        tried += 1
        assert SECRET not in body, f"{route.name} shows the motivation to {reader}"
        assert SELF_SECRET not in body, f"{route.name} shows the self-assessment to {reader}"
    assert tried > 20


def test_the_respondent_reads_their_own_answers(world, sealed):
    survey, sample = sealed
    client = Client()
    client.force_login(world.member)
    url = reverse(
        "sti:respond", kwargs={"partnership_id": survey.partnership_id, "survey_id": survey.pk}
    )
    body = _body(client.get(url))
    assert SECRET in body and SELF_SECRET in body


def test_once_closed_the_walk_does_find_the_motivation(world, sealed):
    """The control: the same walk sees the answers after close, so the check above can fail."""
    survey, sample = sealed
    survey.state = "closed"
    survey.save()
    client = Client()
    client.force_login(world.supplier_lead)
    bodies = [
        _body(client.get(reverse(r.name, kwargs={k: sample[k] for k in r.kwargs})))
        for r in _get_routes()
    ]
    assert any(SECRET in body for body in bodies)
