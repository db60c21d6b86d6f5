import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kpis.models import KPI, Measurement
from partnership.periods import Period
from tests.kpis.factories import KPIFactory, MeasurementFactory

pytestmark = pytest.mark.django_db


def base(world):
    return f"/partnerships/{world.partnership.pk}/kpis/"


def test_board_shows_a_viewer_the_kpi_and_its_chart(client, world):
    KPIFactory(partnership=world.partnership, name="Pass rate")
    client.force_login(world.viewer)
    page = client.get(base(world)).content.decode()
    assert "Pass rate" in page and "<svg" in page


@pytest.mark.parametrize("suffix", ["new/", "library/"])
def test_definition_pages_manager_200_member_403(client, world, suffix):
    client.force_login(world.manager)
    assert client.get(base(world) + suffix).status_code == 200
    client.force_login(world.member)
    assert client.get(base(world) + suffix).status_code == 403


def test_library_copy_then_edit(client, world):
    client.force_login(world.manager)
    response = client.post(base(world) + "library/", {"key": "cleaning.complaints"})
    kpi = KPI.objects.get(partnership=world.partnership)
    assert response["Location"] == f"{base(world)}{kpi.pk}/edit/"
    assert kpi.direction == "lower" and kpi.source == "client"


def test_board_marks_a_missing_period_as_missing_not_zero(client, world):
    kpi = KPIFactory(partnership=world.partnership)
    last = Period.containing(datetime.date.today(), "monthly").previous()
    MeasurementFactory(kpi=kpi, period_start=last.previous().start, value=Decimal(99))
    client.force_login(world.manager)
    page = client.get(base(world), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 missing" in page and "0 on target" in page


def test_supplier_enters_a_value_inline_with_htmx(client, world):
    kpi = KPIFactory(partnership=world.partnership, source="supplier", target=95, tolerance=5)
    client.force_login(world.supplier_lead)
    response = client.post(
        f"{base(world)}{kpi.pk}/measurements/",
        {"period": "2026-02", "value": "80", "note": "staff shortage"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 200 and "Off target" in body and "<html" not in body
    assert Measurement.objects.get(kpi=kpi).value == Decimal(80)


def test_value_entry_bad_input_and_wrong_side(client, world):
    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    client.force_login(world.supplier_lead)
    response = client.post(
        f"{base(world)}{kpi.pk}/measurements/",
        {"period": "2026-13", "value": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Enter a period like 2026-03." in response.content.decode()
    client.force_login(world.member)  # client side: a supplier-reported KPI is not theirs
    response = client.post(
        f"{base(world)}{kpi.pk}/measurements/",
        {"period": "2026-01", "value": "1"},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Only the supplier reports this KPI." in response.content.decode()
    client.force_login(world.viewer)
    assert client.post(f"{base(world)}{kpi.pk}/measurements/", {}).status_code == 403
    assert not Measurement.objects.filter(kpi=kpi).exists()


def _board_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def _kpis_with_history(partnership, count):
    start = Period.containing(datetime.date.today(), "monthly")
    for i in range(count):
        kpi = KPIFactory(partnership=partnership, name=f"KPI {partnership.pk} {i}")
        period = start
        for _ in range(24):
            period = period.previous()
            Measurement.objects.create(kpi=kpi, period_start=period.start, value=90 + i % 10)


def test_board_query_count_is_constant_for_5_and_40_kpis(client, world):
    _kpis_with_history(world.partnership, 5)
    _kpis_with_history(world.other_partnership, 40)
    from tests import factories as f

    other_manager = f.participant(world.other_partnership, "client", role="admin")
    client.force_login(world.manager)
    five = _board_queries(client, base(world))
    client.force_login(other_manager)
    forty = _board_queries(client, f"/partnerships/{world.other_partnership.pk}/kpis/")
    assert five == forty


def test_dashboard_and_overview_show_the_kpi_summary(client, world):
    kpi = KPIFactory(partnership=world.partnership, target=95, tolerance=5)
    last = Period.containing(datetime.date.today(), "monthly").previous()
    MeasurementFactory(kpi=kpi, period_start=last.start, value=Decimal(50))
    KPIFactory(partnership=world.partnership, name="Unmeasured")
    client.force_login(world.manager)
    for path in ("/", world.partnership.get_absolute_url()):
        page = client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "1 off target" in page and "1 missing" in page, path


def test_dashboard_query_count_stays_constant_with_kpis(client, world):
    KPIFactory(partnership=world.partnership)  # with no KPI at all the prefetch is skipped
    client.force_login(world.manager)
    before = _board_queries(client, "/")
    _kpis_with_history(world.partnership, 6)
    assert _board_queries(client, "/") == before


def test_board_exports_as_csv_and_xlsx(client, world):
    import io

    from openpyxl import load_workbook

    world.contract.start_date = datetime.date.today() - datetime.timedelta(days=800)
    world.contract.save()  # the contract covers the whole board
    kpi = KPIFactory(partnership=world.partnership, name="=HYPERLINK(evil)")
    last = Period.containing(datetime.date.today(), "monthly").previous()
    MeasurementFactory(kpi=kpi, period_start=last.start, value=Decimal("96.5"))
    client.force_login(world.viewer)
    response = client.get(base(world) + "export.csv", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert response["Content-Disposition"].startswith("attachment;")
    assert lines[0].startswith("KPI;Period;Value")
    assert len(lines) == 1 + 12  # one row per period, missing ones included
    assert f"'=HYPERLINK(evil);{last.label};96.50" in text  # formulas are neutralised
    response = client.get(base(world) + "export.xlsx", HTTP_ACCEPT_LANGUAGE="en")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 13 and sheet["A1"].value == "KPI"
    client.force_login(world.outsider)
    assert client.get(base(world) + "export.csv").status_code == 404


def test_value_with_evidence_pdf_is_downloadable_only_inside(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    client.force_login(world.supplier_lead)
    pdf = SimpleUploadedFile("../report march.pdf", b"%PDF-1.4\n% test\n", "application/pdf")
    client.post(
        f"{base(world)}{kpi.pk}/measurements/",
        {"period": "2026-03", "value": "97", "evidence": pdf},
    )
    m = Measurement.objects.get(kpi=kpi)
    assert m.evidence_type == "application/pdf" and "report" not in m.evidence.name
    url = f"{base(world)}{kpi.pk}/measurements/{m.pk}/evidence/"
    client.force_login(world.viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert 'filename="report_march.pdf"' in response["Content-Disposition"]
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_evidence_that_is_not_a_pdf_or_photo_is_refused(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    kpi = KPIFactory(partnership=world.partnership, source="supplier")
    client.force_login(world.supplier_lead)
    exe = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    response = client.post(
        f"{base(world)}{kpi.pk}/measurements/",
        {"period": "2026-03", "value": "97", "evidence": exe},
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Upload a PDF or a JPEG, PNG or WebP image." in response.content.decode()
    assert not Measurement.objects.filter(kpi=kpi).exists()
