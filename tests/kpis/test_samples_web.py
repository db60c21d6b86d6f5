"""Drawn inspections over the API and the pages: the draw, the rooms with their results, a
room's result as JSON or multipart with photos (idempotent per client_key, 409 once closed),
closing, the recording page's markup for the offline queue and its constant query count."""

import json
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kpis.models import DefectPhoto, Inspection, SampledRoom
from kpis.services_samples import sample_draw
from tests.api import paths
from tests.messaging.factories import png
from tests.places.factories import rooms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    """Messages are asserted in English (see tests/kpis/conftest.py)."""
    with translation.override("en"):
        yield


def inspections(p) -> str:
    return f"{paths.partnership(p)}inspections/"


def rooms_url(p, inspection) -> str:
    return f"{inspections(p)}{inspection.pk}/rooms/"


def result_url(p, sampled) -> str:
    return f"{inspections(p)}{sampled.inspection_id}/rooms/{sampled.pk}/result/"


def page(p, inspection) -> str:
    return f"/partnerships/{p.pk}/kpis/inspections/{inspection.pk}/rooms/"


def _draw(world, count=120, area_type="sanitary", seed=3):
    rooms(world.partnership, count, prefix=f"{area_type[:2].upper()}", area_type=area_type)
    return sample_draw(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date="2026-02-12",
        areas=[{"area_type": area_type}],
        seed=seed,
    )


def _result(key=None, **extra):
    return {
        "client_key": str(key or uuid.uuid4()),
        "state": "inspected",
        "elements": [{"element": "Floor", "dirt": 1}, {"element": "Mirror"}],
        **extra,
    }


# --- API ---------------------------------------------------------------------------------------


def test_api_draw_lists_the_rooms_and_repeats_with_the_seed(login, world):
    rooms(world.partnership, 120, prefix="S", area_type="sanitary")
    api = login(world.supplier_lead)
    body = {"kind": "dks", "date": "2026-02-12", "seed": 99, "areas": [{"area_type": "sanitary"}]}
    response = api.post(f"{inspections(world.partnership)}draw/", body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["sample_seed"] == 99 and created["closed_at"] is None
    assert created["areas"][0]["sample_size"] == 20 and created["score"] is None
    inspection = Inspection.objects.get(pk=created["id"])
    listed = api.get(rooms_url(world.partnership, inspection)).json()
    assert listed["count"] == 20
    first = listed["results"][0]
    assert first["state"] == "pending" and first["room"]["code"].startswith("S.")
    assert first["result_url"] == result_url(
        world.partnership, SampledRoom.objects.get(pk=first["id"])
    )
    again = api.post(f"{inspections(world.partnership)}draw/", body, format="json").json()
    again_rooms = api.get(rooms_url(world.partnership, Inspection.objects.get(pk=again["id"])))
    codes = [r["room"]["code"] for r in listed["results"]]
    assert [r["room"]["code"] for r in again_rooms.json()["results"]] == codes
    empty = {"kind": "dks", "date": "2026-02-12", "areas": [{"area_type": "kitchen"}]}
    refused = api.post(f"{inspections(world.partnership)}draw/", empty, format="json")
    assert refused.status_code == 400 and "no rooms" in json.dumps(refused.json())
    wrong_side = login(world.manager).post(
        f"{inspections(world.partnership)}draw/", body, format="json"
    )
    assert wrong_side.status_code == 403


def test_api_result_json_is_idempotent_per_client_key(login, world):
    inspection = _draw(world)
    sampled = inspection.sampled_rooms.first()
    api = login(world.supplier_lead)
    key = uuid.uuid4()
    first = api.post(result_url(world.partnership, sampled), _result(key), format="json")
    assert first.status_code == 200, first.json()
    assert first["Idempotent-Replayed"] == "false"
    body = first.json()
    assert (body["state"], body["elements_checked"], body["defects_dirt"]) == ("inspected", 2, 1)
    repeat = api.post(
        result_url(world.partnership, sampled), _result(key, state="not_inspected"), format="json"
    )
    assert repeat.status_code == 200 and repeat.json() == body
    assert repeat["Idempotent-Replayed"] == "true"
    area = inspection.areas.get()
    assert (area.rooms_inspected, area.defects) == (1, 1)
    listed = api.get(rooms_url(world.partnership, inspection)).json()["results"]
    assert [r["state"] for r in listed].count("inspected") == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"state": "inspected", "elements": []}, "elements"),
        ({"state": "not_inspected"}, "reason"),
        ({"state": "pending"}, "state"),
        ({"state": "inspected", "elements": [{"element": "Floor", "dirt": 2}]}, "elements"),
        ({"state": "inspected", "elements": [{"element": "Floor", "smell": 1}]}, "elements"),
    ],
)
def test_api_result_errors_are_field_level(login, world, body, field):
    inspection = _draw(world, count=10)
    sampled = inspection.sampled_rooms.first()
    response = login(world.supplier_lead).post(
        result_url(world.partnership, sampled),
        {"client_key": str(uuid.uuid4()), **body},
        format="json",
    )
    assert response.status_code == 400 and field in response.json(), response.json()
    assert SampledRoom.objects.get(pk=sampled.pk).state == "pending"


def test_api_result_multipart_with_photos(login, world):
    inspection = _draw(world, count=10)
    sampled = inspection.sampled_rooms.first()
    api = login(world.supplier_lead)
    response = api.post(
        result_url(world.partnership, sampled),
        {
            "client_key": str(uuid.uuid4()),
            "state": "inspected",
            "elements": json.dumps(
                [{"element": "Sink", "dirt": 1}, {"element": "Tap", "material": 1}]
            ),
            "photo_dirt": [png("a.png"), png("b.png")],
            "photo_material": png("c.png"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    photos = DefectPhoto.objects.filter(sampled_room=sampled)
    assert sorted(photos.values_list("kind", flat=True)) == ["dirt", "dirt", "material"]
    assert response.json()["photos"] == sorted(p.pk for p in photos)
    bad = api.post(
        result_url(world.partnership, sampled),
        {"client_key": str(uuid.uuid4()), "state": "inspected", "elements": "[{"},
        format="multipart",
    )
    assert bad.status_code == 400 and "elements" in bad.json()


def test_api_close_then_a_result_is_a_conflict(login, world):
    inspection = _draw(world, count=10)
    first, second = inspection.sampled_rooms.all()[:2]
    api = login(world.supplier_lead)
    key = uuid.uuid4()
    answered = api.post(result_url(world.partnership, first), _result(key), format="json").json()
    close = f"{inspections(world.partnership)}{inspection.pk}/close/"
    assert login(world.manager).post(close).status_code == 403
    api = login(world.supplier_lead)
    closed = api.post(close)
    assert closed.status_code == 200 and closed.json()["closed_at"] and closed.json()["score"]
    late = api.post(result_url(world.partnership, second), _result(), format="json")
    assert late.status_code == 409
    assert late.json()["code"] == "inspection_closed" and "closed" in late.json()["detail"]
    repeat = api.post(result_url(world.partnership, first), _result(key), format="json")
    assert repeat.status_code == 200 and repeat.json() == answered
    assert api.post(close).status_code == 409


@pytest.mark.parametrize("who, code", [("manager", 403), ("viewer", 403), ("facilitator", 403)])
def test_api_result_by_another_side_is_refused(login, world, who, code):
    inspection = _draw(world, count=10)
    sampled = inspection.sampled_rooms.first()
    response = login(getattr(world, who)).post(
        result_url(world.partnership, sampled), _result(), format="json"
    )
    assert response.status_code == code
    assert (
        login(getattr(world, who)).get(rooms_url(world.partnership, inspection)).status_code == 200
    )


def test_a_room_of_another_inspection_is_not_found(login, world):
    one = _draw(world, count=10)
    other = sample_draw(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date="2026-02-12",
        areas=[{"area_type": "sanitary"}],
    )
    sampled = other.sampled_rooms.first()
    url = f"{inspections(world.partnership)}{one.pk}/rooms/{sampled.pk}/result/"
    response = login(world.supplier_lead).post(url, _result(), format="json")
    assert response.status_code == 404


# --- pages -------------------------------------------------------------------------------------


def test_draw_page_draws_and_opens_the_recording_page(client, world):
    rooms(world.partnership, 40, prefix="S", area_type="sanitary")
    client.force_login(world.supplier_lead)
    url = f"/partnerships/{world.partnership.pk}/kpis/inspections/draw/"
    shown = client.get(url)
    assert shown.status_code == 200 and 'name="area-sanitary"' in shown.content.decode()
    assert re.search(r'id="area-kitchen" disabled', shown.content.decode())
    nothing = client.post(url, {"kind": "dks", "date": "2026-02-12"})
    assert nothing.status_code == 200 and "at least one area type" in nothing.content.decode()
    assert not Inspection.objects.filter(partnership=world.partnership).exists()
    response = client.post(
        url, {"kind": "dks", "date": "2026-02-12", "area-sanitary": "on", "aql-sanitary": "6.5"}
    )
    inspection = Inspection.objects.get(partnership=world.partnership)
    assert response.status_code == 302 and response.url == page(world.partnership, inspection)
    area = inspection.areas.get()
    assert (area.lot_size, area.aql, area.sample_size) == (40, 6.5, 8)  # letter D at AQL 6.5


def test_recording_page_marks_rooms_for_the_offline_queue_and_the_form_fallback(client, world):
    inspection = _draw(world, count=10)
    first = inspection.sampled_rooms.first()
    client.force_login(world.supplier_lead)
    html = client.get(page(world.partnership, inspection)).content.decode()
    assert html.count("data-sampled-room=") == 3
    assert f'data-result-url="{result_url(world.partnership, first)}"' in html
    assert "data-room-form" in html and "js/inspection_rooms.js" in html
    form = {
        "client_key": str(uuid.uuid4()),
        "state": "inspected",
        "element_count": "3",
        "element-0": "Floor",
        "result-0": "dirt",
        "element-1": "Mirror",
        "result-1": "skip",  # not checked
        "element-2": "Skirting board",  # an element the inspector added
        "result-2": "method",
        "photo_kind": "dirt",
        "photo": png(),
    }
    url = f"/partnerships/{world.partnership.pk}/kpis/inspections/{inspection.pk}/rooms/{first.pk}/"
    response = client.post(url, form)
    assert response.status_code == 302
    first.refresh_from_db()
    assert [e["element"] for e in first.elements] == ["Floor", "Skirting board"]
    assert (first.defects_dirt, first.defects_method, first.photos.count()) == (1, 1, 1)
    # The element added is offered in every room of the area from now on.
    html = client.get(page(world.partnership, inspection)).content.decode()
    assert html.count('type="hidden" name="element-') == 3 * (8 + 1)  # 8 sanitary elements
    assert html.count('value="Skirting board"') == 3
    # The viewer follows, without forms; the other side too.
    client.force_login(world.manager)
    html = client.get(page(world.partnership, inspection)).content.decode()
    assert "data-room-form" not in html and "data-sampled-room=" in html
    close = f"/partnerships/{world.partnership.pk}/kpis/inspections/{inspection.pk}/close/"
    assert client.post(close).status_code == 403
    client.force_login(world.supplier_lead)
    assert client.post(close).status_code == 302
    html = client.get(page(world.partnership, inspection)).content.decode()
    assert 'data-testid="inspection-closed"' in html and "data-room-form" not in html
    assert 'data-testid="sample-short"' in html  # 1 of 3 rooms inspected
    late = client.post(url, {**form, "client_key": str(uuid.uuid4())}, follow=True)
    assert "closed" in late.content.decode()


def test_recording_page_runs_the_same_queries_for_few_and_many_rooms(client, world):
    client.force_login(world.supplier_lead)

    def measure(inspection):
        for sampled in inspection.sampled_rooms.all()[:2]:
            DefectPhoto.objects.create(
                area_id=sampled.area_id,
                sampled_room=sampled,
                kind="dirt",
                image="inspections/x.png",
                content_type="image/png",
            )
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page(world.partnership, inspection))
        assert response.status_code == 200
        return len(ctx.captured_queries), response.content.decode().count("data-sampled-room=")

    few, few_rooms = measure(_draw(world, count=10, area_type="sanitary"))
    many, many_rooms = measure(_draw(world, count=300, area_type="office"))
    assert (few_rooms, many_rooms) == (3, 50)  # 300 offices at AQL 6.5: letter H, n=50
    assert few == many


def test_api_room_list_runs_the_same_queries_for_few_and_many_rooms(login, world):
    api = login(world.viewer)

    def measure(inspection):
        for sampled in inspection.sampled_rooms.all()[:2]:
            DefectPhoto.objects.create(
                area_id=sampled.area_id,
                sampled_room=sampled,
                kind="dirt",
                image="inspections/x.png",
                content_type="image/png",
            )
        with CaptureQueriesContext(connection) as ctx:
            response = api.get(rooms_url(world.partnership, inspection))
        assert response.status_code == 200
        body = response.json()
        assert sum(len(r["photos"]) for r in body["results"]) == 2
        return len(ctx.captured_queries), body["count"]

    # Both within one page (a full page adds the paginator's count query).
    few, few_rooms = measure(_draw(world, count=10, area_type="sanitary"))
    many, many_rooms = measure(_draw(world, count=200, area_type="corridor"))
    assert (few_rooms, many_rooms) == (3, 32)  # 200 corridors at AQL 6.5: letter G, n=32
    assert few == many
