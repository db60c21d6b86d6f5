"""Sample values for URL kwargs, keyed by kwarg NAME.

Every sample is an object of one tenant's kit (`Kit` in conftest.py): its partnership and
children, its organisation, its user's notification or token. Pointed at tenant B they are what the
outsider and A's insider must not reach; pointed at tenant A they are the insider's own. When a
route gains a kwarg that has no entry here, the isolation suite fails and names the route and the
kwarg: add a sample below (and create its object in
`make_kit` in `tests/isolation/conftest.py`), never an exemption.

DRF routers name the lookup kwarg `pk` (or `id`); for those the sample is looked up as
`<router basename>_id`, so `api/v1/partnerships/<uuid>/contracts/<pk>/` (basename "contract") uses
the `contract_id` sample. drf-nested-routers style `kpi_pk` is looked up as `kpi_id`.
"""

from collections.abc import Callable
from itertools import product
from typing import Any

from .routes import Route

# kwarg name -> function(kit, variant) -> value. The kit is tenant B's for the outsider and
# insider probes and tenant A's for the insider's walk of their own scope. `variant` holds the
# values of the kwargs in VARIANTS for this case (e.g. {"plan_part": "meetings"}).
SAMPLES: dict[str, Callable[[Any, dict], Any]] = {
    "partnership_id": lambda kit, v: kit.partnership.pk,
    "contract_id": lambda kit, v: kit.contract.pk,
    "participant_id": lambda kit, v: kit.participant.pk,
    "notification_id": lambda kit, v: kit.notification.pk,
    "token": lambda kit, v: kit.invitation.raw_token,  # the invitation link, sent to someone else
    "slug": lambda kit, v: kit.org.slug,
    "membership_id": lambda kit, v: kit.membership.pk,
    "invitation_id": lambda kit, v: kit.invitation.pk,
    "token_id": lambda kit, v: kit.api_token.pk,  # an API token of the kit's user
    "plan_part": lambda kit, v: v["plan_part"],
    "item_id": lambda kit, v: kit.plan_items[v.get("plan_part", "contacts")].pk,
    "checklist_key": lambda kit, v: "renewal.evaluation",  # a hand-ticked item
    "format": lambda kit, v: "json",
    "kpi_id": lambda kit, v: kit.kpi.pk,
    "measurement_id": lambda kit, v: kit.measurement.pk,
    "inspection_id": lambda kit, v: kit.inspection.pk,
    "dispute_id": lambda kit, v: kit.dispute.pk,
    "proposal_id": lambda kit, v: kit.norm_proposal.pk,
    "area_id": lambda kit, v: kit.inspection.areas.get().pk,
    "photo_id": lambda kit, v: kit.inspection.areas.get().photos.get().pk,
    "sampled_room_id": lambda kit, v: kit.inspection.sampled_rooms.order_by("pk")[0].pk,
    "set_id": lambda kit, v: kit.indicator_set.pk,
    "indicator_set_id": lambda kit, v: kit.indicator_set.pk,
    "indicator_id": lambda kit, v: kit.indicator_set.indicators.first().pk,
    "survey_id": lambda kit, v: kit.survey.pk,
    "thread_id": lambda kit, v: kit.thread.pk,
    "message_id": lambda kit, v: kit.message.pk,
    "attachment_id": lambda kit, v: kit.attachment.pk,
    "document_id": lambda kit, v: kit.document.pk,
    "version_id": lambda kit, v: kit.version.pk,
    "round_id": lambda kit, v: kit.round.pk,
    "agenda_item_id": lambda kit, v: kit.agenda_item.pk,
    "decision_id": lambda kit, v: kit.decision.pk,
    "action_id": lambda kit, v: kit.action.pk,
    "room_id": lambda kit, v: kit.room.pk,
}

# Kwargs whose every value gets its own test case (and that other samples may depend on).
VARIANTS: dict[str, tuple[str, ...]] = {
    "plan_part": ("contacts", "meetings", "escalation"),
}

# The insider scenario: these kwargs name the insider's OWN scope (their partnership, their
# organisation); every other object kwarg still points into tenant B.
INSIDER_SCOPE = {"partnership_id", "slug"}

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
                "object of the kit's tenant (and create that object in make_kit, "
                "tests/isolation/conftest.py)"
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


def build_kwargs(route: Route, kit, variant: dict, *, scope_kit=None) -> dict:
    """Sample values from `kit`; with `scope_kit`, the insider's own scope kwargs come from it."""
    values = {}
    for kwarg in route.kwargs:
        key = sample_key(route, kwarg)
        source = scope_kit if scope_kit is not None and key in INSIDER_SCOPE else kit
        values[kwarg] = SAMPLES[key](source, variant)
    return values
