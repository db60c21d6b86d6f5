"""Inspections drawn from the register and recorded room by room: the draw (ISO 2859-1 sample
size of the lot, distinct rooms, reproducible from the seed), the room results (elements and
defects by kind, not inspected, idempotent per client_key), closing and its conflict, who may
record, and the verdict that follows."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from kpis import sampling
from kpis.models import DefectPhoto, Inspection, Measurement, RoomResultWrite, SampledRoom
from kpis.services_inspections import inspection_scores
from kpis.services_samples import (
    InspectionClosed,
    draw,
    draw_notes,
    inspection_close,
    room_result_record,
    sample_draw,
)
from tests.kpis.factories import KPIFactory
from tests.messaging.factories import png
from tests.places.factories import rooms

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 2, 12)


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are asserted in English; Dutch is the default language."""
    with translation.override("en"):
        yield


def _draw(world, who="supplier_lead", kind="dks", areas=None, **kwargs):
    return sample_draw(
        actor=getattr(world, who),
        partnership=world.partnership,
        kind=kind,
        date=DAY,
        areas=areas or [{"area_type": "sanitary"}],
        **kwargs,
    )


def _drawn_codes(inspection, area_type="sanitary"):
    return [
        s.room.code
        for s in inspection.sampled_rooms.filter(area__area_type=area_type)
        .select_related("room")
        .order_by("position")
    ]


def _inspected(world, sampled, *, who="supplier_lead", dirt=0, method=0, key=None, **kwargs):
    return room_result_record(
        actor=getattr(world, who),
        sampled_room=sampled,
        client_key=key or uuid.uuid4(),
        state="inspected",
        elements=[
            {"element": "Floor", "dirt": dirt, "material": 0},
            {"element": "Mirror", "method": method},
            {"element": "Toilet"},
        ],
        **kwargs,
    )


# --- the draw ----------------------------------------------------------------------------------


@pytest.mark.parametrize("lot", [2, 8, 9, 40, 120, 300])
def test_the_sample_is_the_iso_sample_size_of_the_lot_of_distinct_rooms_in_use(world, lot):
    drawn = rooms(world.partnership, lot, prefix="S", area_type="sanitary")
    rooms(world.partnership, 5, prefix="O", area_type="office")  # another type: not in the lot
    retired = drawn[0]
    retired.retired_at = timezone.now()
    retired.save(update_fields=["retired_at"])
    in_use = lot - 1
    inspection = _draw(world, seed=42)
    area = inspection.areas.get()
    expected = sampling.plan_for(in_use, "4.0") if in_use >= 2 else None
    size = expected.sample_size if expected else 1
    assert (area.lot_size, area.sample_size) == (in_use, size)
    if expected:
        assert (area.accept, area.reject) == (expected.accept, expected.reject)
    codes = _drawn_codes(inspection)
    assert len(codes) == size == len(set(codes))
    assert all(code.startswith("S.") for code in codes) and retired.code not in codes
    assert [s.position for s in inspection.sampled_rooms.all()] == list(range(1, size + 1))
    assert inspection.sample_seed == 42 and inspection.closed_at is None


def test_the_same_seed_draws_the_same_rooms_and_another_seed_others(world):
    rooms(world.partnership, 120, prefix="S", area_type="sanitary")
    first = _draw(world, seed=7)
    again = _draw(world, seed=7)
    other = _draw(world, seed=8)
    assert _drawn_codes(first) == _drawn_codes(again)
    assert len(_drawn_codes(first)) == 20
    assert _drawn_codes(first) != _drawn_codes(other)
    # Per area type a generator of its own: the offices drawn do not shift the sanitary ones.
    rooms(world.partnership, 30, prefix="O", area_type="office")
    both = _draw(world, seed=7, areas=[{"area_type": "office"}, {"area_type": "sanitary"}])
    assert _drawn_codes(both) == _drawn_codes(first)


def test_draw_is_pure_over_the_lot_order():
    ids = list(range(100, 200))
    assert draw(5, "office", ids, 13) == draw(5, "office", ids, 13)
    assert len(set(draw(5, "office", ids, 13))) == 13
    assert draw(5, "office", ids, 13) != draw(5, "sanitary", ids, 13)


def test_a_random_seed_is_stored_when_none_is_given(world):
    rooms(world.partnership, 10, prefix="S", area_type="sanitary")
    a, b = _draw(world), _draw(world)
    assert a.sample_seed is not None and b.sample_seed is not None
    assert a.sample_seed != b.sample_seed


def test_lot_of_one_full_inspection_and_empty_type_are_explained(world):
    rooms(world.partnership, 1, prefix="K", area_type="kitchen")
    rooms(world.partnership, 3, prefix="S", area_type="sanitary")
    inspection = _draw(world, areas=[{"area_type": "kitchen"}, {"area_type": "sanitary"}])
    kitchen = inspection.areas.get(area_type="kitchen")
    sanitary = inspection.areas.get(area_type="sanitary")
    assert (kitchen.lot_size, kitchen.sample_size, kitchen.accept, kitchen.reject) == (1, 1, 0, 1)
    # AQL 4.0 at code letter A points down to n=5: more than the lot, so all 3 are inspected.
    assert (sanitary.lot_size, sanitary.sample_size) == (3, 3)
    assert inspection.sampled_rooms.count() == 4
    notes = " ".join(draw_notes(inspection))
    assert "one room of this type" in notes and "all 3 rooms" in notes
    with pytest.raises(ValidationError) as caught:
        _draw(world, areas=[{"area_type": "patient_room"}, {"area_type": "kitchen"}])
    assert "no rooms of this type in use" in " ".join(caught.value.messages)
    assert not Inspection.objects.filter(areas__area_type="patient_room").exists()


@pytest.mark.parametrize(
    "areas, message",
    [
        ([], "at least one area type"),
        ([{"area_type": "sanitary"}, {"area_type": "sanitary"}], "chosen twice"),
        ([{"area_type": "sanitary", "aql": "4.2"}], "AQL"),
        ([{"area_type": "attic"}], "valid area type"),
    ],
)
def test_a_wrong_draw_writes_nothing(world, areas, message):
    rooms(world.partnership, 10, prefix="S", area_type="sanitary")
    before = Inspection.objects.count()
    with pytest.raises(ValidationError) as caught:
        sample_draw(
            actor=world.supplier_lead,
            partnership=world.partnership,
            kind="dks",
            date=DAY,
            areas=areas,
        )
    assert message in " ".join(caught.value.messages)
    assert Inspection.objects.count() == before


@pytest.mark.parametrize(
    "who, kind, allowed",
    [
        ("supplier_lead", "dks", True),
        ("manager", "kms", True),
        ("member", "kms", True),
        ("manager", "dks", False),
        ("supplier_lead", "kms", False),
        ("viewer", "kms", False),
        ("facilitator", "independent", False),
        ("outsider", "kms", False),
    ],
)
def test_who_may_draw_is_who_may_record_that_kind(world, who, kind, allowed):
    rooms(world.partnership, 10, prefix="S", area_type="sanitary")
    if allowed:
        inspection = _draw(world, who=who, kind=kind)
        assert inspection.sampled_rooms.count() == inspection.areas.get().sample_size == 3
    else:
        with pytest.raises(PermissionDenied):
            _draw(world, who=who, kind=kind)


# --- recording room by room --------------------------------------------------------------------


@pytest.fixture
def drawn(world):
    """A self-check over 120 sanitary rooms: 20 drawn, Ac 2 / Re 3."""
    rooms(world.partnership, 120, prefix="S", area_type="sanitary")
    return _draw(world, seed=1)


def test_room_results_sum_into_the_area_and_decide_the_verdict(world, drawn):
    first, second, third = drawn.sampled_rooms.all()[:3]
    answer, written = _inspected(world, first, dirt=1)
    assert written and answer["state"] == "inspected" and answer["elements_checked"] == 3
    assert answer["elements"][1] == {"element": "Mirror", "dirt": 0, "method": 0, "material": 0}
    _inspected(world, second, method=1)
    area = drawn.areas.get()
    assert (area.rooms_inspected, area.elements_checked, area.defects) == (2, 6, 2)
    assert area.passed and area.sample_short
    _inspected(world, third, dirt=1)  # three defects: Re reached
    area.refresh_from_db()
    assert (area.defects_dirt, area.defects_method, area.passed) == (2, 1, False)
    # A room recorded again with a new key: the latest result counts.
    _inspected(world, third)
    area.refresh_from_db()
    assert (area.rooms_inspected, area.defects, area.passed) == (3, 2, True)


def test_a_room_not_inspected_needs_a_reason_and_counts_nothing(world, drawn):
    sampled = drawn.sampled_rooms.first()
    with pytest.raises(ValidationError) as caught:
        room_result_record(
            actor=world.supplier_lead,
            sampled_room=sampled,
            client_key=uuid.uuid4(),
            state="not_inspected",
        )
    assert "why the room was not inspected" in " ".join(caught.value.messages)
    _inspected(world, sampled, dirt=1, method=1)
    answer, _ = room_result_record(
        actor=world.supplier_lead,
        sampled_room=sampled,
        client_key=uuid.uuid4(),
        state="not_inspected",
        reason="Locked, patient in isolation",
    )
    assert answer["state"] == "not_inspected" and answer["elements"] == []
    area = drawn.areas.get()
    assert (area.rooms_inspected, area.elements_checked, area.defects) == (0, 0, 0)


def test_the_same_client_key_changes_nothing_and_answers_as_the_first_time(world, drawn):
    sampled, other = drawn.sampled_rooms.all()[:2]
    key = uuid.uuid4()
    first, written = _inspected(world, sampled, dirt=1, key=key)
    assert written
    # The same key again, even with other content: nothing changes, the first answer returns.
    repeat, written_again = _inspected(world, sampled, dirt=0, key=str(key))
    assert (repeat, written_again) == (first, False)
    sampled.refresh_from_db()
    assert sampled.defects_dirt == 1 and RoomResultWrite.objects.filter(client_key=key).count() == 1
    with pytest.raises(ValidationError) as caught:
        _inspected(world, other, key=key)
    assert "another room" in " ".join(caught.value.messages)
    with pytest.raises(ValidationError):
        _inspected(world, other, key="not-a-uuid")


@pytest.mark.parametrize(
    "elements, message",
    [
        ([], "at least one element"),
        ([{"element": "Floor"}, {"element": "floor"}], "listed twice"),
        ([{"element": ""}], "needs a name"),
        ([{"element": "Floor", "dirt": 2}], "0 or 1"),
        ([{"element": "Floor", "dirt": -1}], "0 or 1"),
        ([{"element": "Floor", "dirt": 1, "method": 1}], "one kind of defect"),
    ],
)
def test_wrong_elements_are_refused(world, drawn, elements, message):
    sampled = drawn.sampled_rooms.first()
    with pytest.raises(ValidationError) as caught:
        room_result_record(
            actor=world.supplier_lead,
            sampled_room=sampled,
            client_key=uuid.uuid4(),
            state="inspected",
            elements=elements,
        )
    assert message in " ".join(caught.value.messages)
    sampled.refresh_from_db()
    assert sampled.state == "pending"


def test_photos_are_linked_to_the_room_and_its_area(world, drawn):
    sampled = drawn.sampled_rooms.first()
    answer, _ = _inspected(world, sampled, dirt=1, photos=[("dirt", png()), ("method", png())])
    photos = DefectPhoto.objects.filter(sampled_room=sampled)
    assert sorted(photos.values_list("kind", flat=True)) == ["dirt", "method"]
    assert {p.area_id for p in photos} == {sampled.area_id}
    assert answer["photos"] == sorted(p.pk for p in photos)


@pytest.mark.parametrize(
    "who, allowed",
    [
        ("supplier_lead", True),
        ("manager", False),  # a self-check is the supplier's
        ("member", False),
        ("viewer", False),
        ("facilitator", False),
        ("outsider", False),
    ],
)
def test_only_the_side_whose_inspection_it_is_records(world, drawn, who, allowed):
    sampled = drawn.sampled_rooms.first()
    if allowed:
        assert _inspected(world, sampled, who=who)[1]
    else:
        with pytest.raises(PermissionDenied):
            _inspected(world, sampled, who=who)


# --- closing -----------------------------------------------------------------------------------


def test_closing_fixes_the_result_flags_a_short_sample_and_counts_in_kpis(world, drawn):
    kpi = KPIFactory(
        partnership=world.partnership, source="inspection", frequency="monthly", target=90
    )
    recorded = list(drawn.sampled_rooms.all()[:5])
    for sampled in recorded:
        _inspected(world, sampled, dirt=1 if sampled == recorded[0] else 0)
    # Open: it does not count anywhere yet.
    drawn.refresh_from_db()
    assert inspection_scores([drawn])["score"] is None
    assert not Measurement.objects.filter(kpi=kpi).exists()
    inspection_close(actor=world.supplier_lead, inspection=drawn)
    drawn.refresh_from_db()
    area = drawn.areas.get()
    assert drawn.closed_at is not None
    assert (area.rooms_inspected, area.sample_size, area.sample_short) == (5, 20, True)
    assert inspection_scores([drawn]) == {
        "score": Decimal("93.3"),
        "pass_rate": Decimal("100.0"),
        "areas": 1,
    }
    assert Measurement.objects.get(kpi=kpi).value == Decimal("93.3")
    # After closing: a new result is a conflict, a repeat of an earlier key still answers.
    with pytest.raises(InspectionClosed) as caught:
        _inspected(world, recorded[1], dirt=0)
    assert "closed" in str(caught.value)
    with pytest.raises(InspectionClosed):
        inspection_close(actor=world.supplier_lead, inspection=drawn)
    area.refresh_from_db()
    assert area.defects == 1


def test_an_inspection_without_any_room_inspected_cannot_close(world, drawn):
    room_result_record(
        actor=world.supplier_lead,
        sampled_room=drawn.sampled_rooms.first(),
        client_key=uuid.uuid4(),
        state="not_inspected",
        reason="Closed ward",
    )
    with pytest.raises(ValidationError):
        inspection_close(actor=world.supplier_lead, inspection=drawn)
    with pytest.raises(PermissionDenied):
        inspection_close(actor=world.manager, inspection=drawn)
    assert Inspection.objects.get(pk=drawn.pk).closed_at is None


def test_a_repeat_after_closing_answers_as_the_first_time(world, drawn):
    sampled = drawn.sampled_rooms.first()
    key = uuid.uuid4()
    first, _ = _inspected(world, sampled, key=key)
    inspection_close(actor=world.supplier_lead, inspection=drawn)
    assert _inspected(world, sampled, key=key) == (first, False)
    assert SampledRoom.objects.get(pk=sampled.pk).state == "inspected"
