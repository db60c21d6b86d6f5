"""A KPI's norm (target, tolerance, weight) is a contract term that both sides agree on.

A manager of one side who changes the norm proposes it; a manager of the other side accepts
(the change applies in the same transaction) or rejects it, with an optional reason. The
proposing side may withdraw its proposal. One open proposal per KPI (a partial unique index).
Both the proposal and the decision stay in the KPI's audit trail and on the KPI page.
"""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, require_action
from partnership.models import MANAGING_ROLES, Partnership, Side
from partnership.notifications import notify

from .models import KPI, NORM_FIELDS, NormProposal, ProposalState


def _kpi_url(kpi: KPI) -> str:
    return reverse("kpis:detail", kwargs={"partnership_id": kpi.partnership_id, "kpi_id": kpi.pk})


def managers_of_side(*, partnership: Partnership, side: str):
    """Active admins and managers of one side's organisation: who decides for that side."""
    org_id = {Side.CLIENT: partnership.client_id, Side.SUPPLIER: partnership.supplier_id}[side]
    return get_user_model().objects.filter(
        is_active=True,
        memberships__organization_id=org_id,
        memberships__role__in=MANAGING_ROLES,
    )


def _other(side: str) -> str:
    return Side.SUPPLIER if side == Side.CLIENT else Side.CLIENT


NORM_BODY = _(
    "Target %(old_target)s → %(target)s, tolerance %(old_tolerance)s → %(tolerance)s, "
    "weight %(old_weight)s → %(weight)s."
)


def _norm_params(proposal: NormProposal) -> dict:
    """The proposal's figures as numbers, so each recipient reads them in their own format."""
    params = {"kpi": proposal.kpi.name, "reason": proposal.decision_reason}
    for field in NORM_FIELDS:
        params[field] = getattr(proposal, field)
        params[f"old_{field}"] = getattr(proposal, f"old_{field}")
    return params


def norm_changes(kpi: KPI, fields: dict) -> dict[str, Decimal]:
    """The norm fields among `fields` whose value differs from the KPI's."""
    return {
        name: Decimal(fields[name])
        for name in NORM_FIELDS
        if fields.get(name) is not None and Decimal(fields[name]) != getattr(kpi, name)
    }


def norm_propose(*, actor, kpi: KPI, reason: str = "", **norm) -> NormProposal:
    """Propose new norm values to the other side. Runs inside the caller's transaction
    (`kpi_update`) or its own. The actor's side's own open proposal is replaced; the other
    side's must be decided first."""
    with transaction.atomic():
        access = require_action(actor, kpi.partnership, Action.MANAGE)
        if access.side not in (Side.CLIENT, Side.SUPPLIER):
            raise PermissionDenied
        locked = KPI.objects.select_for_update().get(pk=kpi.pk)
        current = (
            NormProposal.objects.select_for_update()
            .filter(kpi=locked, state=ProposalState.OPEN)
            .first()
        )
        if current is not None and current.side != access.side:
            raise ValidationError(
                _(
                    "The other side has proposed a norm change for this KPI; accept or reject "
                    "it before proposing another."
                )
            )
        values = {f: Decimal(norm.get(f, getattr(locked, f))) for f in NORM_FIELDS}
        if values["tolerance"] < 0:
            raise ValidationError({"tolerance": _("The tolerance cannot be negative.")})
        if values["weight"] <= 0:
            raise ValidationError({"weight": _("The weight must be more than zero.")})
        if all(values[f] == getattr(locked, f) for f in NORM_FIELDS):
            raise ValidationError(_("The proposal changes nothing in the norm."))
        if current is not None:  # a newer proposal of the same side replaces it
            current.state, current.decided_by = ProposalState.WITHDRAWN, actor
            current.decided_at = timezone.now()
            current.save()
        proposal = NormProposal(
            kpi=locked,
            side=access.side,
            proposed_by=actor,
            reason=(reason or "").strip(),
            **{f"old_{f}": getattr(locked, f) for f in NORM_FIELDS},
            **values,
        )
        proposal.full_clean(exclude=["kpi", "proposed_by"])
        try:
            with transaction.atomic():
                proposal.save()
        except IntegrityError:  # a concurrent proposal of the other side won
            raise ValidationError(
                _("Another norm change for this KPI was proposed at the same moment.")
            ) from None
        notify(
            users=managers_of_side(partnership=kpi.partnership, side=_other(access.side)),
            kind="kpis.norm_proposed",
            title=_("Norm change proposed for %(kpi)s: accept or reject it"),
            body=NORM_BODY,
            params=_norm_params(proposal),
            url=_kpi_url(locked),
            partnership=kpi.partnership,
        )
        return proposal


def _decidable(actor, proposal: NormProposal) -> NormProposal:
    access = require_action(actor, proposal.kpi.partnership, Action.MANAGE)
    locked = NormProposal.objects.select_for_update().select_related("kpi").get(pk=proposal.pk)
    if not locked.is_open:
        raise ValidationError(_("This proposal has already been decided."))
    if access.side != _other(locked.side):
        raise PermissionDenied(_("A manager of the other side decides on this proposal."))
    return locked


def _decided(actor, proposal: NormProposal, state: str, reason: str) -> None:
    proposal.state, proposal.decided_by, proposal.decided_at = state, actor, timezone.now()
    proposal.decision_reason = (reason or "").strip()
    proposal.save()
    title = (
        _("Your norm change for %(kpi)s was accepted")
        if state == ProposalState.ACCEPTED
        else _("Your norm change for %(kpi)s was rejected")
    )
    body = (
        _(
            "Target %(old_target)s → %(target)s, tolerance %(old_tolerance)s → %(tolerance)s, "
            "weight %(old_weight)s → %(weight)s. Reason: %(reason)s"
        )
        if proposal.decision_reason
        else NORM_BODY
    )
    notify(
        users=[proposal.proposed_by],
        kind=f"kpis.norm_{state}",
        title=title,
        body=body,
        params=_norm_params(proposal),
        url=_kpi_url(proposal.kpi),
        partnership=proposal.kpi.partnership,
    )


@transaction.atomic
def norm_proposal_accept(*, actor, proposal: NormProposal, reason: str = "") -> NormProposal:
    """The other side's manager accepts: the KPI takes the proposed norm now."""
    proposal = _decidable(actor, proposal)
    kpi = KPI.objects.select_for_update().get(pk=proposal.kpi_id)
    for field in NORM_FIELDS:
        setattr(kpi, field, getattr(proposal, field))
    kpi._change_reason = f"norm proposal {proposal.pk} accepted"
    kpi.full_clean(exclude=["partnership"])
    kpi.save()
    proposal.kpi = kpi
    _decided(actor, proposal, ProposalState.ACCEPTED, reason)
    return proposal


@transaction.atomic
def norm_proposal_reject(*, actor, proposal: NormProposal, reason: str = "") -> NormProposal:
    proposal = _decidable(actor, proposal)
    _decided(actor, proposal, ProposalState.REJECTED, reason)
    return proposal


@transaction.atomic
def norm_proposal_withdraw(*, actor, proposal: NormProposal) -> NormProposal:
    """The proposing side takes its proposal back (nobody is notified: nothing changed)."""
    access = require_action(actor, proposal.kpi.partnership, Action.MANAGE)
    locked = NormProposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_open:
        raise ValidationError(_("This proposal has already been decided."))
    if access.side != locked.side:
        raise PermissionDenied(_("Only the proposing side can withdraw this proposal."))
    locked.state, locked.decided_by, locked.decided_at = (
        ProposalState.WITHDRAWN,
        actor,
        timezone.now(),
    )
    locked.save()
    return locked


def can_decide(access, proposal: NormProposal | None) -> bool:
    return bool(
        proposal is not None
        and proposal.is_open
        and access.can(Action.MANAGE)
        and access.side == _other(proposal.side)
    )


def can_withdraw(access, proposal: NormProposal | None) -> bool:
    return bool(
        proposal is not None
        and proposal.is_open
        and access.can(Action.MANAGE)
        and access.side == proposal.side
    )
