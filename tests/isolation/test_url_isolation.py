"""Every route, every method: someone outside a tenant gets 404, changes nothing, sees nothing.

The routes come from walking the URLconf at collection time (`routes.py`), so each route and method
is its own test case, and a route added by a later issue is covered without touching this file. A
route whose kwarg has no sample fails with a message that says which sample to add (`samples.py`).

Callers: the outsider (an admin of an unrelated organisation) with a session and, on API routes,
with a Bearer token; the insider of tenant A, in A's own scope but naming a child of B; and the
insider walking A's own pages, which must show nothing of B (a leaking serializer field or
template). DRF's `.format` twins of a route run the same view, so one twin per viewset is probed.
The world is built once per module (conftest.py); each case runs in a savepoint.
"""

import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.core import mail
from django.test import Client
from django.urls import NoReverseMatch, resolve, reverse

from . import dbstate
from .routes import Route, discover, in_scope
from .samples import (
    INSIDER_SCOPE,
    NON_OBJECT_KWARGS,
    build_kwargs,
    is_insider_probe,
    missing_samples,
    sample_key,
    variants_for,
)

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# A body that would change something if a view let the request through: every field name the
# partnership forms and serializers use, with plausible values.
PAYLOAD = {
    "title": "Taken over by an outsider",
    "reference": "HIJACK-1",
    "start_date": "2026-01-01",
    "end_date": "2027-12-31",
    "value": "1",
    "name": "Hijacker",
    "role": "admin",
    "email": "hijack@outsider.test",
    "phone": "+31 6 0000 0000",
    "side": "client",
    "phase": "ended",
    "done": "1",
    "level": "9",
    "frequency": "daily",
    "participants": "outsider",
    "purpose": "takeover",
    "client_contact": "outsider",
    "supplier_contact": "outsider",
    "when": "always",
    "emergency_number": "000",
    "emergency_instructions": "call the outsider",
    "channels": "outsider",
    "services": ["cleaning"],
    "core_values": "none",
    "future_vision": "none",
    "require_mfa": "on",
    "language": "en",
    "user": "1",
}

ALL_ROUTES = discover()
SCOPED_ROUTES = in_scope(ALL_ROUTES)


@dataclass(frozen=True)
class Case:
    route: Route
    method: str | None  # None: the route cannot be probed (see missing_samples)
    auth: str = "session"  # "session" or "bearer"
    variant: tuple = ()

    @property
    def id(self) -> str:
        variant = "".join(f"({v})" for _k, v in self.variant)
        method = self.method or "MISSING-SAMPLE"
        auth = "-bearer" if self.auth == "bearer" else ""
        return f"{self.route.label}{variant}-{method}{auth}"


def _auths(route: Route) -> tuple[str, ...]:
    return ("session", "bearer") if route.is_api else ("session",)


def _expand(route: Route, methods=METHODS) -> list[Case]:
    if missing_samples(route):
        return [Case(route, None)]
    return [
        Case(route, method, auth, tuple(variant.items()))
        for variant in variants_for(route)
        for method in methods
        for auth in _auths(route)
    ]


def _names_an_object(route: Route) -> bool:
    """DRF's `format` suffix alone names no object: `partnerships.json` is still the user's list."""
    return bool(set(route.kwargs) - {"format"})


def _is_format_twin(route: Route) -> bool:
    return "format" in route.kwargs


def _one_twin_per_viewset(routes: list[Route]) -> list[Route]:
    """A `.format` twin resolves to the very view of its route; one per viewset proves the suffix
    patterns are wired to the same scoped views."""
    chosen = {}
    for route in routes:
        chosen.setdefault(route.basename or route.callback_path, route)
    return list(chosen.values())


OBJECT_ROUTES = [r for r in SCOPED_ROUTES if _names_an_object(r) and not _is_format_twin(r)]
FORMAT_TWINS = _one_twin_per_viewset(
    [r for r in SCOPED_ROUTES if _names_an_object(r) and _is_format_twin(r)]
)
OUTSIDER_CASES = [case for r in OBJECT_ROUTES for case in _expand(r)] + [
    case for r in FORMAT_TWINS for case in _expand(r, methods=("GET",))
]
INSIDER_CASES = [
    case
    for r in OBJECT_ROUTES
    if not missing_samples(r) and is_insider_probe(r)
    for case in _expand(r)
]
# The insider's walk of their own scope: every page and API read with tenant A's samples.
OWN_SCOPE_CASES = [
    case for r in OBJECT_ROUTES if not missing_samples(r) for case in _expand(r, methods=("GET",))
]
# Routes without an object kwarg (lists, dashboards, the API root): their content is checked.
LISTING_ROUTES = [r for r in SCOPED_ROUTES if r.name and not _names_an_object(r)]
LISTING_CASES = [Case(r, "GET", auth) for r in LISTING_ROUTES for auth in _auths(r)]


def proven_pairs() -> dict[str, int]:
    """How many (route, method, caller) pairs each scenario proves; printed by the README's
    command and compared in the closing notes of the suite's changes."""
    return {
        "outsider": len(OUTSIDER_CASES),
        "insider, child of another tenant": len(INSIDER_CASES),
        "insider, own scope": len(OWN_SCOPE_CASES),
        "listings": len(LISTING_CASES),
    }


def _ids(case: Case) -> str:
    return case.id


# --- helpers ---------------------------------------------------------------------------------


def _client_for(case: Case, user, token_key: str, client: Client) -> tuple[Client, dict]:
    if case.auth == "bearer":
        return Client(), {"Authorization": f"Bearer {token_key}"}
    client.force_login(user)
    return client, {}


def _send(client: Client, method: str, url: str, *, api: bool, headers: dict):
    kwargs = {}
    if method in ("POST", "PUT", "PATCH"):
        if api:
            kwargs = {"data": json.dumps(PAYLOAD), "content_type": "application/json"}
        elif method == "POST":
            kwargs = {"data": PAYLOAD}
        else:
            kwargs = {
                "data": urlencode(PAYLOAD, doseq=True),
                "content_type": "application/x-www-form-urlencoded",
            }
    return getattr(client, method.lower())(url, headers=headers, **kwargs)


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8", errors="replace")


def _reverse(route: Route, kwargs: dict) -> str:
    url = reverse(route.name, kwargs=kwargs)
    match = resolve(url)
    assert match.view_name == route.name, f"{url} resolves to {match.view_name}, not {route.name}"
    return url


def _describe(response) -> str:
    where = response.get("Location")
    return f"{response.status_code}" + (f" -> {where}" if where else "")


def _fail_if_unprobeable(case: Case) -> None:
    if case.method is None:
        pytest.fail("\n".join(missing_samples(case.route)), pytrace=False)


def _probe(case: Case, client: Client, user, token_key: str, kwargs: dict):
    """Send one request; return (url, response, what it wrote to the database or sent)."""
    url = _reverse(case.route, kwargs)
    http, headers = _client_for(case, user, token_key, client)
    before = dbstate.snapshot()
    response = _send(http, case.method, url, api=case.route.is_api, headers=headers)
    changes = dbstate.diff(before, dbstate.snapshot())
    if mail.outbox:
        changes += f"\nsent {len(mail.outbox)} e-mail(s): {[m.subject for m in mail.outbox]}"
    return url, response, changes.strip()


def check_refused(case: Case, iso, client: Client, *, insider: bool) -> list[str]:
    """What is wrong with one probe into tenant B: not a 404, a write, or B's data shown."""
    variant = dict(case.variant)
    if insider:
        kwargs = build_kwargs(case.route, iso.b, variant, scope_kit=iso.a)
        user, key = iso.insider, iso.insider_token_key
    else:
        kwargs = build_kwargs(case.route, iso.b, variant)
        user, key = iso.outsider, iso.outsider_token_key
    url, response, changes = _probe(case, client, user, key, kwargs)
    problems = []
    if insider and response.status_code == 405:
        # A method the route never accepts says nothing about the object: that is fine only if a
        # child id that does not exist at all gets the very same 405.
        control_url = _reverse(case.route, _control_kwargs(case.route, kwargs))
        http, headers = _client_for(case, user, key, client)
        control = _send(http, case.method, control_url, api=case.route.is_api, headers=headers)
        if control.status_code != 405:
            problems.append(
                f"answered 405, but {control_url} (no such object) answered "
                f"{control.status_code}: the 405 depends on the foreign object"
            )
    elif response.status_code != 404:
        problems.append(f"answered {_describe(response)} instead of 404")
    if changes:
        problems.append(f"changed something:\n{changes}")
    body = _body(response)
    problems += [f"response shows {m!r}" for m in iso.b.markers if m in body]
    who = "an insider of A with a child of B" if insider else "an outsider"
    return [f"{case.method} {url} by {who} ({case.auth}): {p}" for p in problems]


# The insider's own reads answer 200, or 405 where a route takes no GET; these answer otherwise
# in the kit's world, for a reason (a new route that does must say why here).
OWN_SCOPE_ANSWERS = {
    "sti:indicator_add": (302, "the kit's set is in use: its indicators are changed in a draft"),
    "sti:indicator_edit": (302, "the kit's set is in use: its indicators are changed in a draft"),
    "reviews:session_mode": (302, "the kit's round is published: its session is over"),
    "partnership-inspection-plan": (400, "the plan needs an area type and a lot size"),
    "kpis:measurement_evidence": (404, "the kit's measurement has no evidence file"),
    "partnership:invitation_accept": (404, "an invitation is accepted by its invitee only"),
}


def check_own_scope(case: Case, iso, client: Client) -> list[str]:
    """What is wrong with the insider's read of their own scope: not let in, or B's data shown."""
    kwargs = build_kwargs(case.route, iso.a, dict(case.variant))
    url, response, _changes = _probe(case, client, iso.insider, iso.insider_token_key, kwargs)
    problems = []
    expected, _reason = OWN_SCOPE_ANSWERS.get(case.route.name, (200, ""))
    if response.status_code not in (expected, 405):
        # Only a read that is let in can show a leak: a 404 here would prove nothing.
        problems.append(f"answered {_describe(response)} instead of {expected}")
    body = _body(response)
    problems += [f"response shows {m!r}" for m in iso.b.markers if m in body]
    return [f"GET {url} by the insider of A ({case.auth}): {p}" for p in problems]


# --- the route list itself -------------------------------------------------------------------


def test_every_route_kwarg_has_a_sample():
    problems = [p for route in SCOPED_ROUTES for p in missing_samples(route)]
    assert not problems, "Routes the isolation suite cannot probe:\n" + "\n".join(problems)


def test_route_walk_finds_html_and_api_routes():
    by_name = {r.name: r for r in ALL_ROUTES if "format" not in r.kwargs}
    assert by_name["partnership:contract_detail"].kwargs == ("partnership_id", "contract_id")
    assert by_name["partnership:plan_part_edit"].kwargs == (
        "partnership_id",
        "plan_part",
        "item_id",
    )
    assert any(r.is_api for r in ALL_ROUTES)
    assert any(r.name == "api-root" and r.kwargs == ("format",) for r in ALL_ROUTES)
    assert len(OUTSIDER_CASES) >= 5 * len(OBJECT_ROUTES)
    assert any(r.name == "api-root" for r in LISTING_ROUTES)
    # Every viewset with `.format` twins keeps one of them in the outsider probes.
    twins = {r.basename for r in SCOPED_ROUTES if _is_format_twin(r) and _names_an_object(r)}
    assert twins == {r.basename for r in FORMAT_TWINS}


# --- scenario 1: an admin of an unrelated organisation ---------------------------------------


@pytest.mark.parametrize("case", OUTSIDER_CASES, ids=_ids)
def test_outsider_gets_404_and_changes_nothing(case, isolation, client):
    _fail_if_unprobeable(case)
    problems = check_refused(case, isolation, client, insider=False)
    assert not problems, "\n".join(problems)


# --- scenario 2: an insider of A, A's own scope, a child object of B --------------------------


def _control_kwargs(route: Route, kwargs: dict) -> dict:
    """The same URL with every foreign child id replaced by one that does not exist at all."""
    control = dict(kwargs)
    for kwarg in route.kwargs:
        key = sample_key(route, kwarg)
        if key in INSIDER_SCOPE or key in NON_OBJECT_KWARGS:
            continue
        for candidate in ("987654321", str(uuid.uuid4()), "no-such-object"):
            try:
                reverse(route.name, kwargs={**control, kwarg: candidate})
            except NoReverseMatch:
                continue
            control[kwarg] = candidate
            break
    return control


@pytest.mark.parametrize("case", INSIDER_CASES, ids=_ids)
def test_insider_gets_404_for_child_of_another_partnership(case, isolation, client):
    problems = check_refused(case, isolation, client, insider=True)
    assert not problems, "\n".join(problems)


# --- scenario 3: the insider's own pages show nothing of another tenant ----------------------


@pytest.mark.parametrize("case", OWN_SCOPE_CASES, ids=_ids)
def test_insider_own_scope_shows_nothing_of_another_tenant(case, isolation, client):
    problems = check_own_scope(case, isolation, client)
    assert not problems, "\n".join(problems)


# --- routes without kwargs: lists and pages that must not show other tenants' data ----------


@pytest.mark.parametrize("case", LISTING_CASES, ids=_ids)
def test_outsider_listing_shows_no_other_tenants_data(case, isolation, client):
    url = _reverse(case.route, dict.fromkeys(case.route.kwargs, "json"))  # only `format`
    http, headers = _client_for(case, isolation.outsider, isolation.outsider_token_key, client)
    response = _send(http, "GET", url, api=case.route.is_api, headers=headers)
    assert response.status_code < 500, f"GET {url} failed with {response.status_code}"
    body = _body(response)
    markers = isolation.a.markers + isolation.b.markers + isolation.ids
    leaked = [m for m in markers if m in body]
    assert not leaked, f"GET {url} by an outsider ({case.auth}) shows {leaked}"


def test_listing_markers_are_visible_to_an_insider(isolation, client):
    """The listing check above can fail: the same markers do show up where they are visible."""
    client.force_login(isolation.insider)
    body = _body(client.get(reverse("partnership:list")))
    assert isolation.a.partnership.title in body
    assert str(isolation.a.partnership.pk) in body
    assert isolation.b.partnership.title not in body
    assert str(isolation.b.partnership.pk) not in body


def test_outsider_sees_an_empty_partnership_list(isolation, client):
    client.force_login(isolation.outsider)
    response = client.get(reverse("partnership:list"))
    assert response.status_code == 200
    assert list(response.context["partnerships"]) == []


def test_insider_reaches_their_own_scope(isolation, client):
    """The insider probes above get 404 because of the foreign child, not because A is closed."""
    client.force_login(isolation.insider)
    a = isolation.a
    for url in [
        reverse("partnership:overview", kwargs={"partnership_id": a.partnership.pk}),
        reverse(
            "partnership:contract_detail",
            kwargs={"partnership_id": a.partnership.pk, "contract_id": a.contract.pk},
        ),
        reverse("orgs:members", kwargs={"slug": a.org.slug}),
    ]:
        assert client.get(url).status_code == 200, url


def test_fingerprint_notices_a_write_to_any_table_even_when_rolled_back(isolation):
    from django.db import transaction

    before = dbstate.snapshot()
    assert dbstate.diff(before, dbstate.snapshot()) == ""
    contract = isolation.b.contract
    contract.title = "Changed"
    contract.save()
    changes = dbstate.diff(before, dbstate.snapshot())
    assert "partnership_contract: 0 inserted, 1 updated" in changes
    assert "partnership_historicalcontract: 1 inserted" in changes

    before = dbstate.snapshot()
    try:
        with transaction.atomic():
            isolation.b.kpi.delete()
            raise RuntimeError("roll it back")
    except RuntimeError:
        pass
    assert "kpis_kpi: 0 inserted, 0 updated, 1 deleted" in dbstate.diff(before, dbstate.snapshot())


def test_fingerprint_ignores_a_sign_in_stamp_but_not_a_changed_user(isolation):
    from django.utils import timezone

    user = isolation.outsider
    before = dbstate.snapshot()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    assert dbstate.diff(before, dbstate.snapshot()) == ""
    user.full_name = "Someone else"
    user.save(update_fields=["full_name"])
    assert "accounts_user" in dbstate.diff(before, dbstate.snapshot())
