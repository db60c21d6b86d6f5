"""The demo register: Sint-Lucas hospital's two buildings and about 400 rooms of the usual area
types, the same on every run, seeded once."""

import io
from collections import Counter

import pytest
from django.core.management import call_command

from partnership.demo import load_data
from partnership.models import Partnership
from places import demo
from places.models import AreaType, Building, Room


@pytest.fixture
def cleaning(demo_db):
    return Partnership.objects.get(title="Schoonmaak Sint-Lucas")


def test_the_hospital_has_a_realistic_register(cleaning):
    rooms = Room.objects.filter(partnership=cleaning).in_use()
    assert 380 <= rooms.count() <= 420
    names = set(Building.objects.filter(partnership=cleaning).values_list("name", flat=True))
    assert names == {"Hoofdgebouw", "Poliklinieken"}
    kinds = Counter(rooms.values_list("area_type", flat=True))
    assert set(kinds) == set(AreaType.values)
    assert kinds["patient_room"] >= 100 and kinds["sanitary"] >= 50
    assert rooms.filter(code="HG.2.201", area_type="patient_room").exists()
    for room in rooms:
        assert 1 < room.floor_area < 250, room.code


def test_the_register_is_the_same_every_time():
    data = load_data(demo.__file__, "places")
    assert demo.register_rows(data) == demo.register_rows(data)


def test_seeding_again_changes_nothing(cleaning):
    before = list(Room.objects.filter(partnership=cleaning).values_list("code", "updated_at"))
    call_command("seed_demo", stdout=io.StringIO())
    after = list(Room.objects.filter(partnership=cleaning).values_list("code", "updated_at"))
    assert after == before


def test_only_the_hospital_cleaning_partnership_has_rooms(cleaning):
    assert set(Room.objects.values_list("partnership", flat=True)) == {cleaning.pk}
