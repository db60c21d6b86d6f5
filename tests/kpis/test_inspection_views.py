import datetime

import pytest

from kpis.models import Inspection

pytestmark = pytest.mark.django_db


def base(world):
    return f"/partnerships/{world.partnership.pk}/kpis/inspections/"


def area_post(**extra):
    data = {
        "kind": "dks",
        "date": "2026-02-12",
        "notes": "",
        "areas-TOTAL_FORMS": "2",
        "areas-INITIAL_FORMS": "0",
        "areas-MIN_NUM_FORMS": "1",
        "areas-MAX_NUM_FORMS": "20",
        "areas-0-area_type": "sanitary",
        "areas-0-lot_size": "120",
        "areas-0-aql": "",
        "areas-0-rooms_inspected": "20",
        "areas-0-elements_checked": "200",
        "areas-0-defects_dirt": "3",
        "areas-0-defects_method": "0",
        "areas-0-defects_material": "0",
        # an untouched second row is ignored
        "areas-1-area_type": "office",
        "areas-1-lot_size": "",
        "areas-1-aql": "",
        "areas-1-rooms_inspected": "",
        "areas-1-elements_checked": "",
        "areas-1-defects_dirt": "0",
        "areas-1-defects_method": "0",
        "areas-1-defects_material": "0",
    }
    data.update(extra)
    return data


def test_supplier_records_an_inspection_and_sees_the_verdict(client, world):
    client.force_login(world.supplier_lead)
    assert client.get(base(world) + "new/").status_code == 200
    response = client.post(base(world) + "new/", area_post())
    inspection = Inspection.objects.get(partnership=world.partnership)
    assert response["Location"] == f"{base(world)}{inspection.pk}/"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Rejected" in page and "98.5%" in page  # 3 defects > Ac 2; 197 of 200 clean


def test_inspection_form_errors_keep_everything_unwritten(client, world):
    client.force_login(world.supplier_lead)
    response = client.post(
        base(world) + "new/",
        area_post(**{"areas-0-rooms_inspected": "500"}),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "More rooms inspected than there are." in response.content.decode()
    assert not Inspection.objects.exists()


def test_access_to_inspection_pages(client, world):
    client.force_login(world.viewer)
    assert client.get(base(world)).status_code == 200
    assert client.get(base(world) + "new/").status_code == 403
    client.force_login(world.outsider)
    assert client.get(base(world)).status_code == 404


def test_the_form_proposes_the_sample_size(client, world):
    client.force_login(world.supplier_lead)
    response = client.get(
        base(world) + "plan/",
        {"areas-0-area_type": "office", "areas-0-lot_size": "1000", "areas-0-aql": ""},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Inspect 80 rooms" in response.content.decode()


def test_a_short_sample_is_said_in_the_verdict_and_zero_percent_is_a_value(client, world):
    from kpis.services_inspections import inspection_record

    inspection = inspection_record(
        actor=world.supplier_lead,
        partnership=world.partnership,
        kind="dks",
        date=datetime.date(2026, 3, 2),
        areas=[
            {
                "area_type": "sanitary",
                "lot_size": 120,
                "rooms_inspected": 13,
                "elements_checked": 10,
                "defects_dirt": 10,
            }
        ],
    )
    area = inspection.areas.get()
    assert area.sample_size == 20 and area.sample_short
    client.force_login(world.viewer)
    base = f"/partnerships/{world.partnership.pk}/kpis/inspections/"
    detail = client.get(f"{base}{inspection.pk}/").content.decode()
    assert 'data-testid="sample-short"' in detail and "13" in detail and "20" in detail
    assert "0,0%" in detail and "—%" not in detail
    listing = client.get(base).content.decode()
    assert "0,0%" in listing and "—%" not in listing
