"""The KPI board as a table: one row per KPI per period, missing periods included."""

from django.utils.translation import gettext as _

from partnership.tabular import to_csv, to_xlsx

from .selectors import BoardRow

__all__ = ["board_table", "to_csv", "to_xlsx"]


def board_table(rows: list[BoardRow]) -> tuple[list[str], list[list]]:
    header = [
        _("KPI"),
        _("Period"),
        _("Value"),
        _("Unit"),
        _("Status"),
        _("Target"),
        _("Tolerance"),
        _("Direction"),
        _("Source"),
    ]
    table = []
    for row in rows:
        kpi = row.kpi
        for entry in row.history:
            table.append(
                [
                    kpi.name,
                    entry.period.label,
                    entry.value,
                    kpi.unit,
                    entry.status.label,
                    kpi.target,
                    kpi.tolerance,
                    kpi.get_direction_display(),
                    kpi.get_source_display(),
                ]
            )
    return header, table
