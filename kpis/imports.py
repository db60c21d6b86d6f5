"""Reading a CSV or XLSX file of measurements into rows for `measurements_bulk_upsert`.

The first row names the columns (KPI, period, value, note — in English or Dutch, any order,
whatever the page's language); row numbers in errors are the file's own, so row 2 is the first
value. `template_table` is the downloadable template, its headers in the current language.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from partnership.tabular import cell, read_table

MAX_BYTES = 2 * 1024 * 1024
HEADER_ROWS = 1
COLUMNS = {
    "kpi": {"kpi", "kpi name", "naam", "indicator"},
    "period": {"period", "periode", "maand", "month", "quarter", "kwartaal"},
    "value": {"value", "waarde"},
    "note": {"note", "notes", "toelichting", "opmerking"},
}
# The headers of the template, translated; every language's spelling is accepted on upload.
HEADERS = {"kpi": _("KPI"), "period": _("Period"), "value": _("Value"), "note": _("Note")}


def headers() -> list[str]:
    """The template's column names in the current language."""
    return [str(label) for label in HEADERS.values()]


def _aliases() -> dict[str, set[str]]:
    aliases = {field: set(names) for field, names in COLUMNS.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for field, label in HEADERS.items():
                aliases[field].add(str(label).strip().lower())
    return aliases


def _column_map(header: list) -> dict[str, int]:
    names = [str(h or "").strip().lower() for h in header]
    found = {}
    for field, aliases in _aliases().items():
        for index, name in enumerate(names):
            if name in aliases:
                found[field] = index
                break
    missing = [str(HEADERS[f]) for f in ("kpi", "period", "value") if f not in found]
    if missing:
        raise ValidationError(
            _(
                "The first row must name the columns %(kpi)s, %(period)s and %(value)s "
                "(missing: %(cols)s)."
            )
            % {**{f: str(HEADERS[f]) for f in HEADERS}, "cols": ", ".join(missing)}
        )
    return found


def _rows(table: list[list]) -> list[dict]:
    if not table:
        raise ValidationError(_("The file is empty."))
    columns = _column_map(table[0])
    rows = []
    for line in table[HEADER_ROWS:]:
        if not any(cell(v) for v in line):
            rows.append(None)  # keep numbering; blank lines are skipped below
            continue
        rows.append({f: cell(line[i]) if i < len(line) else "" for f, i in columns.items()})
    return rows


def read_measurements(upload) -> list[tuple[int, dict]]:
    """(file row number, row) for every non-blank row of an uploaded CSV or XLSX file."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 2 MB."))
    table = read_table(upload.read())
    rows = _rows(table)
    return [(n + HEADER_ROWS + 1, row) for n, row in enumerate(rows) if row is not None]


def template_table(kpis, periods: dict) -> tuple[list[str], list[list]]:
    """The import template: headers in the current language and a row per KPI the user
    reports, with the latest ended period (`periods`: frequency -> Period) and no value yet."""
    rows = [[kpi.name, periods[kpi.frequency].label, "", ""] for kpi in kpis]
    return headers(), rows
