"""The models of review rounds, one module per subject: the round with its clock and report
(`rounds`), the facilitated session and its agenda (`sessions`), improvement actions
(`actions`). Import them from here: `from reviews.models import ReviewRound`."""

from .actions import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ActionItemQuerySet,
    ActionOrigin,
    ActionReminder,
    ActionReminderKind,
    ActionStatus,
)
from .links import LinkedRecord
from .rounds import (
    STATE_ORDER,
    Cadence,
    ReminderKind,
    ReportFile,
    ReviewRound,
    ReviewSettings,
    RoundEvent,
    RoundReminder,
    RoundState,
)
from .sessions import AgendaItem, AgendaKind, Decision, Session

__all__ = [
    "OPEN_ACTION_STATUSES",
    "STATE_ORDER",
    "ActionItem",
    "ActionItemQuerySet",
    "ActionOrigin",
    "ActionReminder",
    "ActionReminderKind",
    "ActionStatus",
    "AgendaItem",
    "AgendaKind",
    "Cadence",
    "Decision",
    "LinkedRecord",
    "ReminderKind",
    "ReportFile",
    "ReviewRound",
    "ReviewSettings",
    "RoundEvent",
    "RoundReminder",
    "RoundState",
    "Session",
]
