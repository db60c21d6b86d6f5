"""The places API: the register's rooms listed and filtered, read one by one, and upserted in
bulk by code (all or nothing, errors per item number and field) by the client's managers only."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from places.models import Room
from tests.api import paths
from tests.places.factories import floor, room, rooms

pytestmark = pytest.mark.django_db


def places(p) -> str:
    return f"{paths.partnership(p)}places/"


@pytest.fixture
def register(world):
    """Six rooms in two buildings of the hospital (one retired) and one of the university."""
    east, west = floor(world.partnership, "OOST", "1"), floor(world.partnership, "WEST", "0")
    made = {
        "O.1.01": room(world.partnership, "O.1.01", name="Kantoor directie", floor=east),
        "O.1.02": room(
            world.partnership, "O.1.02", name="Toilet heren", area_type="sanitary", floor=east
        ),
        "O.1.03": room(
            world.partnership, "O.1.03", name="Gang noord", area_type="corridor", floor=east
        ),
        "W.0.01": room(
            world.partnership, "W.0.01", name="Toilet dames", area_type="sanitary", floor=west
        ),
        "W.0.02": room(world.partnership, "W.0.02", name="Balie", area_type="entrance", floor=west),
    }
    made["W.0.99"] = room(
        world.partnership, "W.0.99", name="Oude berging", floor=west, retired_at=timezone.now()
    )
    made["U.1"] = room(world.other_partnership, "U.1", name="Kantoor universiteit")
    return made


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [r["code"] for r in response.json()["results"]]


# --- reading ---------------------------------------------------------------------------------


def test_list_shows_the_rooms_in_use_by_building_floor_and_code(login, world, register):
    response = login(world.member).get(places(world.partnership))
    assert _codes(response) == ["O.1.01", "O.1.02", "O.1.03", "W.0.01", "W.0.02"]
    first = response.json()["results"][0]
    assert first == {
        "id": register["O.1.01"].pk,
        "code": "O.1.01",
        "name": "Kantoor directie",
        "area_type": "office",
        "floor_area": "12.50",
        "cleaning_frequency": None,
        "site": "SL",
        "site_name": "Site SL",
        "building": "OOST",
        "building_name": "OOST",
        "floor": "1",
        "retired": False,
        "retired_at": None,
        "updated_at": first["updated_at"],
    }


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("type=sanitary", ["O.1.02", "W.0.01"]),
        ("building=WEST", ["W.0.01", "W.0.02"]),
        ("building=NOWHERE", []),
        ("q=toilet", ["O.1.02", "W.0.01"]),  # the name, ignoring case
        ("q=o.1.0", ["O.1.01", "O.1.02", "O.1.03"]),  # the code, ignoring case
        ("q=TOILET&building=OOST", ["O.1.02"]),
        ("retired=true", ["W.0.99"]),
        ("retired=false", ["O.1.01", "O.1.02", "O.1.03", "W.0.01", "W.0.02"]),
        ("retired=true&type=sanitary", []),
        ("q=universiteit", []),  # another partnership's room is never found
    ],
)
def test_list_filters(login, world, register, query, codes):
    assert _codes(login(world.member).get(f"{places(world.partnership)}?{query}")) == codes


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("type=ballroom", "type"),
        ("type=", "type"),
        ("retired=maybe", "retired"),
        ("building=", "building"),
        ("q=" + "x" * 201, "q"),
        ("page=0", "page"),
    ],
)
def test_list_refuses_a_bad_filter_with_400_on_it(login, world, register, query, field):
    response = login(world.member).get(f"{places(world.partnership)}?{query}")
    assert response.status_code == 400
    assert field in response.json()


def test_list_is_paginated(login, world):
    rooms(world.partnership, 60)
    api = login(world.viewer)
    first = api.get(places(world.partnership)).json()
    assert (first["count"], len(first["results"]), first["previous"]) == (60, 50, None)
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 10 and second["next"] is None
    seen = [r["code"] for r in first["results"] + second["results"]]
    assert seen == [f"R.{n:04d}" for n in range(60)]


def test_a_room_is_read_by_id_retired_too(login, world, register):
    api = login(world.supplier_lead)
    for code in ("O.1.02", "W.0.99"):
        response = api.get(f"{places(world.partnership)}{register[code].pk}/")
        assert response.status_code == 200
        assert response.json()["code"] == code
    assert api.get(f"{places(world.partnership)}{register['W.0.99'].pk}/").json()["retired"]


def test_another_partnerships_room_is_404_under_this_one(login, world, register):
    response = login(world.manager).get(f"{places(world.partnership)}{register['U.1'].pk}/")
    assert response.status_code == 404


# --- who may do what ---------------------------------------------------------------------------

ONE_ROOM = [
    {
        "site": "SL",
        "building": "OOST",
        "floor": "1",
        "code": "O.1.50",
        "name": "Spreekkamer",
        "area_type": "office",
        "floor_area": "14,5",
    }
]


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("manager", 200, 200),  # an admin of the client organisation
        ("member", 200, 403),
        ("viewer", 200, 403),
        ("supplier_lead", 200, 403),  # a manager, but of the supplier: the register is the client's
        ("facilitator", 200, 403),
        ("outsider", 404, 404),
    ],
)
def test_everyone_in_the_partnership_reads_only_the_clients_managers_write(
    login, world, register, who, read, write
):
    api = login(getattr(world, who))
    assert api.get(places(world.partnership)).status_code == read
    assert api.get(f"{places(world.partnership)}{register['O.1.01'].pk}/").status_code == read
    assert api.post(places(world.partnership), ONE_ROOM, format="json").status_code == write
    assert Room.objects.filter(code="O.1.50").exists() == (write == 200)


def test_anonymous_gets_401(api, world):
    assert api.get(places(world.partnership)).status_code == 401
    assert api.post(places(world.partnership), ONE_ROOM, format="json").status_code == 401


# --- bulk upsert -----------------------------------------------------------------------------


def _item(code, **changes):
    item = {
        "site": "SL",
        "site_name": "Sint-Lucas",
        "building": "OOST",
        "building_name": "Oostvleugel",
        "floor": "1",
        "code": code,
        "name": f"Ruimte {code}",
        "area_type": "office",
        "floor_area": 10,
        "cleaning_frequency": 5,
    }
    item.update(changes)
    return item


def test_upsert_adds_new_codes_updates_known_ones_and_leaves_the_rest(login, world, register):
    api = login(world.manager)
    body = [
        _item("O.1.01", name="Directie", floor_area="20,25", cleaning_frequency=None),
        _item(
            "N.2.01",
            building="NOORD",
            building_name="Noordvleugel",
            floor="2",
            area_type="Sanitair",
        ),  # a Dutch label
        _item("N.2.02", building="NOORD", floor="2", area_type="Patient room", floor_area=8.5),
    ]
    response = api.post(places(world.partnership), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "added": 2,
        "updated": 1,
        "reinstated": 0,
        "retired": 0,
        "unchanged": 0,
    }
    changed = Room.objects.get(partnership=world.partnership, code="O.1.01")
    assert (changed.name, changed.floor_area, changed.cleaning_frequency) == (
        "Directie",
        Decimal("20.25"),
        None,
    )
    new = Room.objects.select_related("floor__building").get(code="N.2.01")
    assert (new.area_type, new.floor.code, new.floor.building.name) == (
        "sanitary",
        "2",
        "Noordvleugel",
    )
    assert Room.objects.get(code="N.2.02").area_type == "patient_room"
    # The rooms the list left out stay in use.
    assert Room.objects.filter(partnership=world.partnership).in_use().count() == 7
    again = api.post(places(world.partnership), body, format="json").json()
    assert again == {"added": 0, "updated": 0, "reinstated": 0, "retired": 0, "unchanged": 3}


def test_upsert_with_retire_missing_retires_what_it_leaves_out_and_reinstates(
    login, world, register
):
    api = login(world.manager)
    body = [
        _item(
            "O.1.01",
            floor_area="12.5",
            name="Kantoor directie",
            building_name="OOST",
            site_name="Site SL",
            cleaning_frequency=None,
        ),
        _item("W.0.99", building="WEST", floor="0"),
    ]
    response = api.post(f"{places(world.partnership)}?retire_missing=true", body, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "added": 0,
        "updated": 0,
        "reinstated": 1,
        "retired": 4,
        "unchanged": 1,
    }
    in_use = Room.objects.filter(partnership=world.partnership).in_use()
    assert sorted(in_use.values_list("code", flat=True)) == ["O.1.01", "W.0.99"]
    assert Room.objects.filter(partnership=world.partnership).count() == 6  # nothing deleted
    assert Room.objects.get(code="U.1").retired_at is None  # another partnership's room


def test_what_the_list_reads_posts_back_unchanged(login, world, register):
    api = login(world.manager)
    listed = api.get(places(world.partnership)).json()["results"]
    sent = [
        {
            k: r[k]
            for k in (
                "site",
                "site_name",
                "building",
                "building_name",
                "floor",
                "code",
                "name",
                "area_type",
                "floor_area",
                "cleaning_frequency",
            )
        }
        for r in listed
    ]
    response = api.post(places(world.partnership), sent, format="json")
    assert response.json()["unchanged"] == len(listed) == 5


@pytest.mark.parametrize(
    ("body", "rows"),
    [
        # Item 2's shape is wrong, item 3's area type unknown: both reported, by number.
        (
            [_item("A.1"), _item("A.2", floor_area="veel"), _item("A.3", area_type="zwembad")],
            {"2": ["floor_area"], "3": ["area_type"]},
        ),
        ([_item("A.1", floor_area=True)], {"1": ["floor_area"]}),
        ([_item("A.1", floor_area=0)], {"1": ["floor_area"]}),
        ([_item("A.1", floor_area=10**12)], {"1": ["floor_area"]}),
        ([_item("A.1", cleaning_frequency=[1])], {"1": ["cleaning_frequency"]}),
        ([_item("A.1", colour="blue")], {"1": ["colour"]}),
        ([dict(_item("A.1"), code=101)], {"1": ["code"]}),
        ([_item("A.1", name="nul\x00byte")], {"1": ["name"]}),
        ([_item("A.1", name="x" * 201)], {"1": ["name"]}),
        ([{k: v for k, v in _item("A.1").items() if k != "floor"}], {"1": ["floor"]}),
        ([_item("A.1"), _item("A.1")], {"2": ["code"]}),
        ([_item("A.1"), 7], {"2": ["non_field_errors"]}),
        ([_item("A.1"), _item("A.2", building="OOST", site="ELDERS")], {"2": ["site"]}),
    ],
)
def test_a_wrong_item_is_a_400_by_number_and_field_and_nothing_is_written(
    login, world, register, body, rows
):
    before = sorted(Room.objects.values_list("code", "name", "floor_area", "retired_at"))
    response = login(world.manager).post(places(world.partnership), body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["rows"]
    assert {n: sorted(fields) for n, fields in errors.items()} == rows
    assert sorted(Room.objects.values_list("code", "name", "floor_area", "retired_at")) == before


@pytest.mark.parametrize(
    ("body", "query"),
    [
        ({"rooms": ONE_ROOM}, ""),
        ([], ""),
        ("O.1.50", ""),
        (ONE_ROOM, "?retire_missing=maybe"),
        (ONE_ROOM, "?retire_missing="),
    ],
)
def test_a_body_that_is_no_list_of_rooms_is_a_400(login, world, body, query):
    response = login(world.manager).post(f"{places(world.partnership)}{query}", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) <= {"non_field_errors", "retire_missing"}
    assert not Room.objects.filter(code="O.1.50").exists()


def test_more_rooms_than_allowed_is_a_400(login, world, monkeypatch):
    from places import api

    monkeypatch.setattr(api, "MAX_ROOMS", 2)
    body = [_item("A.1"), _item("A.2"), _item("A.3")]
    response = login(world.manager).post(places(world.partnership), body, format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Room.objects.filter(code="A.1").exists()


# --- what it costs -----------------------------------------------------------------------------


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries)


def test_list_queries_do_not_grow_with_the_rooms(login, world):
    api = login(world.member)
    rooms(world.partnership, 60, prefix="A")
    small = _queries(lambda: api.get(places(world.partnership)))
    rooms(world.partnership, 300, prefix="B", area_type="sanitary")
    assert _queries(lambda: api.get(places(world.partnership))) == small
    assert _queries(lambda: api.get(f"{places(world.partnership)}?type=sanitary&q=b")) == small


def test_upsert_queries_do_not_grow_with_the_rooms_sent(login, world, register):
    api = login(world.manager)
    few = [_item(f"F.{n}") for n in range(5)]
    many = [_item(f"M.{n}", building=f"B{n % 7}", floor=str(n % 3)) for n in range(150)]
    first = _queries(lambda: api.post(places(world.partnership), few, format="json"))
    assert _queries(lambda: api.post(places(world.partnership), many, format="json")) == first
    # Sending them again (all updates or unchanged) costs no more either.
    changed = [dict(item, name="Nieuw") for item in many]
    assert _queries(lambda: api.post(places(world.partnership), changed, format="json")) <= first
