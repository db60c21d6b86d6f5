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
    assert "<td>4</td><td>period</td>" in page  # file row 4 (a blank line is row 3)
    assert "<td>5</td><td>kpi</td><td>Unknown KPI.</td>" in page


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
