"""Sample values for URL kwargs, keyed by kwarg NAME.

Every sample points at an object the requesting user must not reach: a partnership of another
tenant ("B", the university's partnership), its children, another organisation, another user's
notification or token. When a route gains a kwarg that has no entry here, the isolation suite fails
and names the route and the kwarg: add a sample below (and create its object in
`tests/isolation/conftest.py`), never an exemption.

DRF routers name the lookup kwarg `pk` (or `id`); for those the sample is looked up as
`<router basename>_id`, so `api/v1/partnerships/<uuid>/contracts/<pk>/` (basename "contract") uses
the `contract_id` sample. drf-nested-routers style `kpi_pk` is looked up as `kpi_id`.
"""

from collections.abc import Callable
from itertools import product
from typing import Any

from .routes import Route

# kwarg name -> function(isolation fixture, variant) -> value. `variant` holds the values of the
# kwargs in VARIANTS for this case (e.g. {"plan_part": "meetings"}).
SAMPLES: dict[str, Callable[[Any, dict], Any]] = {
    "partnership_id": lambda iso, v: iso.b_partnership.pk,
    "contract_id": lambda iso, v: iso.b_contract.pk,
    "participant_id": lambda iso, v: iso.b_participant.pk,
    "notification_id": lambda iso, v: iso.b_notification.pk,
    "token": lambda iso, v: iso.b_invitation.token,  # the invitation link, sent to someone else
    "slug": lambda iso, v: iso.b_org.slug,
    "membership_id": lambda iso, v: iso.b_membership.pk,
    "invitation_id": lambda iso, v: iso.b_invitation.pk,
    "token_id": lambda iso, v: iso.b_token.pk,  # an API token of another user
    "plan_part": lambda iso, v: v["plan_part"],
    "item_id": lambda iso, v: iso.b_plan_items[v.get("plan_part", "contacts")].pk,
    "checklist_key": lambda iso, v: "active.rounds",  # a hand-ticked item of the active phase
    "format": lambda iso, v: "json",
    "kpi_id": lambda iso, v: iso.b_kpi.pk,
    "measurement_id": lambda iso, v: iso.b_measurement.pk,
    "inspection_id": lambda iso, v: iso.b_inspection.pk,
    "dispute_id": lambda iso, v: iso.b_dispute.pk,
    "area_id": lambda iso, v: iso.b_inspection.areas.get().pk,
    "photo_id": lambda iso, v: iso.b_inspection.areas.get().photos.get().pk,
    "set_id": lambda iso, v: iso.b_indicator_set.pk,
    "indicator_set_id": lambda iso, v: iso.b_indicator_set.pk,
    "indicator_id": lambda iso, v: iso.b_indicator_set.indicators.first().pk,
    "survey_id": lambda iso, v: iso.b_survey.pk,
    "thread_id": lambda iso, v: iso.b_thread.pk,
    "message_id": lambda iso, v: iso.b_message.pk,
    "attachment_id": lambda iso, v: iso.b_attachment.pk,
    "document_id": lambda iso, v: iso.b_document.pk,
    "version_id": lambda iso, v: iso.b_version.pk,
    "round_id": lambda iso, v: iso.b_round.pk,
    "agenda_item_id": lambda iso, v: iso.b_agenda_item.pk,
    "decision_id": lambda iso, v: iso.b_decision.pk,
    "action_id": lambda iso, v: iso.b_action.pk,
}

# Kwargs whose every value gets its own test case (and that other samples may depend on).
VARIANTS: dict[str, tuple[str, ...]] = {
    "plan_part": ("contacts", "meetings", "escalation"),
}

# The insider scenario: these kwargs name the insider's OWN scope (their partnership, their
# organisation); every other object kwarg still points into tenant B.
INSIDER_SCOPE: dict[str, Callable[[Any], Any]] = {
    "partnership_id": lambda iso: iso.a_partnership.pk,
    "slug": lambda iso: iso.a_org.slug,
}

# Kwargs that are not object ids, so an insider route with only these (plus its own scope) has no
# foreign child to probe: choices of a fixed set, and DRF's format suffix.
NON_OBJECT_KWARGS = {"plan_part", "checklist_key", "format"}

GENERIC_LOOKUP_KWARGS = ("pk", "id")


def sample_key(route: Route, kwarg: str) -> str:
    """The SAMPLES key for one kwarg of one route (see the module docstring for the aliases)."""
    if kwarg in GENERIC_LOOKUP_KWARGS and route.basename:
        return f"{route.basename.replace('-', '_')}_id"
    if kwarg.endswith("_pk"):
        return kwarg[: -len("_pk")] + "_id"
    return kwarg


def missing_samples(route: Route) -> list[str]:
    """Human-readable problems that keep a route from being probed (empty when it can be)."""
    problems = []
    if route.name is None:
        problems.append(
            f"route {route.pattern!r} has no name: name it so the isolation suite can reverse it"
        )
    if route.positional:
        problems.append(f"route {route.label} captures unnamed groups: use named kwargs")
    for kwarg in route.kwargs:
        key = sample_key(route, kwarg)
        if key not in SAMPLES:
            alias = f" (looked up as {key!r})" if key != kwarg else ""
            problems.append(
                f"route {route.label} ({route.pattern}) has kwarg {kwarg!r}{alias} with no sample: "
                f"add a {key!r} sample to SAMPLES in tests/isolation/samples.py that points at an "
                "object of another tenant (and create that object in tests/isolation/conftest.py)"
            )
    return problems


def variants_for(route: Route) -> list[dict]:
    axes = [k for k in route.kwargs if k in VARIANTS]
    return [
        dict(zip(axes, values, strict=True)) for values in product(*(VARIANTS[a] for a in axes))
    ]


def is_insider_probe(route: Route) -> bool:
    """A route under the insider's own scope that also names a child object (of tenant B)."""
    keys = {sample_key(route, k) for k in route.kwargs}
    has_scope = any(k in INSIDER_SCOPE for k in keys)
    children = keys - set(INSIDER_SCOPE) - NON_OBJECT_KWARGS
    return has_scope and bool(children)


def build_kwargs(route: Route, iso, variant: dict, *, insider: bool = False) -> dict:
    values = {}
    for kwarg in route.kwargs:
        key = sample_key(route, kwarg)
        if insider and key in INSIDER_SCOPE:
            values[kwarg] = INSIDER_SCOPE[key](iso)
        else:
            values[kwarg] = SAMPLES[key](iso, variant)
    return values
