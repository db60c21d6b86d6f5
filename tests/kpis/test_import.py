import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kpis.models import Measurement
from tests.kpis.factories import KPIFactory

pytestmark = pytest.mark.django_db


def url(world):
    return f"/partnerships/{world.partnership.pk}/kpis/import/"


def upload(name, content):
    return {"file": SimpleUploadedFile(name, content)}


@pytest.fixture
def kpis(world):
    return (
        KPIFactory(partnership=world.partnership, name="Pass rate", source="supplier"),
        KPIFactory(partnership=world.partnership, name="Response time", source="supplier"),
    )


def test_csv_import_writes_all_rows(client, world, kpis):
    client.force_login(world.supplier_lead)
    content = (
        "KPI;Periode;Waarde;Toelichting\nPass rate;2026-01;96,5;\nResponse time;2026-01;3;ok\n"
    )
    response = client.post(url(world), upload("values.csv", content.encode()))
    assert response.status_code == 302
    assert Measurement.objects.get(kpi=kpis[0]).value == Decimal("96.5")
    assert Measurement.objects.count() == 2


def test_one_bad_row_writes_nothing_and_names_the_row(client, world, kpis):
    client.force_login(world.supplier_lead)
    content = "KPI,Period,Value\nPass rate,2026-01,96\n\nResponse time,2026-13,3\nNope,2026-01,1\n"
    response = client.post(
        url(world), upload("values.csv", content.encode()), HTTP_ACCEPT_LANGUAGE="en"
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Measurement.objects.exists()
    assert "<td>4</td><td>Period</td>" in page  # file row 4 (a blank line is row 3)
    assert "<td>5</td><td>KPI</td><td>Unknown KPI.</td>" in page


def test_xlsx_import_by_content_with_real_dates(client, world, kpis):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Value", "KPI", "Period"])
    sheet.append([97, "Pass rate", datetime.date(2026, 2, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(world.supplier_lead)
    response = client.post(url(world), upload("upload.bin", buffer.getvalue()))
    assert response.status_code == 302
    assert Measurement.objects.get(kpi=kpis[0]).period_start == datetime.date(2026, 2, 1)


def test_import_errors_for_bad_files_and_roles(client, world, kpis):
    client.force_login(world.supplier_lead)
    response = client.post(
        url(world), upload("v.csv", b"Name;When\nx;y\n"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "must name the columns" in response.content.decode()
    response = client.post(
        url(world), upload("v.xlsx", b"PK\x03\x04broken"), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "not a readable Excel file" in response.content.decode()
    client.force_login(world.viewer)
    assert client.get(url(world)).status_code == 403
    client.force_login(world.outsider)
    assert client.get(url(world)).status_code == 404


def test_templates_have_headers_in_the_page_language_and_both_languages_import(client, world, kpis):
    from openpyxl import load_workbook

    client.force_login(world.supplier_lead)
    csv_nl = client.get(url(world) + "template.csv").content.decode("utf-8-sig")
    assert csv_nl.splitlines()[0] == "KPI;Periode;Waarde;Toelichting"
    assert "Pass rate;" in csv_nl and "Response time;" in csv_nl
    xlsx_en = client.get(url(world) + "template.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = load_workbook(io.BytesIO(xlsx_en.content)).active
    assert [c.value for c in sheet[1]] == ["KPI", "Period", "Value", "Note"]
    page = client.get(url(world)).content.decode()
    assert "KPI;Periode;Waarde;Toelichting" in page and "Period;Value" not in page
    english = "KPI;Period;Value\nPass rate;2026-01;96\n"
    assert client.post(url(world), upload("en.csv", english.encode())).status_code == 302
    client.force_login(world.viewer)  # may not import: neither page nor template
    assert client.get(url(world) + "template.csv").status_code == 403


def test_an_import_that_would_overwrite_lists_the_rows_and_needs_confirmation(client, world, kpis):
    from tests.kpis.factories import MeasurementFactory

    MeasurementFactory(kpi=kpis[0], period_start=datetime.date(2026, 1, 1), value=Decimal("4.3"))
    client.force_login(world.supplier_lead)
    content = "KPI;Periode;Waarde\nPass rate;2026-01;2,9\nResponse time;2026-01;3\n"
    asked = client.post(url(world), upload("values.csv", content.encode()))
    page = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="import-overwrite"' in page
    assert "<td>2</td><td>Pass rate</td><td>2026-01</td>" in page and "4,3" in page
    assert Measurement.objects.count() == 1  # nothing written yet
    done = client.post(url(world), {"confirm": "1"})
    assert done.status_code == 302
    assert Measurement.objects.get(kpi=kpis[0]).value == Decimal("2.9")
    assert Measurement.objects.count() == 2
    assert client.post(url(world), {"confirm": "1"}).status_code == 200  # used up


def test_a_future_period_is_a_row_error_and_old_periods_are_explained(client, world, kpis):
    from partnership.periods import Period

    client.force_login(world.supplier_lead)
    future = Period.containing(datetime.date.today(), "monthly").next().label
    content = f"KPI;Periode;Waarde\nPass rate;{future};1\n"
    page = client.post(url(world), upload("v.csv", content.encode())).content.decode()
    assert "<td>2</td><td>Periode</td>" in page and "nog niet voorbij" in page
    assert not Measurement.objects.exists()
    old = "KPI;Periode;Waarde\nPass rate;2024-01;1\n"
    response = client.post(url(world), upload("v.csv", old.encode()), follow=True)
    assert (
        "2024-01" in response.content.decode() and "niet op het bord" in response.content.decode()
    )
