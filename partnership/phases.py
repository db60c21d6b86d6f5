"""The checklist per phase (ISO 44001-inspired life of a partnership).

Items are either derived from data (`check` returns True/False) or ticked by hand (`check` is
None). Feature apps add their own items with `register` from their AppConfig.ready(), so this
ground-floor app never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Phase


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    phase: str
    label: str
    check: Callable | None = None  # partnership -> bool; None means ticked by hand


_REGISTRY: list[ChecklistItem] = []


def register(item: ChecklistItem) -> None:
    """Add an item; an item with the same key replaces the earlier one (a feature app can turn a
    hand-ticked item into a derived one)."""
    for i, existing in enumerate(_REGISTRY):
        if existing.key == item.key:
            _REGISTRY[i] = item
            return
    _REGISTRY.append(item)


def checklist_labels() -> dict[str, str]:
    return {item.key: item.label for item in _REGISTRY}


def manual_keys() -> set[str]:
    return {item.key for item in _REGISTRY if item.check is None}


@dataclass(frozen=True)
class ChecklistEntry:
    key: str
    label: str
    done: bool
    manual: bool


def checklist_for(partnership, phase: str | None = None) -> list[ChecklistEntry]:
    phase = phase or partnership.phase
    entries = []
    for item in _REGISTRY:
        if item.phase != phase:
            continue
        done = (
            item.key in partnership.checklist_done
            if item.check is None
            else bool(item.check(partnership))
        )
        entries.append(ChecklistEntry(item.key, str(item.label), done, item.check is None))
    return entries


def _plan(p):
    return getattr(p, "communication_plan", None)


def _has_contacts_both_sides(p) -> bool:
    plan = _plan(p)
    if plan is None:
        return False
    sides = {c.side for c in plan.contacts.all()}
    return {"client", "supplier"} <= sides


def _has_contract(p) -> bool:
    return p.contracts.exists()


def _has_pilot_date(p) -> bool:
    return p.contracts.filter(pilot_evaluation_date__isnull=False).exists()


def _has_vision(p) -> bool:
    return bool(p.core_values.strip() and p.future_vision.strip())


def _has_emergency_number(p) -> bool:
    plan = _plan(p)
    return bool(plan and plan.emergency_number)


def _has_meetings(p) -> bool:
    plan = _plan(p)
    return bool(plan and plan.meetings.exists())


def _has_escalation(p) -> bool:
    plan = _plan(p)
    return bool(plan and plan.escalation_steps.exists())


for _item in [
    ChecklistItem("pilot.contract", Phase.PILOT, _("Pilot contract recorded"), _has_contract),
    ChecklistItem(
        "pilot.evaluation_date", Phase.PILOT, _("Pilot evaluation date set"), _has_pilot_date
    ),
    ChecklistItem("pilot.scope", Phase.PILOT, _("Pilot scope and success criteria agreed")),
    ChecklistItem("pilot.go_no_go", Phase.PILOT, _("Go/no-go decision taken")),
    ChecklistItem(
        "kickoff.contacts", Phase.KICKOFF, _("Contacts of both sides set"), _has_contacts_both_sides
    ),
    ChecklistItem(
        "kickoff.emergency", Phase.KICKOFF, _("24/7 emergency number set"), _has_emergency_number
    ),
    ChecklistItem("kickoff.meetings", Phase.KICKOFF, _("Meeting cadences agreed"), _has_meetings),
    ChecklistItem(
        "kickoff.escalation", Phase.KICKOFF, _("Escalation ladder agreed"), _has_escalation
    ),
    ChecklistItem("kickoff.vision", Phase.KICKOFF, _("Shared vision written down"), _has_vision),
    ChecklistItem("kickoff.kpis", Phase.KICKOFF, _("KPIs agreed")),
    ChecklistItem("kickoff.indicators", Phase.KICKOFF, _("Indicator set signed off by both sides")),
    ChecklistItem("active.contract", Phase.ACTIVE, _("Current contract recorded"), _has_contract),
    ChecklistItem("active.rounds", Phase.ACTIVE, _("Quarterly review rounds running")),
    ChecklistItem("renewal.evaluation", Phase.RENEWAL, _("Evaluation before contract end held")),
    ChecklistItem("renewal.decision", Phase.RENEWAL, _("Decision on renewal taken")),
    ChecklistItem("exit.plan", Phase.EXIT, _("Exit plan with hand-over tasks and dates")),
    ChecklistItem("exit.handover", Phase.EXIT, _("Hand-over completed")),
    ChecklistItem("ended.archive", Phase.ENDED, _("Documents archived")),
]:
    register(_item)
