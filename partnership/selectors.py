"""Reads that need scoping: each takes its scope as an argument and runs a fixed number of
queries."""

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce

from .models import (
    Contract,
    Invitation,
    Membership,
    Notification,
    Participant,
    Partnership,
    Role,
)


def filter_services_contains(qs: QuerySet, service: str) -> QuerySet:
    """Partnerships offering `service`: the one place where JSON lookups differ per database."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return qs.filter(services__contains=[service])
    return qs.filter(services__icontains=f'"{service}"')


def partnerships_for_user(*, user, phase: str = "", service: str = "", q: str = "") -> QuerySet:
    """The partnerships `user` can see, by title, with their latest contract's end and number
    of participants. Both are correlated subqueries, which PostgreSQL evaluates only for the
    rows of the page (past the sort and limit), so a page of 12 out of 1,000 costs 12."""
    latest_contract = Contract.objects.filter(partnership=OuterRef("pk")).order_by("-end_date")
    participants = (
        Participant.objects.filter(partnership=OuterRef("pk"))
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        Partnership.objects.visible_to(user)
        .with_overview()
        .annotate(
            contract_end=Subquery(latest_contract.values("end_date")[:1]),
            participant_count=Coalesce(Subquery(participants[:1]), 0),
        )
        .order_by("title")
    )
    if phase:
        qs = qs.filter(phase=phase)
    if service:
        qs = filter_services_contains(qs, service)
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(client__name__icontains=q) | Q(supplier__name__icontains=q)
        )
    return qs


def my_sides(*, user, partnerships) -> dict:
    """partnership id -> the user's side in it, for a page of partnerships (one query)."""
    ids = [p.pk for p in partnerships]
    sides = dict(
        Participant.objects.filter(user=user, partnership_id__in=ids).values_list(
            "partnership_id", "side"
        )
    )
    managed = set(
        Membership.objects.filter(user=user, role__in=[Role.ADMIN, Role.MANAGER]).values_list(
            "organization_id", flat=True
        )
    )
    for p in partnerships:
        if p.pk not in sides:
            sides[p.pk] = "client" if p.client_id in managed else "supplier"
    return sides


def partnership_overview(*, partnership: Partnership) -> Partnership:
    """The partnership with everything its overview page shows, prefetched onto the instance
    the access rule loaded (`resolve_access` selects its organisations and plan already), so
    the page does not load the partnership twice."""
    if not _has_overview(partnership):
        partnership = Partnership.objects.with_overview().get(pk=partnership.pk)
    prefetch_related_objects(
        [partnership],
        "communication_plan__contacts",
        "communication_plan__meetings",
        "communication_plan__escalation_steps",
        Prefetch("participants", queryset=Participant.objects.select_related("user")),
        "contracts",
    )
    return partnership


def _has_overview(partnership: Partnership) -> bool:
    state = partnership._state.fields_cache
    return all(name in state for name in ("client", "supplier", "communication_plan"))


def participants_for_partnership(*, partnership: Partnership) -> QuerySet:
    """The people taking part now."""
    return Participant.objects.filter(partnership=partnership).select_related("user")


def participants_with_former(*, partnership: Partnership) -> QuerySet:
    """The people taking part, then the former participants kept for the record."""
    return (
        Participant.including_former.filter(partnership=partnership)
        .select_related("user")
        .order_by(F("deactivated_at").asc(nulls_first=True), "side", "user__email")
    )


def open_invitations_for_partnership(*, partnership: Partnership) -> QuerySet:
    """Invitations that bring someone into this partnership and are still waiting."""
    return (
        Invitation.objects.filter(partnership=partnership)
        .pending()
        .select_related("organization", "invited_by")
    )


def contracts_for_partnership(*, partnership: Partnership) -> QuerySet:
    return Contract.objects.filter(partnership=partnership)


def notifications_for_user(*, user) -> QuerySet:
    return Notification.objects.filter(user=user).select_related("partnership")
