"""Reading and writing the spreadsheets people exchange: CSV (`;`, `,` or tab, UTF-8 with or
without a BOM, or Windows-1252 as older Excel writes it) and XLSX.

Feature imports (KPI values, the register of places) turn a table from here into their own rows;
exports write theirs with `to_csv` / `to_xlsx`, so what Tandem writes it reads back.
"""

import csv
import datetime
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@")


def cell(value) -> str:
    """A cell as text: dates as ISO dates, whole floats without ".0", empty for None."""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def read_csv(data: bytes) -> list[list]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    return list(csv.reader(io.StringIO(text), delimiter=_delimiter(text)))


def _delimiter(text: str) -> str:
    """The separator the header row uses most. The first row names the columns, so it holds no
    decimal commas or quoted text to mislead a guess over the whole file (csv.Sniffer takes
    "24,5;7" for two columns split at the comma)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    if counts[best]:
        return best
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=";,\t").delimiter
    except csv.Error:
        return ","


def read_xlsx(data: bytes) -> list[list]:
    from openpyxl import load_workbook

    from .uploads import office_type

    try:  # the package first: a zip bomb or a macro is refused before openpyxl unpacks it
        is_xlsx = office_type(io.BytesIO(data)) == "xlsx"
    except ValidationError as exc:
        if exc.code != "not_office":
            raise
        is_xlsx = False
    if not is_xlsx:
        raise ValidationError(_("This is not a readable Excel file."))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ValidationError(_("This is not a readable Excel file.")) from exc
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def read_table(data: bytes) -> list[list]:
    """The rows of a CSV or XLSX file, recognised by content (an XLSX is a zip archive)."""
    return read_xlsx(data) if data[:2] == b"PK" else read_csv(data)


def csv_safe(value):
    """Neutralise spreadsheet formulas in text cells (CSV injection)."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_unsafe(text: str) -> str:
    """What `csv_safe` wrote, read back: "'-1" is the floor "-1" again."""
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS:
        return text[1:]
    return text


def to_csv(header: list[str], table: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")  # what Dutch and Belgian spreadsheets expect
    writer.writerow(header)
    for line in table:
        writer.writerow(["" if v is None else csv_safe(v) for v in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel then reads UTF-8


def to_xlsx(header: list[str], table: list[list], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31] or "Sheet"
    sheet.append(header)
    for line in table:
        sheet.append([csv_safe(v) for v in line])
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
