"""The single access rule, and what a person may do inside a partnership.

Visibility comes from `Partnership.objects.visible_to(user)` and nowhere else. `resolve_access`
turns a partnership id from a URL into a `PartnershipAccess` or raises Http404, so an object
outside someone's reach is indistinguishable from one that does not exist. Insiders who lack the
role for an action get PermissionDenied (403).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from .models import (
    MANAGING_ROLES,
    Membership,
    Participant,
    Partnership,
    Phase,
    Role,
    Side,
    managed_by,
    memo_for,
    participations_of,
)


class Action(StrEnum):
    READ = "read"  # see the partnership and what is shared in it
    PARTICIPATE = "participate"  # rate, enter measurements, write in the hub, own actions
    MANAGE = "manage"  # edit partnership, contract, communication plan, participants
    FACILITATE = "facilitate"  # run sessions, minutes, publish reports


@dataclass(frozen=True)
class PartnershipAccess:
    partnership: Partnership
    user: object
    side: str | None  # client / supplier / facilitator
    participant: Participant | None
    org_role: str | None  # the user's role in the organisation of their side

    @property
    def is_manager(self) -> bool:
        return self.side in (Side.CLIENT, Side.SUPPLIER) and self.org_role in MANAGING_ROLES

    def can(self, action: str) -> bool:
        if action == Action.READ:
            return True
        if self.partnership.phase == Phase.ENDED:
            return False  # an ended partnership is a read-only archive
        if action == Action.MANAGE:
            return self.is_manager
        if action == Action.FACILITATE:
            return self.side == Side.FACILITATOR and self.participant is not None
        if action == Action.PARTICIPATE:
            if self.side not in (Side.CLIENT, Side.SUPPLIER):
                return False  # the facilitator guides; rating and reporting are for the two sides
            if self.is_manager:
                return True
            return self.participant is not None and self.org_role != Role.VIEWER
        raise ValueError(f"Unknown action {action!r}")

    def require(self, action: str) -> None:
        if not self.can(action):
            raise PermissionDenied

    @property
    def other_side(self) -> str | None:
        return {Side.CLIENT: Side.SUPPLIER, Side.SUPPLIER: Side.CLIENT}.get(self.side)


def access_for(user, partnership: Partnership) -> PartnershipAccess:
    """What `user` may do in a partnership already known to be visible to them."""
    participant = (
        Participant.objects.filter(partnership=partnership, user=user).first()
        if user.is_authenticated
        else None
    )
    roles = dict(
        Membership.objects.filter(
            user=user, organization_id__in=[partnership.client_id, partnership.supplier_id]
        ).values_list("organization_id", "role")
    )
    return decide_access(user, partnership, participant, roles)


def decide_access(user, partnership: Partnership, participant, roles: dict) -> PartnershipAccess:
    """The rule's decision from what was read: the user's participant row (or None) and their
    roles in the partnership's two organisations ({organization_id: role})."""
    if participant is not None:
        side = participant.side
    elif roles.get(partnership.client_id) in MANAGING_ROLES:
        side = Side.CLIENT
    elif roles.get(partnership.supplier_id) in MANAGING_ROLES:
        side = Side.SUPPLIER
    else:
        side = None
    org_id = {Side.CLIENT: partnership.client_id, Side.SUPPLIER: partnership.supplier_id}.get(side)
    org_role = roles.get(org_id) if org_id and side != Side.FACILITATOR else None
    return PartnershipAccess(partnership, user, side, participant, org_role)


def resolve_access(user, partnership_id) -> PartnershipAccess:
    """Load a partnership by id through the access rule; 404 for anyone outside it."""
    try:
        partnership = Partnership.objects.visible_to(user).with_overview().get(pk=partnership_id)
    except (Partnership.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    return access_for(user, partnership)


def require_action(actor, partnership: Partnership, action: str) -> PartnershipAccess:
    """For services: the actor's access, or PermissionDenied when they may not do `action`."""
    access = access_for(actor, partnership)
    if access.side is None:
        raise PermissionDenied
    access.require(action)
    return access


def side_q(user, side: str, via: str = "") -> Q:
    """The user's side in a partnership is `side`, as `access_for` decides it: their
    participation first, else the side whose organisation they manage. A filter on partnerships
    (`via=""`) or on rows that belong to one (`via="partnership__"`), like `visible_q`, with
    subqueries that run once; it does not check visibility itself."""
    mine = participations_of(user)
    as_side = Q(**{f"{via}pk__in": mine.filter(side=side).values("partnership_id")})
    if side == Side.FACILITATOR:
        return as_side
    elsewhere = ~Q(**{f"{via}pk__in": mine.values("partnership_id")})
    manages_client = Q(**{f"{via}client_id__in": managed_by(user)})
    if side == Side.CLIENT:
        return as_side | (elsewhere & manages_client)
    manages_supplier = Q(**{f"{via}supplier_id__in": managed_by(user)})
    return as_side | (elsewhere & ~manages_client & manages_supplier)


def partnerships_where(user, action: str, side: str):
    """The partnerships in which `user`, on `side`, may do `action`: `PartnershipAccess.can`
    answered in SQL for lists across partnerships (a queryset to filter with, never a list of
    ids). `tests/partnership/test_work.py` holds it to `access_for` on the demo. Built once per
    user object (a request), each call returns a fresh clone."""
    return memo_for(user, ("where", action, side), lambda: _where(user, action, side))


def _where(user, action: str, side: str):
    # Being on a side implies seeing the partnership (a participant, or a manager of that
    # side's organisation), so the side's filter needs no visibility filter beside it.
    qs = Partnership.objects.filter(side_q(user, side))
    if action == Action.READ:
        return qs
    qs = qs.exclude(phase=Phase.ENDED)
    if action == Action.FACILITATE:
        return qs if side == Side.FACILITATOR else qs.none()
    if side not in (Side.CLIENT, Side.SUPPLIER):
        return qs.none()
    org = "client_id" if side == Side.CLIENT else "supplier_id"
    if action == Action.MANAGE:
        return qs.filter(**{f"{org}__in": managed_by(user)})
    if action == Action.PARTICIPATE:
        viewing = Membership.objects.filter(user=user, role=Role.VIEWER).values("organization_id")
        return qs.exclude(**{f"{org}__in": viewing})
    raise ValueError(f"Unknown action {action!r}")
