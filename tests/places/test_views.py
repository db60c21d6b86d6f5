"""The register's pages: who sees and who changes what, the filters and figures, import and
export through the browser's forms, and query counts that do not grow with the rooms."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from places.models import Room

from . import factories
from .conftest import csv_upload

pytestmark = pytest.mark.django_db


def url(world, name, **kwargs):
    return reverse(f"places:{name}", kwargs={"partnership_id": world.partnership.pk, **kwargs})


@pytest.fixture
def as_(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def test_the_register_tab_and_the_empty_state_explain_how_to_start(world, as_):
    page = as_(world.manager).get(url(world, "register"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="places-empty"' in body
    assert url(world, "import_template_csv") in body and url(world, "import") in body
    assert url(world, "register") in body  # the tab in the partnership header
    supplier = as_(world.supplier_lead).get(url(world, "register")).content.decode()
    assert 'data-testid="places-empty"' in supplier and url(world, "import") not in supplier


def test_the_register_lists_rooms_in_use_with_figures_and_hides_retired_ones(world, as_):
    factories.room(world.partnership, "HG.1.001", area_type="office", floor_area="10")
    factories.room(world.partnership, "HG.1.002", area_type="office", floor_area="15.5")
    factories.room(world.partnership, "HG.1.003", area_type="sanitary", floor_area="4")
    gone = factories.room(world.partnership, "HG.1.999", name="Oud magazijn")
    gone.retired_at = gone.created_at
    gone.save()
    page = as_(world.member).get(url(world, "register"))
    context = page.context
    assert [r.code for r in context["rooms"]] == ["HG.1.001", "HG.1.002", "HG.1.003"]
    summary = context["summary"]
    assert (summary.rooms, summary.floor_area, summary.retired) == (3, 29.5, 1)
    assert {t.area_type: (t.rooms, t.floor_area) for t in summary.by_type} == {
        "office": (2, 25.5),
        "sanitary": (1, 4),
    }
    assert "Oud magazijn" not in page.content.decode()
    retired = as_(world.member).get(url(world, "register"), {"retired": "1"})
    assert [r.code for r in retired.context["rooms"]] == ["HG.1.999"]


@pytest.mark.parametrize(
    "query, codes",
    [
        ({"type": "sanitary"}, ["B.2.001"]),
        ({"q": "kantine"}, ["A.1.002"]),
        ({"q": "b.2"}, ["B.2.001"]),
        ({"building": "B"}, ["B.2.001"]),
        ({"sort": "area"}, ["A.1.002", "A.1.001", "B.2.001"]),
        ({"type": "nonsense"}, ["A.1.001", "A.1.002", "B.2.001"]),
    ],
)
def test_filters_search_and_sorting(world, as_, query, codes):
    a, b = (
        factories.floor(world.partnership, "A", "1"),
        factories.floor(world.partnership, "B", "2"),
    )
    factories.room(world.partnership, "A.1.001", floor=a, floor_area="20")
    factories.room(world.partnership, "A.1.002", floor=a, floor_area="30", name="Kantine")
    factories.room(world.partnership, "B.2.001", floor=b, floor_area="5", area_type="sanitary")
    if query.get("building") == "B":
        query = {"building": b.building_id}
    page = as_(world.member).get(url(world, "register"), query)
    assert [r.code for r in page.context["rooms"]] == codes


def test_the_register_pages_by_fifty(world, as_):
    factories.rooms(world.partnership, 120)
    first = as_(world.member).get(url(world, "register"))
    third = as_(world.member).get(url(world, "register"), {"page": 3})
    assert len(first.context["rooms"]) == 50 and len(third.context["rooms"]) == 20
    assert first.context["page_obj"].paginator.count == 120


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["register", "export_csv", "export_xlsx"])
def test_register_pages_run_the_same_queries_for_few_and_many_rooms(world, as_, name):
    client = as_(world.member)
    factories.rooms(world.partnership, 3, prefix="S")
    small = _queries(client, url(world, name))
    factories.rooms(world.partnership, 150, prefix="L", area_type="sanitary")
    factories.floor(world.partnership, "PO", "0")
    assert _queries(client, url(world, name)) == small


def test_the_room_page_runs_a_fixed_number_of_queries(world, as_):
    room = factories.room(world.partnership, "HG.1.001")
    client = as_(world.manager)
    few = _queries(client, url(world, "room", room_id=room.pk))
    for n in range(8):
        room.floor_area += 1
        room.save()
    assert _queries(client, url(world, "room", room_id=room.pk)) == few


def test_a_client_manager_edits_a_room_and_sees_errors_by_the_field(world, as_, english):
    room = factories.room(world.partnership, "HG.1.001")
    client = as_(world.manager)
    data = {
        "code": "HG.1.001",
        "name": "Spreekkamer",
        "area_type": "office",
        "floor_area": "12,75",
        "cleaning_frequency": "",
        "site": "SL",
        "building": "HG",
        "floor": "2",
    }
    bad = client.post(url(world, "room", room_id=room.pk), {**data, "floor_area": "veel"})
    assert bad.status_code == 200 and bad.context["form"].errors["floor_area"]
    assert "Enter a number" in bad.content.decode()
    saved = client.post(url(world, "room", room_id=room.pk), data)
    assert saved.status_code == 302
    room.refresh_from_db()
    assert (room.name, str(room.floor_area), room.floor.code) == ("Spreekkamer", "12.75", "2")
    other = factories.room(world.partnership, "HG.1.002")
    taken = client.post(url(world, "room", room_id=other.pk), data)
    assert taken.context["form"].errors["code"]


def test_a_client_manager_adds_retires_and_reinstates_a_room(world, as_):
    client = as_(world.manager)
    data = {
        "code": "PO.0.010",
        "area_type": "entrance",
        "floor_area": "80",
        "site": "SL",
        "building": "PO",
        "floor": "0",
    }
    assert client.post(url(world, "room_create"), data).status_code == 302
    room = Room.objects.get(code="PO.0.010")
    assert room.floor.building.name == "PO" and room.updated_by == world.manager
    client.post(url(world, "room_retire", room_id=room.pk))
    room.refresh_from_db()
    assert room.retired_at is not None
    client.post(url(world, "room_reinstate", room_id=room.pk))
    room.refresh_from_db()
    assert room.retired_at is None


@pytest.mark.parametrize("who", ["supplier_lead", "member", "viewer", "facilitator"])
def test_only_the_clients_managers_change_the_register(world, as_, who):
    room = factories.room(world.partnership, "HG.1.001")
    client = as_(getattr(world, who))
    assert client.get(url(world, "register")).status_code == 200
    detail = client.get(url(world, "room", room_id=room.pk))
    assert detail.status_code == 200 and "form" not in detail.context
    assert client.get(url(world, "import")).status_code == 403
    assert client.get(url(world, "room_create")).status_code == 403
    upload = csv_upload(["SL;HG;1;NEW.1;x;office;10"])
    assert client.post(url(world, "import"), {"file": upload}).status_code == 403
    assert client.post(url(world, "room_retire", room_id=room.pk)).status_code == 403
    edit = {"code": "X", "area_type": "office", "floor_area": "1", "site": "S", "building": "B"}
    assert (
        client.post(url(world, "room", room_id=room.pk), {**edit, "floor": "1"}).status_code == 403
    )
    assert list(Room.objects.values_list("code", "retired_at")) == [("HG.1.001", None)]


def test_the_import_page_shows_the_summary(world, as_):
    factories.room(world.partnership, "OLD.1")
    upload = csv_upload(["SL;HG;2;HG.2.114;Kamer;Patiëntenkamer;24,5;7"])
    page = as_(world.manager).post(url(world, "import"), {"file": upload})
    assert page.status_code == 200
    result = page.context["result"]
    assert (result.added, result.retired, result.updated, result.unchanged) == (1, 1, 0, 0)
    assert 'data-testid="import-result"' in page.content.decode()


def test_the_import_page_lists_bad_rows_and_writes_nothing(world, as_, english):
    upload = csv_upload(["SL;HG;2;HG.2.114;Kamer;Patiëntenkamer;24,5;7", "SL;HG;2;;x;office;0"])
    page = as_(world.manager).post(url(world, "import"), {"file": upload})
    errors = page.context["row_errors"]
    assert [(row, column) for row, column, _message in errors] == [
        (3, "Room code"),
        (3, "Floor area (m²)"),
    ]
    assert not Room.objects.exists()


def test_the_import_page_explains_an_unreadable_file(world, as_):
    upload = csv_upload([], header="")
    page = as_(world.manager).post(url(world, "import"), {"file": upload})
    assert page.context["error"]
    fake = as_(world.manager).post(url(world, "import"), {"file": csv_upload([], header="PK\x03")})
    assert fake.context["error"]


def test_export_downloads_what_the_import_reads(world, as_):
    factories.room(world.partnership, "HG.1.001", floor_area="12.5", name="Kamer")
    csv_page = as_(world.supplier_lead).get(url(world, "export_csv"))
    assert csv_page["Content-Type"].startswith("text/csv")
    text = csv_page.content.decode("utf-8-sig")
    assert "HG.1.001;Kamer" in text and "12,5" in text
    xlsx_page = as_(world.supplier_lead).get(url(world, "export_xlsx"))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx_page.content)).active
    assert sheet.max_row == 2 and sheet.cell(2, 6).value == "HG.1.001"


@pytest.mark.parametrize("name", ["import_template_csv", "import_template_xlsx"])
def test_the_template_imports_as_it_is(world, as_, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = as_(world.manager).get(url(world, name)).content
    page = as_(world.manager).post(
        url(world, "import"), {"file": SimpleUploadedFile(f"t.{name[-4:]}", body)}
    )
    assert page.context["result"].added == 2


def test_an_ended_partnership_keeps_its_register_read_only(world, as_):
    room = factories.room(world.partnership, "HG.1.001")
    world.partnership.phase = "ended"
    world.partnership.save(update_fields=["phase"])
    client = as_(world.manager)
    page = client.get(url(world, "register"))
    assert page.status_code == 200 and not page.context["can_edit"]
    assert client.get(url(world, "import")).status_code == 403
    assert client.post(url(world, "room_retire", room_id=room.pk)).status_code == 403
    room.refresh_from_db()
    assert room.retired_at is None


def test_the_room_page_lists_its_changes(world, as_):
    from places import services

    room = factories.room(world.partnership, "HG.1.001")
    services.room_retire(actor=world.manager, room=room)
    page = as_(world.member).get(url(world, "room", room_id=room.pk))
    assert len(page.context["changes"]) == 2
    assert 'data-testid="room-retired"' in page.content.decode()
