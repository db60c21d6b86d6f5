"""The KPI board as a table: one row per KPI per period, missing periods included."""

import csv
import io

from django.utils.translation import gettext as _

from .selectors import BoardRow


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


def to_csv(header: list[str], table: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # what Dutch and Belgian spreadsheets expect
    writer.writerow(header)
    for line in table:
        writer.writerow(["" if v is None else _csv_safe(v) for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def _csv_safe(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def to_xlsx(header: list[str], table: list[list], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "KPIs"
    sheet.append(header)
    for line in table:
        sheet.append([_csv_safe(v) for v in line])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
