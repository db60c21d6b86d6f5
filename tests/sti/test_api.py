"""The STI API: indicators, set versions and sign-offs, surveys, one's own response, results.

Every endpoint is tried by an insider with the role, insiders without it and nobody signed in
(2xx / 403 / 401); the outsider's 404 on every route and method, and foreign ids in the URL, are
proven by `tests/isolation`, which walks every route. Sealing is checked on every body: another
respondent's answers never appear.
"""

import datetime
import json
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from rest_framework.test import APIClient

from accounts.services import api_token_create
from sti import library
from sti.models import Indicator, IndicatorSet, Rating, Response, STISettings, Survey, SurveyState
from tests import factories as f
from tests.api import paths
from tests.sti import factories as sf

pytestmark = pytest.mark.django_db

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
READERS = ["manager", "member", "viewer", "supplier_lead", "facilitator"]
MANAGERS = ["manager", "supplier_lead"]
NOT_MANAGERS = ["member", "viewer", "facilitator"]
RESPONDENTS = ["manager", "member", "supplier_lead"]
NOT_RESPONDENTS = ["viewer", "facilitator"]
SEALED_MARKER = "SEALED-MARKER-QX71 the supplier's private view"
Q1, Q2, Q3 = datetime.date(2026, 1, 1), datetime.date(2026, 4, 1), datetime.date(2026, 7, 1)


@pytest.fixture(autouse=True)
def _english(world):
    """Messages are asserted in English; Dutch is the default language."""
    for who in PEOPLE:
        user = getattr(world, who)
        user.language = "en"
        user.save(update_fields=["language"])


@pytest.fixture
def login():
    """`login(user)`: an API client signed in with a session (None: nobody signed in)."""
    api = APIClient()

    def _login(user):
        api.logout()
        if user is not None:
            api.force_login(user)
        return api

    return _login


def bearer(user) -> APIClient:
    """A client that authenticates with a personal API token, as integrations do."""
    _token, key = api_token_create(user=user, name="Integration")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api


# --- paths -----------------------------------------------------------------------------------


def indicators(p) -> str:
    return f"{paths.partnership(p)}indicators/"


def sets(p) -> str:
    return f"{paths.partnership(p)}indicator-sets/"


def set_url(p, indicator_set) -> str:
    return f"{sets(p)}{indicator_set.pk}/"


def set_indicators(p, indicator_set) -> str:
    return f"{set_url(p, indicator_set)}indicators/"


def surveys(p) -> str:
    return f"{paths.partnership(p)}surveys/"


def survey_url(p, survey) -> str:
    return f"{surveys(p)}{survey.pk}/"


def responses(p, survey) -> str:
    return f"{survey_url(p, survey)}responses/"


def mine(p, survey) -> str:
    return f"{responses(p, survey)}mine/"


def results(p, survey) -> str:
    return f"{survey_url(p, survey)}results/"


# --- data ------------------------------------------------------------------------------------


@dataclass
class Sti:
    current: IndicatorSet
    draft: IndicatorSet
    closed: Survey
    open: Survey
    scheduled: Survey

    def indicator(self, name, indicator_set=None) -> Indicator:
        return (indicator_set or self.current).indicators.get(name=name)


@pytest.fixture
def sti(world):
    """Version 1 in use, version 2 drafted; a closed Q1, an open Q2 and a scheduled Q3 survey.

    In the closed survey the member rated the supplier and the supplier lead rated the client;
    in the open one the supplier lead has submitted a rating with a marker that must stay sealed.
    """
    current = sf.adopted_set(world.partnership)
    draft = sf.draft_set(world.partnership, version=2)
    closed = sf.survey(world.partnership, current, state=SurveyState.CLOSED, period_start=Q1)
    sf.response(
        closed,
        world.member,
        "client",
        {
            ("Pro-activity", "supplier"): (4, "Waits to be asked"),
            ("Openness", "supplier"): 7,
            ("Reachability", "supplier"): (9, "Always answers the phone"),
            ("Openness", "client"): 8,
        },
    )
    sf.response(
        closed,
        world.supplier_lead,
        "supplier",
        {
            ("Pro-activity", "client"): 6,
            ("Openness", "client"): (10, "Shares every figure"),
            ("Openness", "supplier"): 9,
        },
    )
    open_survey = sf.survey(world.partnership, current, state=SurveyState.OPEN, period_start=Q2)
    sf.response(
        open_survey,
        world.supplier_lead,
        "supplier",
        {("Pro-activity", "client"): (3, SEALED_MARKER), ("Openness", "client"): 6},
    )
    scheduled = sf.survey(world.partnership, current, state=SurveyState.SCHEDULED, period_start=Q3)
    return Sti(current, draft, closed, open_survey, scheduled)


@pytest.fixture
def foreign(world):
    """Another tenant's set and surveys (the supplier lead sees that partnership too)."""
    indicator_set = sf.adopted_set(world.other_partnership, indicators=[("Foreign", "both")])
    survey = sf.survey(world.other_partnership, indicator_set, state=SurveyState.OPEN)
    closed = sf.survey(
        world.other_partnership, indicator_set, state=SurveyState.CLOSED, period_start=Q1
    )
    return indicator_set, survey, closed


def draft_indicator_url(world, s: "Sti", name="Openness") -> str:
    return f"{set_indicators(world.partnership, s.draft)}{s.indicator(name, s.draft).pk}/"


def window(days_from_now=1, days=14) -> dict:
    opens = timezone.now() + datetime.timedelta(days=days_from_now)
    closes = opens + datetime.timedelta(days=days)
    return {"opens_at": opens.isoformat(), "closes_at": closes.isoformat()}


def answer(indicator, rated_side, score, motivation="") -> dict:
    return {
        "indicator": indicator.pk,
        "rated_side": rated_side,
        "score": score,
        "motivation": motivation,
    }


def full_client_answers(s: Sti) -> list[dict]:
    """A complete questionnaire of a client respondent: the supplier on all three."""
    return [
        answer(s.indicator("Pro-activity"), "supplier", 7),
        answer(s.indicator("Openness"), "supplier", 6),
        answer(s.indicator("Reachability"), "supplier", 8),
    ]


# --- the access matrix -----------------------------------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    url: object  # (world, sti) -> path
    allowed: tuple  # insiders with the role
    success: int = 200
    body: object = None  # (world, sti) -> body
    prepare: object = None  # (world, sti) -> None: what the call needs beyond the fixture

    def setup(self, world, s):
        if self.prepare:
            self.prepare(world, s)

    def call(self, api, world, s):
        body = self.body(world, s) if self.body else {}
        return getattr(api, self.method)(self.url(world, s), body, format="json")


def _p(w):
    return w.partnership


ENDPOINTS = [
    Endpoint("indicators", "get", lambda w, s: indicators(_p(w)), tuple(READERS)),
    Endpoint(
        "indicator",
        "get",
        lambda w, s: f"{indicators(_p(w))}{s.indicator('Openness').pk}/",
        tuple(READERS),
    ),
    Endpoint("library", "get", lambda w, s: f"{indicators(_p(w))}library/", tuple(READERS)),
    Endpoint("sets", "get", lambda w, s: sets(_p(w)), tuple(READERS)),
    Endpoint("set", "get", lambda w, s: set_url(_p(w), s.current), tuple(READERS)),
    Endpoint(
        "set-discard",
        "delete",
        lambda w, s: set_url(_p(w), s.draft),
        tuple(MANAGERS),
        success=204,
    ),
    Endpoint(
        "set-sign-off", "post", lambda w, s: f"{set_url(_p(w), s.draft)}sign-off/", tuple(MANAGERS)
    ),
    Endpoint("set-indicators", "get", lambda w, s: set_indicators(_p(w), s.draft), tuple(READERS)),
    Endpoint(
        "set-indicator",
        "get",
        lambda w, s: f"{set_indicators(_p(w), s.draft)}{s.indicator('Openness', s.draft).pk}/",
        tuple(READERS),
    ),
    Endpoint(
        "set-indicator-add",
        "post",
        lambda w, s: set_indicators(_p(w), s.draft),
        tuple(MANAGERS),
        success=201,
        body=lambda w, s: {"library_key": "flexibility", "meaning": "Extra rounds on request"},
    ),
    Endpoint(
        "set-indicator-put",
        "put",
        lambda w, s: f"{set_indicators(_p(w), s.draft)}{s.indicator('Openness', s.draft).pk}/",
        tuple(MANAGERS),
        body=lambda w, s: {
            "name": "Candour",
            "meaning": "Bad news early",
            "behaviours": ["Calls before it escalates"],
            "rated_side": "both",
        },
    ),
    Endpoint(
        "set-indicator-patch",
        "patch",
        lambda w, s: f"{set_indicators(_p(w), s.draft)}{s.indicator('Openness', s.draft).pk}/",
        tuple(MANAGERS),
        body=lambda w, s: {"meaning": "Bad news early"},
    ),
    Endpoint(
        "set-indicator-delete",
        "delete",
        lambda w, s: f"{set_indicators(_p(w), s.draft)}{s.indicator('Openness', s.draft).pk}/",
        tuple(MANAGERS),
        success=204,
    ),
    Endpoint("surveys", "get", lambda w, s: surveys(_p(w)), tuple(READERS)),
    Endpoint("survey", "get", lambda w, s: survey_url(_p(w), s.open), tuple(READERS)),
    Endpoint(
        "survey-create",
        "post",
        lambda w, s: surveys(_p(w)),
        tuple(MANAGERS),
        success=201,
        body=lambda w, s: {"period": "2026-Q4", **window()},
    ),
    Endpoint(
        "survey-open",
        "post",
        lambda w, s: f"{survey_url(_p(w), s.scheduled)}open/",
        tuple(MANAGERS),
        prepare=lambda w, s: Survey.objects.filter(pk=s.open.pk).update(state="closed"),
    ),
    Endpoint(
        "survey-close", "post", lambda w, s: f"{survey_url(_p(w), s.open)}close/", tuple(MANAGERS)
    ),
    Endpoint("responses", "get", lambda w, s: responses(_p(w), s.open), tuple(READERS)),
    Endpoint("mine", "get", lambda w, s: mine(_p(w), s.open), tuple(READERS)),
    Endpoint(
        "mine-save",
        "put",
        lambda w, s: mine(_p(w), s.open),
        tuple(RESPONDENTS),
        body=lambda w, s: {"ratings": [answer(s.indicator("Openness"), w.side, 7)]},
    ),
    Endpoint("results", "get", lambda w, s: results(_p(w), s.closed), tuple(READERS)),
]


def _cases(kind):
    for endpoint in ENDPOINTS:
        if kind == "allowed":
            people = endpoint.allowed
        else:
            people = [who for who in READERS if who not in endpoint.allowed]
        for who in people:
            yield pytest.param(endpoint, who, id=f"{endpoint.name}-{who}")


def _as(world, who):
    """`w.side` in bodies: the side of the person calling (for their own self-assessment)."""
    world.side = "supplier" if who == "supplier_lead" else "client"
    return getattr(world, who)


@pytest.mark.parametrize(("endpoint", "who"), list(_cases("allowed")))
def test_insider_with_the_role_is_served(world, sti, endpoint, who):
    # With a personal API token: the way integrations call.
    endpoint.setup(world, sti)
    response = endpoint.call(bearer(_as(world, who)), world, sti)
    assert response.status_code == endpoint.success, response.content


@pytest.mark.parametrize(("endpoint", "who"), list(_cases("denied")))
def test_insider_without_the_role_gets_403(login, world, sti, endpoint, who):
    endpoint.setup(world, sti)
    before = _snapshot()
    response = endpoint.call(login(_as(world, who)), world, sti)
    assert response.status_code == 403, response.content
    assert _snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_nobody_signed_in_gets_401(login, world, sti, endpoint):
    world.side = "client"
    endpoint.setup(world, sti)
    before = _snapshot()
    response = endpoint.call(login(None), world, sti)
    assert response.status_code == 401
    assert _snapshot() == before


def _snapshot():
    """Everything the STI endpoints could write, to prove a refused request wrote nothing."""
    return (
        list(IndicatorSet.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Survey.objects.order_by("pk").values()),
        list(Response.objects.order_by("pk").values()),
        list(Rating.objects.order_by("pk").values()),
    )


# --- ids of another partnership --------------------------------------------------------------


def test_another_partnerships_set_and_survey_answer_404_under_this_one(login, world, sti, foreign):
    # The supplier lead manages both partnerships, yet ids do not cross between them.
    indicator_set, survey, closed = foreign
    api = login(world.supplier_lead)
    p = world.partnership
    indicator = indicator_set.indicators.get()
    assert api.get(set_url(p, indicator_set)).status_code == 404
    assert api.get(set_indicators(p, indicator_set)).status_code == 404
    assert api.get(f"{indicators(p)}{indicator.pk}/").status_code == 404
    url = f"{set_indicators(p, indicator_set)}{indicator.pk}/"
    assert api.patch(url, {"name": "Hijacked"}, format="json").status_code == 404
    assert api.get(survey_url(p, survey)).status_code == 404
    assert api.post(f"{survey_url(p, survey)}close/").status_code == 404
    assert api.get(mine(p, survey)).status_code == 404
    assert api.get(results(p, closed)).status_code == 404
    # Under its own partnership the same ids answer.
    assert api.get(survey_url(world.other_partnership, survey)).status_code == 200
    assert indicator_set.indicators.get().name == "Foreign"


def test_this_partnerships_draft_indicator_is_not_reached_under_the_current_set(login, world, sti):
    # An indicator id is resolved inside the set named in the URL, not just the partnership.
    draft_indicator = sti.indicator("Openness", sti.draft)
    url = f"{set_indicators(world.partnership, sti.current)}{draft_indicator.pk}/"
    assert login(world.manager).get(url).status_code == 404


# --- indicators and the library --------------------------------------------------------------


def test_indicators_lists_the_set_in_use(login, world, sti):
    body = login(world.viewer).get(indicators(world.partnership)).json()
    assert body["count"] == 3
    rows = body["results"]
    assert [row["name"] for row in rows] == ["Pro-activity", "Openness", "Reachability"]
    assert {row["id"] for row in rows} == set(sti.current.indicators.values_list("pk", flat=True))
    reach = rows[2]
    assert reach["rated_side"] == "supplier"
    assert reach["meaning"] == "What Reachability means here"
    assert "ratings" not in reach


def test_indicators_is_empty_without_a_signed_off_set(login, world):
    sf.draft_set(world.partnership)
    body = login(world.member).get(indicators(world.partnership)).json()
    assert (body["count"], body["results"]) == (0, [])


def test_library_reads_in_the_callers_language(login, world):
    body = login(world.member).get(f"{indicators(world.partnership)}library/").json()
    assert [row["key"] for row in body] == [item.key for item in library.LIBRARY]
    openness = next(row for row in body if row["key"] == "openness")
    assert openness["name"] == "Openness"
    assert openness["behaviours"][0] == "Tells bad news early"
    world.member.language = "nl"
    world.member.save(update_fields=["language"])
    dutch = login(world.member).get(f"{indicators(world.partnership)}library/").json()
    with translation.override("nl"):
        expected = str(library.BY_KEY["openness"].description)
    assert next(r for r in dutch if r["key"] == "openness")["description"] == expected


# --- the workshop through the API ------------------------------------------------------------


def test_workshop_drafts_signs_off_and_versions_the_set(world):
    manager, lead = bearer(world.manager), bearer(world.supplier_lead)
    p = world.partnership

    draft = manager.post(sets(p), {"note": "Kick-off workshop"}, format="json")
    assert draft.status_code == 201, draft.json()
    draft = draft.json()
    assert (draft["version"], draft["status"], draft["indicators"]) == (1, "draft", [])
    v1 = IndicatorSet.objects.get(pk=draft["id"])
    assert v1.partnership == p and v1.created_by == world.manager

    added = manager.post(
        set_indicators(p, v1),
        {"library_key": "openness", "meaning": "We share bad news within a day"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    assert added.json()["name"] == "Openness"
    assert added.json()["behaviours"][0] == "Tells bad news early"
    custom = lead.post(
        set_indicators(p, v1),
        {
            "name": "Reachability",
            "meaning": "The duty phone is answered",
            "behaviours": ["Answers within an hour", " "],
            "rated_side": "supplier",
        },
        format="json",
    ).json()
    assert custom["behaviours"] == ["Answers within an hour"]

    signed = manager.post(f"{set_url(p, v1)}sign-off/").json()
    assert signed["status"] == "draft"
    assert [(s["side"], s["user"]) for s in signed["sign_offs"]] == [
        ("client", world.manager.display_name)
    ]
    adopted = lead.post(f"{set_url(p, v1)}sign-off/").json()
    assert adopted["status"] == "in_use" and adopted["adopted_at"]
    assert {s["side"] for s in adopted["sign_offs"]} == {"client", "supplier"}
    in_use = manager.get(indicators(p)).json()["results"]
    assert [row["name"] for row in in_use] == ["Openness", "Reachability"]

    planned = manager.post(surveys(p), {"period": "2026-Q3", **window()}, format="json").json()
    assert planned["indicator_set_version"] == 1

    v2 = manager.post(sets(p), {"note": "Add flexibility"}, format="json").json()
    assert v2["version"] == 2
    assert [i["lineage"] for i in v2["indicators"]] == [i["lineage"] for i in in_use]
    v2_set = IndicatorSet.objects.get(pk=v2["id"])
    manager.post(
        set_indicators(p, v2_set),
        {"library_key": "flexibility", "meaning": "Extra rounds at short notice"},
        format="json",
    )
    manager.post(f"{set_url(p, v2_set)}sign-off/")
    assert lead.post(f"{set_url(p, v2_set)}sign-off/").json()["status"] == "in_use"

    versions = manager.get(sets(p)).json()["results"]
    assert [(v["version"], v["status"]) for v in versions] == [(2, "in_use"), (1, "superseded")]
    assert versions[1]["superseded_at"]
    assert len(manager.get(indicators(p)).json()["results"]) == 3
    # The survey planned on version 1 keeps it.
    survey = manager.get(f"{surveys(p)}{planned['id']}/").json()
    assert survey["indicator_set_version"] == 1
    assert [i["name"] for i in survey["indicators"]] == ["Openness", "Reachability"]


def test_a_signed_off_set_no_longer_changes(login, world, sti):
    api = login(world.manager)
    openness = sti.indicator("Openness")
    url = f"{set_indicators(world.partnership, sti.current)}{openness.pk}/"
    response = api.patch(url, {"name": "Candour"}, format="json")
    assert response.status_code == 400
    assert "can no longer change" in response.json()["non_field_errors"][0]
    assert api.delete(url).status_code == 400
    assert api.delete(set_url(world.partnership, sti.current)).status_code == 400
    openness.refresh_from_db()
    assert openness.name == "Openness"
    assert IndicatorSet.objects.filter(pk=sti.current.pk).exists()


def test_one_draft_at_a_time(login, world, sti):
    response = login(world.manager).post(sets(world.partnership), {}, format="json")
    assert response.status_code == 400
    assert "draft version already exists" in response.json()["non_field_errors"][0]
    assert IndicatorSet.objects.filter(partnership=world.partnership).count() == 2


def test_discarding_a_draft_deletes_it(login, world, sti):
    response = login(world.supplier_lead).delete(set_url(world.partnership, sti.draft))
    assert response.status_code == 204
    assert not IndicatorSet.objects.filter(pk=sti.draft.pk).exists()


def test_sign_off_needs_every_meaning(login, world, sti):
    indicator = sti.indicator("Openness", sti.draft)
    indicator.meaning = ""
    indicator.save()
    response = login(world.manager).post(f"{set_url(world.partnership, sti.draft)}sign-off/")
    assert response.status_code == 400
    assert "Openness" in response.json()["non_field_errors"][0]
    assert not sti.draft.sign_offs.exists()


def test_one_sign_off_per_side(login, world, sti):
    api = login(world.manager)
    assert api.post(f"{set_url(world.partnership, sti.draft)}sign-off/").status_code == 200
    again = api.post(f"{set_url(world.partnership, sti.draft)}sign-off/")
    assert again.status_code == 400
    assert "already signed" in again.json()["non_field_errors"][0]


def test_changing_a_draft_voids_its_sign_offs(login, world, sti):
    api = login(world.manager)
    api.post(f"{set_url(world.partnership, sti.draft)}sign-off/")
    url = (
        f"{set_indicators(world.partnership, sti.draft)}{sti.indicator('Openness', sti.draft).pk}/"
    )
    assert api.patch(url, {"meaning": "Changed"}, format="json").status_code == 200
    assert api.get(set_url(world.partnership, sti.draft)).json()["sign_offs"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": ""}, "name"),
        ({"library_key": "no-such-indicator"}, "library_key"),
        ({"name": "Openness", "meaning": "Clash"}, "name"),
        ({"name": "Flex", "rated_side": "nobody"}, "rated_side"),
    ],
)
def test_bad_indicator_gets_a_field_level_400(login, world, sti, body, field):
    before = sti.draft.indicators.count()
    response = login(world.manager).post(
        set_indicators(world.partnership, sti.draft), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert sti.draft.indicators.count() == before


def test_indicator_set_in_the_body_is_refused(login, world, sti, foreign):
    # The set comes from the URL: naming another partnership's set in the body is refused.
    foreign_set = foreign[0]
    response = login(world.supplier_lead).post(
        set_indicators(world.partnership, sti.draft),
        {"name": "Flexibility", "meaning": "x", "indicator_set": foreign_set.pk},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()) == ["indicator_set"]
    assert not sti.draft.indicators.filter(name="Flexibility").exists()
    assert foreign_set.indicators.count() == 1


def test_put_replaces_an_indicator_of_a_draft(login, world, sti):
    url = (
        f"{set_indicators(world.partnership, sti.draft)}{sti.indicator('Openness', sti.draft).pk}/"
    )
    body = {
        "name": "Candour",
        "meaning": "Bad news early",
        "behaviours": ["Calls first", "Writes later"],
        "rated_side": "client",
    }
    response = login(world.manager).put(url, body, format="json")
    assert response.status_code == 200
    assert response.json()["behaviours"] == ["Calls first", "Writes later"]
    stored = Indicator.objects.get(pk=response.json()["id"])
    assert (stored.name, stored.rated_side) == ("Candour", "client")
    assert stored.behaviours == "Calls first\nWrites later"
    incomplete = login(world.manager).put(url, {"name": "Only a name"}, format="json")
    assert incomplete.status_code == 400
    assert "meaning" in incomplete.json()


# --- surveys ---------------------------------------------------------------------------------


def test_manager_plans_a_survey(login, world, sti):
    body = {"period": "2026-10-15", **window()}
    response = login(world.supplier_lead).post(surveys(world.partnership), body, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["period"], data["state"], data["indicator_set_version"]) == (
        "2026-Q4",
        "scheduled",
        1,
    )
    survey = Survey.objects.get(pk=data["id"])
    assert survey.partnership == world.partnership  # from the URL, never the body
    assert survey.created_by == world.supplier_lead
    assert [i["name"] for i in data["indicators"]] == ["Pro-activity", "Openness", "Reachability"]


def test_survey_planned_and_opened_at_once(login, world):
    sf.adopted_set(world.partnership)
    body = {"period": "2026-Q3", "open": True, **window(days_from_now=0)}
    response = login(world.manager).post(surveys(world.partnership), body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "open"
    assert response.json()["opened_at"]


def test_planning_and_opening_fail_together(login, world, sti):
    # Q2 is open already: opening Q4 fails, and Q4 is not left planned behind.
    body = {"period": "2026-Q4", "open": True, **window()}
    response = login(world.manager).post(surveys(world.partnership), body, format="json")
    assert response.status_code == 400
    assert "still open" in response.json()["non_field_errors"][0]
    assert not Survey.objects.filter(period_start=datetime.date(2026, 10, 1)).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "2026-Q9"}, "period"),
        ({"period": "2026-Q1"}, "period"),  # taken by the closed survey
        ({"period": "2026-Q4", "closes_at": "2020-01-01T00:00:00Z"}, "closes_at"),
        ({"period": "2026-Q4", "opens_at": "tomorrow"}, "opens_at"),
    ],
)
def test_bad_survey_gets_a_field_level_400(login, world, sti, body, field):
    before = Survey.objects.count()
    response = login(world.manager).post(
        surveys(world.partnership), {**window(), **body}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert Survey.objects.count() == before


def test_no_survey_without_a_signed_off_set(login, world):
    response = login(world.manager).post(
        surveys(world.partnership), {"period": "2026-Q3", **window()}, format="json"
    )
    assert response.status_code == 400
    assert "Sign off an indicator set" in response.json()["period"][0]


def test_manager_opens_and_closes_a_survey(login, world, sti):
    api = login(world.manager)
    closed = api.post(f"{survey_url(world.partnership, sti.open)}close/")
    assert closed.status_code == 200, closed.json()
    data = closed.json()
    assert data["state"] == "closed"
    # The supplier lead's submitted ratings of the client are kept as the grade.
    assert data["grade_to_client"] == "4.50"
    assert data["grade_to_supplier"] is None
    opened = api.post(f"{survey_url(world.partnership, sti.scheduled)}open/")
    assert opened.status_code == 200, opened.json()
    assert opened.json()["state"] == "open"
    again = api.post(f"{survey_url(world.partnership, sti.scheduled)}open/")
    assert again.status_code == 400
    assert "Only a scheduled survey" in again.json()["non_field_errors"][0]


def test_a_scheduled_survey_cannot_be_closed(login, world, sti):
    response = login(world.manager).post(f"{survey_url(world.partnership, sti.scheduled)}close/")
    assert response.status_code == 400
    sti.scheduled.refresh_from_db()
    assert sti.scheduled.state == SurveyState.SCHEDULED


def test_survey_list_shows_state_rate_and_kept_grades(login, world, sti):
    Survey.objects.filter(pk=sti.closed.pk).update(grade_to_supplier="6.50")
    # A grade on a survey that is not closed is never shown.
    Survey.objects.filter(pk=sti.open.pk).update(grade_to_supplier="9.99")
    body = login(world.viewer).get(surveys(world.partnership)).json()
    assert set(body) == {"count", "next", "previous", "results"}
    rows = {row["period"]: row for row in body["results"]}
    assert [row["period"] for row in body["results"]] == ["2026-Q3", "2026-Q2", "2026-Q1"]
    assert rows["2026-Q1"]["grade_to_supplier"] == "6.50"
    assert rows["2026-Q2"]["grade_to_supplier"] is None
    rate = rows["2026-Q2"]["response_rate"]
    # manager and member rate for the client (the viewer does not), the lead for the supplier.
    assert rate == {
        "client": {"submitted": 0, "eligible": 2},
        "supplier": {"submitted": 1, "eligible": 1},
        "total": {"submitted": 1, "eligible": 3},
        "percent": 33,
    }
    assert "indicators" not in rows["2026-Q2"]


def test_survey_list_and_detail_count_the_same_response_rate(login, world, sti):
    api = login(world.member)
    rows = api.get(surveys(world.partnership)).json()["results"]
    for row in rows:
        detail = api.get(f"{surveys(world.partnership)}{row['id']}/").json()
        assert detail["response_rate"] == row["response_rate"]
    assert rows[2]["response_rate"]["total"]["submitted"] == 2


def test_survey_list_filters_on_state(login, world, sti):
    api = login(world.member)
    body = api.get(surveys(world.partnership), {"state": "closed"}).json()
    assert [row["id"] for row in body["results"]] == [sti.closed.pk]
    assert api.get(surveys(world.partnership), {"state": "sideways"}).status_code == 400


# --- one's own response ----------------------------------------------------------------------


def test_respondent_saves_a_draft_and_reads_it_back(login, world, sti):
    api = login(world.member)
    openness = sti.indicator("Openness")
    body = {
        "ratings": [
            answer(openness, "supplier", 7),
            answer(openness, "client", 9, "We share our figures"),
        ]
    }
    response = api.put(mine(world.partnership, sti.open), body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["submitted"], data["side"]) == (False, "client")
    assert sorted((r["rated_side"], r["score"]) for r in data["ratings"]) == [
        ("client", 9),
        ("supplier", 7),
    ]
    assert api.get(mine(world.partnership, sti.open)).json() == data
    stored = Response.objects.get(survey=sti.open, respondent=world.member)
    assert stored.ratings.count() == 2 and stored.submitted_at is None


def test_mine_before_beginning_is_empty(login, world, sti):
    data = login(world.member).get(mine(world.partnership, sti.open)).json()
    assert (data["id"], data["submitted"], data["ratings"]) == (None, False, [])
    assert data["side"] == "client"


def test_respondent_submits_a_complete_questionnaire(login, world, sti):
    api = login(world.member)
    body = {"ratings": full_client_answers(sti), "submit": True}
    response = api.put(mine(world.partnership, sti.open), body, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["submitted"] is True
    assert response.json()["submitted_at"]
    rate = api.get(survey_url(world.partnership, sti.open)).json()["response_rate"]
    assert rate["client"]["submitted"] == 1


@pytest.mark.parametrize(
    ("score", "motivation", "key"),
    [
        (4, "", "motivation"),
        (10, "  ", "motivation"),
        (11, "Too good", "score"),
        (0, "", "score"),
    ],
)
def test_bad_answer_gets_a_400_naming_its_key_and_saves_nothing(
    login, world, sti, score, motivation, key
):
    openness = sti.indicator("Openness")
    ratings = full_client_answers(sti)
    ratings[1] = answer(openness, "supplier", score, motivation)
    response = login(world.member).put(
        mine(world.partnership, sti.open), {"ratings": ratings, "submit": True}, format="json"
    )
    assert response.status_code == 400
    assert f"{key}-{openness.pk}-supplier" in response.json(), response.json()
    assert not Response.objects.filter(respondent=world.member, survey=sti.open).exists()


def test_submitting_needs_every_score_of_the_other_side(login, world, sti):
    reachability = sti.indicator("Reachability")
    ratings = full_client_answers(sti)[:2]
    response = login(world.member).put(
        mine(world.partnership, sti.open), {"ratings": ratings, "submit": True}, format="json"
    )
    assert response.status_code == 400
    assert f"score-{reachability.pk}-supplier" in response.json()
    assert not Response.objects.filter(respondent=world.member, survey=sti.open).exists()


def test_an_indicator_of_another_partnership_is_not_asked(login, world, sti, foreign):
    foreign_indicator = foreign[0].indicators.get()
    body = {"ratings": [answer(foreign_indicator, "supplier", 7)]}
    response = login(world.member).put(mine(world.partnership, sti.open), body, format="json")
    assert response.status_code == 400
    assert f"score-{foreign_indicator.pk}-supplier" in response.json()
    assert not Rating.objects.filter(indicator=foreign_indicator).exists()


def test_answers_freeze_when_the_survey_closes(login, world, sti):
    api = login(world.member)
    api.put(mine(world.partnership, sti.open), {"ratings": full_client_answers(sti)}, format="json")
    login(world.manager).post(f"{survey_url(world.partnership, sti.open)}close/")
    api = login(world.member)
    body = {"ratings": [answer(sti.indicator("Openness"), "supplier", 2, "Changed my mind")]}
    response = api.put(mine(world.partnership, sti.open), body, format="json")
    assert response.status_code == 400
    assert "not open" in response.json()["non_field_errors"][0]
    rating = Rating.objects.get(
        response__respondent=world.member,
        response__survey=sti.open,
        indicator=sti.indicator("Openness"),
    )
    assert (rating.score, rating.motivation) == (6, "")


def test_a_manager_who_does_not_take_part_cannot_answer(login, world, sti):
    # Managers of the client organisation see the partnership, but only participants rate.
    director = f.member(world.hospital, "manager", email="director@hospital.test", language="en")
    body = {"ratings": full_client_answers(sti)}
    response = login(director).put(mine(world.partnership, sti.open), body, format="json")
    assert response.status_code == 403
    assert not Response.objects.filter(respondent=director).exists()


def test_responses_list_holds_only_ones_own(login, world, sti):
    api = login(world.member)
    empty = api.get(responses(world.partnership, sti.open)).json()
    assert (empty["count"], empty["results"]) == (0, [])
    api.put(mine(world.partnership, sti.open), {"ratings": full_client_answers(sti)}, format="json")
    body = api.get(responses(world.partnership, sti.open)).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    own = Response.objects.get(survey=sti.open, respondent=world.member)
    assert body["results"][0]["id"] == own.pk
    assert len(body["results"][0]["ratings"]) == 3


@pytest.mark.parametrize("who", [who for who in READERS if who != "supplier_lead"])
def test_nobody_reads_another_persons_answers_while_open(login, world, sti, who):
    """The supplier lead's submitted motivation stays out of every body of every other reader."""
    user = getattr(world, who)
    api = login(user)
    if who in ("manager", "member"):
        api.put(
            mine(world.partnership, sti.open), {"ratings": full_client_answers(sti)}, format="json"
        )
    p = world.partnership
    bodies = [
        api.get(responses(p, sti.open)),
        api.get(mine(p, sti.open)),
        api.get(survey_url(p, sti.open)),
        api.get(surveys(p)),
        api.get(results(p, sti.open)),
        api.get(indicators(p)),
        api.get(sets(p)),
    ]
    for response in bodies:
        assert SEALED_MARKER not in response.content.decode()
    listed = bodies[0].json()["results"]
    assert all(row["side"] == "client" for row in listed)
    assert [row["id"] for row in listed] == list(
        Response.objects.filter(survey=sti.open, respondent=user).values_list("pk", flat=True)
    )


def test_the_author_reads_their_own_sealed_answer(login, world, sti):
    # The check above can fail: the marker is there for the one who wrote it.
    body = login(world.supplier_lead).get(mine(world.partnership, sti.open)).json()
    assert SEALED_MARKER in json.dumps(body)
    listed = login(world.supplier_lead).get(responses(world.partnership, sti.open)).json()
    assert SEALED_MARKER in json.dumps(listed)


def test_own_answers_are_still_ones_own_after_close(login, world, sti):
    # After close the results hold everyone's figures; the responses routes still only the own.
    body = login(world.member).get(responses(world.partnership, sti.closed)).json()
    assert body["count"] == 1
    assert "Shares every figure" not in json.dumps(body)
    assert "Waits to be asked" in json.dumps(body)


# --- results ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", READERS)
def test_results_are_sealed_until_the_survey_closes(login, world, sti, who):
    api = login(getattr(world, who))
    for survey in (sti.open, sti.scheduled):
        response = api.get(results(world.partnership, survey))
        assert response.status_code == 403
        assert response.json() == {"detail": "Results are sealed until the survey closes."}


def _by_name(body) -> dict:
    return {row["name"]: row for row in body["indicators"]}


def test_results_after_close_show_every_figure(login, world, sti):
    body = login(world.member).get(results(world.partnership, sti.closed)).json()
    assert (body["period"], body["survey"], body["previous_period"]) == (
        "2026-Q1",
        sti.closed.pk,
        None,
    )
    assert body["raters"] == {"client": 1, "supplier": 1}
    # client -> supplier: 4, 7, 9; supplier -> client: 6, 10.
    assert body["grade_to_supplier"] == "6.67"
    assert body["grade_to_client"] == "8.00"
    rows = _by_name(body)
    openness = rows["Openness"]
    assert openness["id"] == sti.indicator("Openness").pk
    assert openness["to_supplier"] == {
        "n": 1,
        "mean": "7.00",
        "median": "7.00",
        "min": 7,
        "max": 7,
        "spread": "0.00",
    }
    assert openness["to_client"]["mean"] == "10.00"
    assert openness["self_supplier"]["mean"] == "9.00"
    assert openness["self_client"]["mean"] == "8.00"
    assert openness["gap_supplier"] == "2.00"  # 9 (own view) - 7 (the client's)
    assert openness["gap_client"] == "-2.00"
    assert rows["Reachability"]["to_client"] is None
    assert rows["Reachability"]["rated_side"] == "supplier"
    assert openness["change_to_supplier"] is None


def test_rater_names_follow_the_partnership_setting(login, world, sti):
    def motivations(user):
        body = login(user).get(results(world.partnership, sti.closed)).json()
        return {m["text"]: m for row in body["indicators"] for m in row["motivations"]}

    as_member = motivations(world.member)
    assert set(as_member) == {
        "Waits to be asked",
        "Always answers the phone",
        "Shares every figure",
    }
    assert as_member["Waits to be asked"]["rater_name"] == world.member.display_name
    other_side = as_member["Shares every figure"]
    assert other_side["rater_name"] is None
    assert (other_side["rater_side"], other_side["rated_side"], other_side["score"]) == (
        "supplier",
        "client",
        10,
    )
    facilitator_view = motivations(world.facilitator)["Shares every figure"]
    assert facilitator_view["rater_name"] == world.supplier_lead.display_name
    STISettings.objects.create(partnership=world.partnership, show_rater_names=True)
    shown = motivations(world.member)["Shares every figure"]
    assert shown["rater_name"] == world.supplier_lead.display_name


def test_results_show_the_change_since_the_previous_survey(login, world, sti):
    sti.open.state = SurveyState.CLOSED
    sti.open.save()
    body = login(world.supplier_lead).get(results(world.partnership, sti.open)).json()
    assert body["previous_period"] == "2026-Q1"
    assert body["grade_to_client"] == "4.50"
    pro = _by_name(body)["Pro-activity"]
    assert pro["to_client"]["mean"] == "3.00"
    assert pro["change_to_client"] == "-3.00"  # 3 now, 6 in Q1
    assert pro["motivations"][0]["text"] == SEALED_MARKER  # unsealed once closed


# --- query budgets ---------------------------------------------------------------------------


def _respondent(world, side, n):
    email = f"rater{n}@{'hospital' if side == 'client' else 'cleaner'}.test"
    return f.participant(world.partnership, side, role="member", email=email)


def _count(api, url):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response.json()


def test_survey_list_runs_the_same_queries_for_3_and_12_surveys(login, world):
    indicator_set = sf.adopted_set(world.partnership)
    raters = [_respondent(world, "client", n) for n in range(3)]

    def add_surveys(years):
        for year in years:
            for month in (1, 4, 7, 10):
                survey = sf.survey(
                    world.partnership,
                    indicator_set,
                    state=SurveyState.CLOSED,
                    period_start=datetime.date(year, month, 1),
                )
                for rater in raters:
                    sf.response(survey, rater, "client", {("Openness", "supplier"): 7})

    api = login(world.member)
    add_surveys([2020])
    few, body = _count(api, surveys(world.partnership))
    assert body["count"] == 4
    add_surveys([2021, 2022])
    many, body = _count(api, surveys(world.partnership))
    assert body["count"] == 12
    assert all(row["response_rate"]["client"]["submitted"] == 3 for row in body["results"])
    assert few == many


def test_results_run_the_same_queries_for_2_and_12_raters(login, world):
    names = [(f"Indicator {n}", "both") for n in range(6)]
    indicator_set = sf.adopted_set(world.partnership, indicators=names)
    previous = sf.survey(
        world.partnership, indicator_set, state=SurveyState.CLOSED, period_start=Q1
    )
    survey = sf.survey(world.partnership, indicator_set, state=SurveyState.CLOSED, period_start=Q2)
    sf.response(previous, world.member, "client", {("Indicator 0", "supplier"): 5})

    def add_raters(start, count):
        for n in range(start, start + count):
            side = "client" if n % 2 else "supplier"
            other = "supplier" if side == "client" else "client"
            scores = {(name, other): (n % 10 + 1, f"Because {n}") for name, _side in names}
            scores[(names[0][0], side)] = 8
            sf.response(survey, _respondent(world, side, n), side, scores)

    api = login(world.facilitator)
    add_raters(0, 2)
    few, body = _count(api, results(world.partnership, survey))
    assert sum(body["raters"].values()) == 2
    add_raters(2, 10)
    many, body = _count(api, results(world.partnership, survey))
    assert sum(body["raters"].values()) == 12
    assert len(body["indicators"][0]["motivations"]) == 12
    assert few == many
