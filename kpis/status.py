"""The one function that says whether a KPI value is on target.

Pages, the API, exports, reports and alerts all call `kpi_status`; nothing else compares a value
with a target.
"""

from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Status(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    MISSING = "missing"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.GREEN: _("On target"),
    Status.AMBER: _("Within tolerance"),
    Status.RED: _("Off target"),
    Status.MISSING: _("Missing"),
}

HIGHER = "higher"
LOWER = "lower"


def kpi_status(
    value: Decimal | None, *, target: Decimal, tolerance: Decimal, direction: str
) -> Status:
    """Green when the value meets the target, amber within `tolerance` of it, red beyond.

    `direction` says which way is better: "higher" (a pass rate) or "lower" (complaints). A
    missing value is `missing`, never a zero.
    """
    if value is None:
        return Status.MISSING
    value, target, tolerance = Decimal(value), Decimal(target), abs(Decimal(tolerance))
    shortfall = target - value if direction == HIGHER else value - target
    if shortfall <= 0:
        return Status.GREEN
    if shortfall <= tolerance:
        return Status.AMBER
    return Status.RED
