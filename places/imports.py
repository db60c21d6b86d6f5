"""The register as a spreadsheet: reading a CAFM export into rows for `rooms_import`, and
writing the rooms in use with the same columns, so an export imported again changes nothing.

The first row names the columns, in Dutch or English, any order, whatever the page's language
(`COLUMNS` holds the spellings CAFM systems use besides our own headers). Row numbers in errors
are the file's own: row 2 is the first room. A column the file does not have leaves that value
of existing rooms as it is (a file without cleaning frequencies keeps the stored ones).
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import formats, translation
from django.utils.translation import gettext_lazy as _

from partnership.tabular import cell, csv_unsafe, read_table

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
HEADER_ROWS = 1

# The headers of the template and the export, translated; every language's spelling is
# accepted on upload.
HEADERS = {
    "site": _("Site"),
    "site_name": _("Site name"),
    "building": _("Building"),
    "building_name": _("Building name"),
    "floor": _("Floor"),
    "code": _("Room code"),
    "name": _("Name"),
    "area_type": _("Area type"),
    "floor_area": _("Floor area (m²)"),
    "cleaning_frequency": _("Cleanings per week"),
}
COLUMNS = {
    "site": {"site", "site code", "locatie", "locatiecode", "complex", "complexcode"},
    "site_name": {"site name", "locatienaam", "complexnaam"},
    "building": {"building", "building code", "gebouw", "gebouwcode", "pand"},
    "building_name": {"building name", "gebouwnaam", "pandnaam"},
    "floor": {"floor", "level", "storey", "verdieping", "bouwlaag", "etage"},
    "code": {"room code", "room", "room number", "ruimtecode", "ruimte", "ruimtenummer"},
    "name": {"name", "room name", "description", "naam", "ruimtenaam", "omschrijving"},
    "area_type": {"area type", "room type", "ruimtesoort", "ruimtetype", "ruimtefunctie"},
    "floor_area": {"floor area", "area", "m2", "m²", "vloeroppervlak", "oppervlakte", "vvo"},
    "cleaning_frequency": {
        "cleaning frequency",
        "cleanings per week",
        "frequency",
        "schoonmaakfrequentie",
        "frequentie",
        "schoonmaakbeurten per week",
    },
}
REQUIRED = ("site", "building", "floor", "code", "area_type", "floor_area")


def headers() -> list[str]:
    """The columns in the current language, in the order the template and the export use."""
    return [str(label) for label in HEADERS.values()]


def _normal(name) -> str:
    """A header as compared: lower case, without a unit in brackets, single spaces."""
    name = re.sub(r"\(.*?\)", " ", str(name or "").lower())
    return " ".join(name.replace("_", " ").split())


def _aliases() -> dict[str, set[str]]:
    aliases = {field: {_normal(n) for n in names} for field, names in COLUMNS.items()}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for field, label in HEADERS.items():
                aliases[field].add(_normal(label))
    return aliases


def _column_map(header: list) -> dict[str, int]:
    names = [_normal(h) for h in header]
    found = {}
    for field, aliases in _aliases().items():
        for index, name in enumerate(names):
            if name in aliases and index not in found.values():
                found[field] = index
                break
    missing = [str(HEADERS[f]) for f in REQUIRED if f not in found]
    if missing:
        raise ValidationError(
            _("The first row must name the columns %(columns)s (missing: %(missing)s).")
            % {
                "columns": ", ".join(str(HEADERS[f]) for f in REQUIRED),
                "missing": ", ".join(missing),
            }
        )
    return found


def read_rooms(upload) -> list[tuple[int, dict]]:
    """(file row number, {field: text}) for every non-blank row of an uploaded CSV or XLSX."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    table = read_table(upload.read())
    if not table:
        raise ValidationError(_("The file is empty."))
    columns = _column_map(table[0])
    rows = []
    for number, line in enumerate(table[HEADER_ROWS:], start=HEADER_ROWS + 1):
        texts = {f: csv_unsafe(cell(line[i])) if i < len(line) else "" for f, i in columns.items()}
        if any(texts.values()):
            rows.append((number, texts))
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("The file lists %(n)s rooms; at most %(max)s can be imported at once.")
            % {"n": len(rows), "max": MAX_ROWS}
        )
    return rows


def _number(value: Decimal | None, *, for_csv: bool):
    """A stored number as the file gets it: without trailing zeros; in a CSV with the
    language's decimal separator (Dutch spreadsheets read "12,5"), in XLSX as a number."""
    if value is None:
        return ""
    value = value.normalize()
    if value == value.to_integral():
        value = value.quantize(Decimal(1))
    if not for_csv:
        return value
    return formats.number_format(value, use_l10n=True)


def room_table(rooms, *, for_csv: bool) -> tuple[list[str], list[list]]:
    """The rooms (with floor, building and site selected) as rows of the export."""
    rows = [
        [
            room.floor.building.site.code,
            room.floor.building.site.name,
            room.floor.building.code,
            room.floor.building.name,
            room.floor.code,
            room.code,
            room.name,
            str(room.get_area_type_display()),
            _number(room.floor_area, for_csv=for_csv),
            _number(room.cleaning_frequency, for_csv=for_csv),
        ]
        for room in rooms
    ]
    return headers(), rows


def template_table() -> tuple[list[str], list[list]]:
    """The import template: the headers and two example rooms."""
    examples = [
        ["SL", "Sint-Lucas", "HG", "Hoofdgebouw", "2", "HG.2.114", "Patiëntenkamer 114"],
        ["SL", "Sint-Lucas", "HG", "Hoofdgebouw", "2", "HG.2.115", "Toilet bezoekers"],
    ]
    from .models import AreaType

    figures = [
        [str(AreaType.PATIENT_ROOM.label), "24,5", "7"],
        [str(AreaType.SANITARY.label), "4,2", "14"],
    ]
    return headers(), [e + f for e, f in zip(examples, figures, strict=True)]
