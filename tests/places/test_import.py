"""Importing the register from a CAFM export: all or nothing, row-numbered errors, a re-import
that updates, adds, retires and reinstates by room code, and never deletes a room."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from places import services
from places.imports import read_rooms
from places.models import Building, Floor, Room, Site

from . import factories
from .conftest import csv_upload, xlsx_upload

pytestmark = pytest.mark.django_db

GOOD = [
    "SL;HG;2;HG.2.114;Patiëntenkamer 114;Patiëntenkamer;24,5;7",
    "SL;HG;2;HG.2.115;Toilet;sanitary;4.2;14",
    "SL;PO;0;PO.0.001;Centrale hal;Entrance and reception;180;",
]


def _import(world, upload, **kwargs):
    rows = read_rooms(upload)
    return services.rooms_import(
        actor=world.manager, partnership=world.partnership, rows=rows, **kwargs
    )


def _register(partnership) -> dict[str, tuple]:
    return {
        r.code: (
            r.floor.building.code,
            r.floor.code,
            r.name,
            r.area_type,
            r.floor_area,
            r.cleaning_frequency,
            r.retired_at is None,
        )
        for r in Room.objects.filter(partnership=partnership).select_related("floor__building")
    }


def test_a_good_csv_makes_sites_buildings_floors_and_rooms(world):
    result = _import(world, csv_upload(GOOD))
    assert result == services.ImportResult(added=3, updated=0, reinstated=0, retired=0, unchanged=0)
    register = _register(world.partnership)
    assert register["HG.2.114"] == (
        "HG",
        "2",
        "Patiëntenkamer 114",
        "patient_room",
        Decimal("24.50"),
        Decimal("7.00"),
        True,
    )
    assert register["HG.2.115"][3:5] == ("sanitary", Decimal("4.20"))
    assert register["PO.0.001"][3:6] == ("entrance", Decimal("180.00"), None)
    assert Site.objects.filter(partnership=world.partnership).count() == 1
    assert set(
        Building.objects.filter(partnership=world.partnership).values_list("code", flat=True)
    ) == {"HG", "PO"}
    assert Floor.objects.filter(partnership=world.partnership).count() == 2
    assert Room.history.filter(partnership_id=world.partnership.pk).count() == 3


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [True, False])
def test_csv_with_any_delimiter_with_or_without_bom(world, delimiter, bom):
    header = delimiter.join(
        ["site", "building", "floor", "room code", "name", "area type", "floor area"]
    )
    lines = [delimiter.join(["SL", "HG", "-1", "HG.K.001", "Kelder gang", "corridor", "40.5"])]
    result = _import(world, csv_upload(lines, header=header, bom=bom))
    assert result.added == 1
    room = Room.objects.get(code="HG.K.001")
    assert (room.floor.code, room.area_type, room.floor_area) == (
        "-1",
        "corridor",
        Decimal("40.50"),
    )


def test_a_good_xlsx_reads_numbers_and_english_headers(world):
    upload = xlsx_upload(
        [
            [
                "Site",
                "Building",
                "Floor",
                "Room code",
                "Name",
                "Area type",
                "Floor area (m²)",
                "Cleanings per week",
            ],
            ["SL", "HG", 2, "HG.2.114", "Patient room", "Patient room", 24.5, 7],
            ["SL", "HG", 2, "HG.2.116", None, "office", 12, None],
        ]
    )
    assert _import(world, upload).added == 2
    register = _register(world.partnership)
    assert register["HG.2.114"][1:] == (
        "2",
        "Patient room",
        "patient_room",
        Decimal("24.50"),
        Decimal("7.00"),
        True,
    )
    assert register["HG.2.116"][2:6] == ("", "office", Decimal("12.00"), None)


def test_area_types_by_their_dutch_and_english_labels(world):
    lines = []
    for n, (value, label) in enumerate(Room._meta.get_field("area_type").choices):
        for language in ("nl", "en"):
            with translation.override(language):
                lines.append(f"SL;HG;1;R{n}{language};x;{label};10")
    rows = read_rooms(csv_upload(lines))
    services.rooms_import(actor=world.manager, partnership=world.partnership, rows=rows)
    stored = dict(Room.objects.values_list("code", "area_type"))
    assert len(stored) == len(lines)
    for n, (value, _label) in enumerate(Room._meta.get_field("area_type").choices):
        assert stored[f"R{n}nl"] == stored[f"R{n}en"] == value


def test_bad_rows_are_listed_by_row_and_column_and_nothing_is_written(world):
    factories.room(world.partnership, "KEEP.1")
    lines = [
        GOOD[0],
        "SL;HG;2;HG.2.200;Kamer;Zwembad;12",  # row 3: unknown area type
        "SL;HG;2;;Kamer;office;12",  # row 4: no code
        "SL;HG;2;HG.2.201;Kamer;office;twaalf",  # row 5: not a number
        "SL;HG;2;HG.2.202;Kamer;office;-3",  # row 6: not positive
        "SL;HG;2;HG.2.114;Dubbel;office;12",  # row 7: code of row 2 again
        "SL;HG;2;HG.2.203;Kamer;office;12;0",  # row 8: frequency 0
        "ZZ;HG;2;HG.2.204;Kamer;office;12",  # row 9: building HG on another site
        "",  # blank lines are skipped, numbering kept
        "SL;HG;" + "9" * 21 + ";HG.2.205;Kamer;office;12",  # row 11: floor too long
    ]
    with pytest.raises(services.RowErrors) as caught:
        _import(world, csv_upload(lines))
    errors = caught.value.rows
    assert {n: set(fields) for n, fields in errors.items()} == {
        3: {"area_type"},
        4: {"code"},
        5: {"floor_area"},
        6: {"floor_area"},
        7: {"code"},
        8: {"cleaning_frequency"},
        9: {"site"},
        11: {"floor"},
    }
    assert "row 2" in errors[7]["code"][0] or "rij 2" in errors[7]["code"][0]
    assert list(
        Room.objects.filter(partnership=world.partnership).values_list("code", flat=True)
    ) == ["KEEP.1"]
    assert not Building.objects.filter(code="PO").exists()


def test_a_file_without_the_needed_columns_says_which(world):
    upload = csv_upload(["SL;HG.2.1;office"], header="Locatie;Ruimtecode;Ruimtesoort")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        read_rooms(upload)
    assert "Building" in caught.value.messages[0] and "Floor area" in caught.value.messages[0]


def test_an_empty_register_file_is_refused_and_retires_nothing(world):
    factories.room(world.partnership, "KEEP.1")
    with pytest.raises(ValidationError):
        _import(world, csv_upload([]))
    assert Room.objects.get(code="KEEP.1").retired_at is None


def test_size_and_row_limits(world, monkeypatch):
    from places import imports

    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    with pytest.raises(ValidationError):
        read_rooms(csv_upload(GOOD))
    monkeypatch.setattr(imports, "MAX_BYTES", 10)
    with pytest.raises(ValidationError):
        read_rooms(csv_upload(GOOD[:1]))


def test_a_reimport_updates_adds_retires_and_reinstates_by_code(world):
    _import(world, csv_upload(GOOD + ["SL;PO;1;PO.1.101;Spreekkamer;office;14"]))
    retired_before = Room.objects.get(code="PO.1.101")
    services.room_retire(actor=world.manager, room=retired_before)
    ids = dict(Room.objects.values_list("code", "pk"))
    second = [
        "SL;HG;3;HG.2.114;Patiëntenkamer 114;Patiëntenkamer;26;7",  # moved to floor 3, bigger
        GOOD[1],  # unchanged
        # PO.0.001 left out: retired
        "SL;PO;1;PO.1.101;Spreekkamer;office;14",  # listed again: reinstated
        "SL;PO;1;PO.1.102;Spreekkamer 2;office;15",  # new
    ]
    result = _import(world, csv_upload(second))
    assert result == services.ImportResult(added=1, updated=1, reinstated=1, retired=1, unchanged=1)
    register = _register(world.partnership)
    assert register["HG.2.114"][1] == "3" and register["HG.2.114"][4] == Decimal("26.00")
    assert register["PO.0.001"][-1] is False  # retired, still there
    assert register["PO.1.101"][-1] is True
    assert len(register) == 5
    kept = dict(Room.objects.filter(code__in=ids).values_list("code", "pk"))
    assert kept == ids  # the same rows: updated in place, never deleted and made again
    assert Room.history.filter(id=ids["HG.2.114"]).count() == 2
    assert Room.history.filter(id=ids["PO.0.001"], retired_at__isnull=False).exists()


def test_a_missing_optional_column_keeps_the_stored_values(world):
    _import(world, csv_upload(GOOD))
    header = "Locatie;Gebouw;Verdieping;Ruimtecode;Ruimtesoort;Vloeroppervlak"
    result = _import(
        world,
        csv_upload(["SL;HG;2;HG.2.114;patient_room;24,5"], header=header),
        retire_missing=False,
    )
    assert result.unchanged == 1 and result.retired == 0
    room = Room.objects.get(code="HG.2.114")
    assert (room.name, room.cleaning_frequency) == ("Patiëntenkamer 114", Decimal("7.00"))


def test_a_room_with_history_is_never_deleted(world):
    """A retired room stays, with what points at it: the register has no delete at all."""
    _import(world, csv_upload(GOOD))
    other = csv_upload(["SL;HG;2;NEW.1;Nieuw;office;10"])
    _import(world, other)
    assert Room.objects.filter(partnership=world.partnership).count() == 4
    assert Room.objects.filter(partnership=world.partnership).in_use().count() == 1


def test_only_the_clients_managers_import(world):
    rows = read_rooms(csv_upload(GOOD))
    for person in (world.member, world.viewer, world.supplier_lead, world.facilitator):
        with pytest.raises(PermissionDenied):
            services.rooms_import(actor=person, partnership=world.partnership, rows=rows)
    with pytest.raises(PermissionDenied):
        services.rooms_import(actor=world.outsider, partnership=world.partnership, rows=rows)
    assert not Room.objects.exists()


def test_the_import_runs_a_fixed_number_of_queries(world):
    def queries(count: int, prefix: str) -> int:
        lines = [
            f"SL;B{n % 3};{n % 4};{prefix}.{n};Kamer {n};office;{10 + n}" for n in range(count)
        ]
        rows = read_rooms(csv_upload(lines))
        with CaptureQueriesContext(connection) as ctx:
            services.rooms_import(actor=world.manager, partnership=world.partnership, rows=rows)
        return len(ctx.captured_queries)

    assert queries(5, "A") == queries(60, "B")


def test_export_then_import_changes_nothing(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from partnership.tabular import to_csv, to_xlsx
    from places.imports import room_table

    _import(world, csv_upload(GOOD + ["SL;HG;-1;HG.K.9;=SOM(A1);other;0,25;0,2"]))
    rooms = (
        Room.objects.filter(partnership=world.partnership)
        .in_use()
        .select_related("floor__building__site")
    )
    before = _register(world.partnership)
    for language in ("nl", "en"):
        with translation.override(language):
            header, table = room_table(rooms, for_csv=True)
            csv_file = SimpleUploadedFile("export.csv", to_csv(header, table))
            header, table = room_table(rooms, for_csv=False)
            xlsx_file = SimpleUploadedFile("export.xlsx", to_xlsx(header, table, title="x"))
        for upload in (csv_file, xlsx_file):
            result = _import(world, upload)
            assert result == services.ImportResult(
                added=0, updated=0, reinstated=0, retired=0, unchanged=4
            ), (language, upload.name)
    assert _register(world.partnership) == before
