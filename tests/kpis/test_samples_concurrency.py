"""A tablet's queue may send the same room result twice at once: on real PostgreSQL, in two
threads released together, the result is written once and both get the same answer."""

import threading
import uuid

import pytest
from django.db import connection

from kpis.models import RoomResultWrite, SampledRoom
from kpis.services_samples import room_result_record, sample_draw
from tests.places.factories import rooms


@pytest.mark.django_db(transaction=True)
def test_the_same_client_key_sent_twice_at_once_is_written_once(world):
    rooms(world.partnership, 10, prefix="S", area_type="sanitary")
    inspection = sample_draw(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date="2026-02-12",
        areas=[{"area_type": "sanitary"}],
        seed=5,
    )
    sampled = inspection.sampled_rooms.first()
    key = uuid.uuid4()
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            answers.append(
                room_result_record(
                    actor=world.supplier_lead,
                    sampled_room=SampledRoom.objects.get(pk=sampled.pk),
                    client_key=key,
                    state="inspected",
                    elements=[{"element": "Floor", "dirt": 1}, {"element": "Mirror"}],
                )
            )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert not errors, errors
    assert sorted(written for _answer, written in answers) == [False, True]
    assert answers[0][0] == answers[1][0]
    assert RoomResultWrite.objects.filter(client_key=key).count() == 1
    area = inspection.areas.get()
    assert (area.rooms_inspected, area.elements_checked, area.defects_dirt) == (1, 2, 1)
