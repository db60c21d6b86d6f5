"""Changes to the register of places: a room created, changed, retired or reinstated, and a whole
register imported at once.

The register is the client's: its estate, exported from its CAFM system. Only the client's
managers (admins and managers of the client organisation) change it; everyone in the partnership
reads it. Nothing is ever deleted: inspections, threads and feedback point at rooms, so a room the
client no longer lists is retired (it leaves the lists and the samples, and keeps its history) and
reinstated when it is listed again.

Every function checks its input itself (`clean_room`, shared by the form and the import), runs in
one transaction, and raises ValidationError with the field (or `RowErrors` with the file's row
numbers) so the page and the API show the message where it belongs.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from partnership.access import Action, PartnershipAccess, require_action
from partnership.inputs import machine_number
from partnership.models import Partnership, Side

from .models import AreaType, Building, Floor, Room, Site

ROOM_FIELDS = ("floor", "name", "area_type", "floor_area", "cleaning_frequency")
MAX_FLOOR_AREA = Decimal("9999999.99")
MAX_FREQUENCY = Decimal("999.99")
CENT = Decimal("0.01")


class RowErrors(ValidationError):
    """Rows of an import that are wrong: {row number: {field: [messages]}}; nothing was written."""

    def __init__(self, rows: dict[int, dict[str, list[str]]]):
        self.rows = dict(sorted(rows.items()))
        super().__init__(_("Some rows are wrong; nothing was written."), code="row_errors")


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    reinstated: int
    retired: int
    unchanged: int


def can_edit_register(access: PartnershipAccess) -> bool:
    """The register is the client's: its managers keep it, in a partnership not yet ended."""
    return access.side == Side.CLIENT and access.can(Action.MANAGE)


def register_edit_require(actor, partnership: Partnership) -> PartnershipAccess:
    access = require_action(actor, partnership, Action.MANAGE)
    if access.side != Side.CLIENT:
        raise PermissionDenied(_("The register of places is kept by the client's managers."))
    return access


# --- checking one room's values ---------------------------------------------------------------


def area_type_names() -> dict[str, str]:
    """Every spelling of an area type a file may use, lower case → value: the values and the
    labels in each language."""
    names = {value: value for value in AreaType.values}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for value, label in AreaType.choices:
                names[str(label).strip().lower()] = value
    return names


def parse_decimal(text) -> Decimal:
    """A number as people type it: "12,5", "12.5", "1.234,5", "1,234.5", "12,5 m²"."""
    if isinstance(text, (int, float, Decimal)):
        return Decimal(str(text))
    text = machine_number(re.sub(r"\s|m²|m2", "", str(text)))  # the last separator is decimal
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None
    if not value.is_finite():
        raise ValueError(text)
    return value


def _number(raw, *, maximum: Decimal) -> Decimal:
    """A positive number of at most `maximum`, rounded to cents; ValidationError otherwise."""
    try:
        value = parse_decimal(raw)
    except ValueError:
        raise ValidationError(_("Enter a number, such as 12,5.")) from None
    if value <= 0:
        raise ValidationError(_("Enter a number greater than 0."))
    if value > maximum:
        raise ValidationError(_("Enter at most %(max)s.") % {"max": maximum})
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _text(raw, *, max_length: int, required: bool) -> str:
    text = "" if raw is None else str(raw).strip()
    if required and not text:
        raise ValidationError(_("This field is required."))
    if len(text) > max_length:
        raise ValidationError(
            _("At most %(max)s characters (this one has %(n)s).")
            % {"max": max_length, "n": len(text)}
        )
    return text


_TEXTS = {  # field -> (max length, required)
    "site": (40, True),
    "site_name": (200, False),
    "building": (40, True),
    "building_name": (200, False),
    "floor": (20, True),
    "code": (40, True),
    "name": (200, False),
}


def clean_room(data: dict, names: dict[str, str] | None = None) -> dict:
    """The checked values of one room from text (a form's or a file's row). Only the keys
    present in `data` are checked and returned, so a file without a column leaves that value
    as it is. Raises ValidationError({field: [messages]}) naming every wrong field."""
    values, errors = {}, {}
    for field, raw in data.items():
        try:
            values[field] = _clean_field(field, raw, names)
        except ValidationError as exc:
            errors[field] = exc.messages
    for field in ("site", "building", "floor", "code", "area_type", "floor_area"):
        if field not in data and field not in errors:
            errors[field] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    return values


def _clean_field(field: str, raw, names):
    if field in _TEXTS:
        max_length, required = _TEXTS[field]
        return _text(raw, max_length=max_length, required=required)
    if field == "area_type":
        text = _text(raw, max_length=100, required=True).lower()
        value = (names or area_type_names()).get(text)
        if value is None:
            raise ValidationError(
                _("Unknown area type “%(value)s”; use one of: %(types)s.")
                % {"value": raw, "types": ", ".join(str(label) for label in AreaType.labels)}
            )
        return value
    if field == "floor_area":
        if raw in (None, ""):
            raise ValidationError(_("This field is required."))
        return _number(raw, maximum=MAX_FLOOR_AREA)
    if field == "cleaning_frequency":
        if raw in (None, ""):
            return None
        return _number(raw, maximum=MAX_FREQUENCY)
    raise ValueError(f"Unknown room field {field!r}")


# --- one room ------------------------------------------------------------------------------


def _floor_for(partnership: Partnership, values: dict) -> Floor:
    """The floor the values name, with its building and site found by code or made."""
    site, _created = Site.objects.get_or_create(
        partnership=partnership,
        code=values["site"],
        defaults={"name": values.get("site_name") or values["site"]},
    )
    building, created = Building.objects.get_or_create(
        partnership=partnership,
        code=values["building"],
        defaults={"site": site, "name": values.get("building_name") or values["building"]},
    )
    if not created and building.site_id != site.pk:
        building.site = site  # the building moved to another site in the client's records
        building.save(update_fields=["site"])
    floor, _created = Floor.objects.get_or_create(
        partnership=partnership, building=building, code=values["floor"]
    )
    return floor


def _code_free(partnership: Partnership, code: str, room: Room | None) -> None:
    taken = Room.objects.filter(partnership=partnership, code=code)
    if room is not None:
        taken = taken.exclude(pk=room.pk)
    if taken.exists():
        raise ValidationError(
            {"code": _("Another room already has the code %(code)s.") % {"code": code}}
        )


@transaction.atomic
def room_create(*, actor, partnership: Partnership, data: dict) -> Room:
    register_edit_require(actor, partnership)
    values = clean_room(data)
    _code_free(partnership, values["code"], None)
    return Room.objects.create(
        partnership=partnership,
        floor=_floor_for(partnership, values),
        code=values["code"],
        name=values.get("name", ""),
        area_type=values["area_type"],
        floor_area=values["floor_area"],
        cleaning_frequency=values.get("cleaning_frequency"),
        updated_by=actor,
    )


@transaction.atomic
def room_update(*, actor, room: Room, data: dict) -> Room:
    """Change a room: its code too (the CAFM system renumbered it) and its place."""
    register_edit_require(actor, room.partnership)
    room = Room.objects.select_for_update().get(pk=room.pk)
    values = clean_room(data)
    _code_free(room.partnership, values["code"], room)
    room.floor = _floor_for(room.partnership, values)
    room.code = values["code"]
    for field in ("name", "area_type", "floor_area", "cleaning_frequency"):
        if field in values:
            setattr(room, field, values[field])
    room.updated_by = actor
    room.save()
    return room


@transaction.atomic
def room_retire(*, actor, room: Room) -> Room:
    """Take a room off the register; it keeps its history and what points at it."""
    register_edit_require(actor, room.partnership)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.retired_at is not None:
        raise ValidationError(_("This room is already retired."))
    room.retired_at, room.updated_by = timezone.now(), actor
    room.save(update_fields=["retired_at", "updated_by", "updated_at"])
    return room


@transaction.atomic
def room_reinstate(*, actor, room: Room) -> Room:
    register_edit_require(actor, room.partnership)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.retired_at is None:
        raise ValidationError(_("This room is in use already."))
    room.retired_at, room.updated_by = None, actor
    room.save(update_fields=["retired_at", "updated_by", "updated_at"])
    return room


# --- a whole register ------------------------------------------------------------------------


def rooms_check(rows: list[tuple[int, dict]]) -> list[tuple[int, dict]]:
    """Every row checked, with the file's row numbers: (number, values), or RowErrors listing
    every wrong row and field. A room code twice in one file is an error on the later rows, and
    a building is on one site."""
    names = area_type_names()
    checked, errors, first_row, site_of = [], {}, {}, {}
    for number, data in rows:
        try:
            values = clean_room(data, names)
        except ValidationError as exc:
            errors[number] = exc.message_dict
            continue
        row_errors = {}
        code = values["code"]
        if code in first_row:
            row_errors["code"] = [
                _("The room code %(code)s is also on row %(row)s.")
                % {"code": code, "row": first_row[code]}
            ]
        else:
            first_row[code] = number
        building, site = values["building"], values["site"]
        if site_of.setdefault(building, (site, number))[0] != site:
            first_site, row = site_of[building]
            row_errors["site"] = [
                _("Building %(building)s is on site %(site)s on row %(row)s.")
                % {"building": building, "site": first_site, "row": row}
            ]
        if row_errors:
            errors[number] = row_errors
        else:
            checked.append((number, values))
    if errors:
        raise RowErrors(errors)
    if not checked:
        raise ValidationError(_("The file lists no rooms."))
    return checked


@transaction.atomic
def rooms_import(
    *, actor, partnership: Partnership, rows: list[tuple[int, dict]], retire_missing: bool = True
) -> ImportResult:
    """The register as the rows list it, all or nothing: rooms updated by code, new codes added,
    retired rooms listed again reinstated and — with `retire_missing` (a whole register, as an
    import from the CAFM system is) — the rooms in use the rows no longer list retired. A fixed
    number of queries however many rows."""
    register_edit_require(actor, partnership)
    checked = [values for _number, values in rooms_check(rows)]
    # One import at a time per partnership, so two uploads cannot both add the same code.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    floors = _places_for(partnership, checked)
    existing = {room.code: room for room in Room.objects.filter(partnership=partnership)}
    now = timezone.now()
    new, changed, reinstated, unchanged = [], [], 0, 0
    for values in checked:
        room = existing.get(values["code"])
        wanted = {
            "floor_id": floors[(values["building"], values["floor"])].pk,
            **{f: values[f] for f in ROOM_FIELDS[1:] if f in values},
        }
        if room is None:
            new.append(
                Room(partnership=partnership, code=values["code"], updated_by=actor, **wanted)
            )
            continue
        differs = any(getattr(room, f) != v for f, v in wanted.items())
        if room.retired_at is not None:
            reinstated += 1
        elif not differs:
            unchanged += 1
            continue
        for field, value in wanted.items():
            setattr(room, field, value)
        room.retired_at, room.updated_by, room.updated_at = None, actor, now
        changed.append(room)
    listed = {values["code"] for values in checked}
    retiring = [
        room
        for code, room in existing.items()
        if retire_missing and code not in listed and room.retired_at is None
    ]
    for room in retiring:
        room.retired_at, room.updated_by, room.updated_at = now, actor, now
    if new:
        bulk_create_with_history(new, Room, batch_size=1000, default_user=actor)
    if changed or retiring:
        bulk_update_with_history(
            changed + retiring,
            Room,
            [*ROOM_FIELDS, "retired_at", "updated_by", "updated_at"],
            batch_size=1000,
            default_user=actor,
        )
    return ImportResult(
        added=len(new),
        updated=len(changed) - reinstated,
        reinstated=reinstated,
        retired=len(retiring),
        unchanged=unchanged,
    )


def _places_for(partnership: Partnership, checked: list[dict]) -> dict[tuple[str, str], Floor]:
    """The sites, buildings and floors the rows name, found by code or made, in a fixed number
    of queries: {(building code, floor code): floor}."""
    sites = {s.code: s for s in Site.objects.filter(partnership=partnership)}
    buildings = {b.code: b for b in Building.objects.filter(partnership=partnership)}
    new_sites, new_buildings, renamed_sites, changed_buildings = {}, {}, {}, {}
    for values in checked:
        code, name = values["site"], values.get("site_name")
        site = sites.get(code) or new_sites.get(code)
        if site is None:
            new_sites[code] = Site(partnership=partnership, code=code, name=name or code)
        elif name and site.name != name and site.pk:
            site.name = name
            renamed_sites[code] = site
    Site.objects.bulk_create(new_sites.values())
    Site.objects.bulk_update(renamed_sites.values(), ["name"])
    sites.update(new_sites)
    for values in checked:
        code, name, site = values["building"], values.get("building_name"), sites[values["site"]]
        building = buildings.get(code) or new_buildings.get(code)
        if building is None:
            new_buildings[code] = Building(
                partnership=partnership, site=site, code=code, name=name or code
            )
        elif building.pk and (building.site_id != site.pk or (name and building.name != name)):
            building.site, building.name = site, name or building.name
            changed_buildings[code] = building
    Building.objects.bulk_create(new_buildings.values())
    Building.objects.bulk_update(changed_buildings.values(), ["site", "name"])
    buildings.update(new_buildings)
    floors = {
        (f.building.code, f.code): f
        for f in Floor.objects.filter(partnership=partnership).select_related("building")
    }
    new_floors = {}
    for values in checked:
        key = (values["building"], values["floor"])
        if key not in floors and key not in new_floors:
            new_floors[key] = Floor(
                partnership=partnership, building=buildings[key[0]], code=key[1]
            )
    Floor.objects.bulk_create(new_floors.values())
    return {**floors, **new_floors}
