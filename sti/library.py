"""The library of cooperation indicators a workshop starts from.

Each entry has a generic description and example behaviours; the partnership then writes what the
indicator means *here*. Texts are translated through the catalogues, so the library reads in the
user's language.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class LibraryIndicator:
    key: str
    name: str
    description: str
    behaviours: tuple[str, ...]

    def behaviours_text(self) -> str:
        return "\n".join(str(b) for b in self.behaviours)


LIBRARY: tuple[LibraryIndicator, ...] = (
    LibraryIndicator(
        "proactivity",
        _("Pro-activity"),
        _("Signals problems and opportunities before being asked and comes with proposals."),
        (
            _("Reports a risk before it becomes a complaint"),
            _("Proposes improvements without being asked"),
            _("Thinks ahead about peaks, holidays and events"),
        ),
    ),
    LibraryIndicator(
        "openness",
        _("Openness"),
        _("Shares information honestly, also when it is unwelcome, and admits mistakes."),
        (
            _("Tells bad news early"),
            _("Shares figures and inspection results without being asked"),
            _("Explains the reasons behind decisions"),
        ),
    ),
    LibraryIndicator(
        "reachability",
        _("Reachability"),
        _("Can be reached through the agreed channels and answers within the agreed time."),
        (
            _("Answers questions within the agreed response time"),
            _("Has a stand-in during absence"),
            _("The emergency number is always answered"),
        ),
    ),
    LibraryIndicator(
        "reliability",
        _("Reliability"),
        _("Delivers the agreed quality consistently and can be counted on."),
        (
            _("Quality does not depend on who is on duty"),
            _("Reports are complete and on time"),
            _("Figures can be trusted"),
        ),
    ),
    LibraryIndicator(
        "flexibility",
        _("Flexibility"),
        _("Adapts to changing circumstances and requests within reason."),
        (
            _("Handles an extra request at short notice"),
            _("Looks for a solution instead of pointing at the contract"),
            _("Adjusts schedules when the building's use changes"),
        ),
    ),
    LibraryIndicator(
        "knowledge_sharing",
        _("Knowledge sharing"),
        _("Shares expertise, market developments and lessons learned."),
        (
            _("Brings in innovations from other clients or the market"),
            _("Explains the technical background of a choice"),
            _("Shares lessons learned after an incident"),
        ),
    ),
    LibraryIndicator(
        "keeping_agreements",
        _("Keeping agreements"),
        _("Does what was agreed, on time, and reports back when something cannot be done."),
        (
            _("Actions from meetings are done by their due date"),
            _("Says so in time when an agreement cannot be kept"),
            _("Follows the agreed procedures and channels"),
        ),
    ),
    LibraryIndicator(
        "customer_focus",
        _("Customer focus"),
        _("Understands what matters to the end users and acts on it."),
        (
            _("Knows the building's users and their needs"),
            _("Staff are friendly and helpful to visitors and patients"),
            _("Handles complaints from the end user's point of view"),
        ),
    ),
    LibraryIndicator(
        "collaboration",
        _("Collaboration"),
        _("Works as one team towards the shared goals rather than as two parties."),
        (
            _("Thinks along about the other side's problems"),
            _("Shares successes and setbacks"),
            _("Prepares meetings together"),
        ),
    ),
    LibraryIndicator(
        "decisiveness",
        _("Decisiveness"),
        _("Takes decisions and follows up quickly when action is needed."),
        (
            _("Escalates in time to the right level"),
            _("Decisions are taken in the agreed meeting, not postponed"),
            _("Acts immediately on an incident"),
        ),
    ),
)

BY_KEY = {item.key: item for item in LIBRARY}
