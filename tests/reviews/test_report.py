"""The round's report: compiled from the round, frozen at publication, rendered as HTML and PDF.

PDFs are rendered for real (WeasyPrint) and read back with pypdf; each render costs a fraction
of a second, so the tests share a few renders instead of rendering per assertion.
"""

import datetime
import hashlib
import io
import json
from decimal import Decimal

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import formats, timezone, translation

from kpis.models import KPI
from reviews import report, report_render, services
from reviews.models import ActionItem, ReportFile, RoundState
from sti.models import Response
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.messaging.factories import ThreadFactory
from tests.reviews import factories

pytestmark = pytest.mark.django_db

KPI_NAMES = ("Cleanliness score", "Complaints answered within a day")
ACTION_TITLES = ("Report problems the same day", "Share the cleaning schedule weekly")
# The client member gives the supplier 4, 7, 8 (grade 6.33); the supplier lead gives the
# client 5 and 8 (grade 6.50). Shown with one decimal, like the STI pages.
GRADES = {"nl": ("6,3", "6,5"), "en": ("6.3", "6.5")}


def pdf_text(data: bytes) -> str:
    """The PDF's text with runs of white space as one space (table cells wrap lines)."""
    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _kpis(partnership):
    cleanliness = KPIFactory(partnership=partnership, name=KPI_NAMES[0], target=95, tolerance=5)
    complaints = KPIFactory(
        partnership=partnership,
        name=KPI_NAMES[1],
        unit="",
        direction="lower",
        target=2,
        tolerance=1,
        frequency="quarterly",
    )
    for month, value in ((4, 96), (5, 93), (6, 88)):
        MeasurementFactory(kpi=cleanliness, period_start=datetime.date(2026, month, 1), value=value)
    MeasurementFactory(kpi=complaints, period_start=datetime.date(2026, 4, 1), value=1)
    return cleanliness, complaints


def _round(world, state):
    _kpis(world.partnership)
    return factories.review_round(
        world.partnership,
        state,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )


def _published(world):
    review_round = _round(world, RoundState.DISCUSSED)
    for title, owner in zip(ACTION_TITLES, (world.supplier_lead, world.member), strict=True):
        factories.action(
            world.partnership, owner, world.facilitator, title=title, review_round=review_round
        )
    return services.round_publish(review_round=review_round, actor=world.facilitator)


@pytest.fixture
def published(world):
    return _published(world)


def _gettext(language, text):
    with translation.override(language):
        return translation.gettext(text)


# --- the PDF ---------------------------------------------------------------------------------


def test_pdf_holds_kpis_grades_and_actions_in_dutch_and_english(world, published):
    files = {f.language: f for f in report_render.store_report_files(review_round=published)}
    assert set(files) == {"nl", "en"}
    for language, stored in files.items():
        data = stored.file.open("rb").read()
        assert data.startswith(b"%PDF-")
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert stored.size == len(data)
        text = pdf_text(data)
        for name in (*KPI_NAMES, *ACTION_TITLES, world.partnership.title):
            assert name in text, (language, name)
        to_supplier, to_client = GRADES[language]
        assert to_supplier in text and to_client in text
        assert _gettext(language, "Client → supplier") in text
        assert _gettext(language, "On target") in text
    # The labels really are in the reader's language: Dutch ones only in the Dutch PDF. (Not
    # "Off target": the agenda proposed at closing stores titles such as "Buiten norm: <KPI>"
    # as data, in the language active then, and a report shows data as it was written.)
    dutch = _gettext("nl", "Values in this period")
    assert dutch != "Values in this period"
    assert dutch in pdf_text(files["nl"].file.open("rb").read())
    assert dutch not in pdf_text(files["en"].file.open("rb").read())


def test_published_report_does_not_change_when_data_changes_later(world, client, published):
    before = {f.language: f for f in report_render.store_report_files(review_round=published)}
    snapshot = json.dumps(published.report_snapshot, sort_keys=True)
    text_before = pdf_text(before["en"].file.open("rb").read())

    KPI.objects.filter(name=KPI_NAMES[0]).update(name="Renamed KPI")
    kpi = KPI.objects.get(name=KPI_NAMES[1])
    kpi.measurements.filter(period_start=datetime.date(2026, 4, 1)).update(value=Decimal(7))
    ActionItem.objects.filter(title=ACTION_TITLES[0]).update(title="Renamed action")
    # The live compilation sees the change; the frozen report does not.
    live = json.dumps(report.compile_report(review_round=published))
    assert "Renamed KPI" in live and "Renamed action" in live

    published.refresh_from_db()
    assert json.dumps(published.report_snapshot, sort_keys=True) == snapshot
    after = {f.language: f for f in report_render.store_report_files(review_round=published)}
    assert ReportFile.objects.filter(round=published).count() == 2  # once per language
    for language in ("nl", "en"):
        assert after[language].pk == before[language].pk
        data = after[language].file.open("rb").read()
        assert hashlib.sha256(data).hexdigest() == before[language].sha256
    assert pdf_text(after["en"].file.open("rb").read()) == text_before
    assert "Renamed" not in text_before

    world.member.language = "en"
    world.member.save()
    client.force_login(world.member)
    page = client.get(
        reverse("reviews:report", args=[world.partnership.pk, published.pk])
    ).content.decode()
    assert KPI_NAMES[0] in page and ACTION_TITLES[0] in page
    assert "Renamed" not in page
    assert before["en"].sha256 in page


def test_measurement_added_after_publishing_is_not_in_the_report(world, published):
    kpi = KPI.objects.get(name=KPI_NAMES[1])
    MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 1, 1), value=Decimal("41.75"))
    assert "41.75" in json.dumps(report.compile_report(review_round=published))
    published.refresh_from_db()
    assert "41.75" not in json.dumps(published.report_snapshot)
    assert "41,75" not in report_render.render_html(published.report_snapshot, "nl")


# --- what the report never shows -------------------------------------------------------------


def test_open_round_report_has_no_sti_figures_or_motivations(world, client):
    review_round = _round(world, RoundState.OPEN)
    snapshot = report.compile_report(review_round=review_round)
    assert snapshot["sti"] is None
    dumped = json.dumps(snapshot)
    assert "Problems reach us late." not in dumped
    assert "Pro-activity" not in dumped
    client.force_login(world.facilitator)
    url = reverse("reviews:report", args=[world.partnership.pk, review_round.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-testid="report-unavailable"' in page.content.decode()
    assert "Problems reach us late." not in page.content.decode()
    pdf = client.get(reverse("reviews:report_pdf", args=[world.partnership.pk, review_round.pk]))
    assert pdf.status_code == 404


def test_internal_thread_and_draft_rating_never_appear(world, client):
    review_round = _round(world, RoundState.CLOSED)
    inside = timezone.make_aware(datetime.datetime(2026, 5, 4, 10, 0))
    ThreadFactory(partnership=world.partnership, created_at=inside, category="complaint")
    ThreadFactory(
        partnership=world.partnership,
        created_at=inside,
        category="complaint",
        subject="Internal: supplier staffing",
        visibility="supplier_internal",
        side="supplier",
    )
    # A draft written by a viewer-less rater: never submitted, so never read.
    draft = Response.objects.create(
        survey=review_round.survey, respondent=world.manager, side="client", submitted_at=None
    )
    indicator = review_round.survey.indicator_set.indicators.get(name="Openness")
    draft.ratings.create(indicator=indicator, rated_side="supplier", score=1, motivation="DRAFT")

    snapshot = report.compile_report(review_round=review_round)
    assert snapshot["hub"]["threads"] == 1
    assert snapshot["hub"]["complaints"] == 1
    assert snapshot["sti"]["raters"] == {"client": 1, "supplier": 1}
    assert snapshot["sti"]["grade_to_supplier"] == "6.33"
    dumped = json.dumps(snapshot)
    assert "DRAFT" not in dumped and "Internal: supplier staffing" not in dumped
    # Motivations are shared with both sides: without names unless the partnership allows them.
    assert "Problems reach us late." in dumped
    assert world.member.display_name not in dumped

    client.force_login(world.supplier_lead)
    page = client.get(reverse("reviews:report", args=[world.partnership.pk, review_round.pk]))
    body = page.content.decode()
    assert 'data-testid="report-preview"' in body
    assert "DRAFT" not in body and "Internal: supplier staffing" not in body


def test_preview_pdf_of_a_closed_round_renders_inline(world, client):
    review_round = _round(world, RoundState.CLOSED)
    client.force_login(world.viewer)
    response = client.get(
        reverse("reviews:report_pdf", args=[world.partnership.pk, review_round.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="hospital-cleaning-2026-q2-preview-nl.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content)
    assert _gettext("nl", "Preview: this report changes until the round is published.") in text
    assert KPI_NAMES[0] in text and "6,3" in text
    assert not ReportFile.objects.exists()  # a preview is never stored


# --- access ----------------------------------------------------------------------------------


def test_report_page_and_pdf_access(world, client, published):
    report_render.store_report_files(review_round=published)
    page = reverse("reviews:report", args=[world.partnership.pk, published.pk])
    pdf = reverse("reviews:report_pdf", args=[world.partnership.pk, published.pk])
    for user in (world.member, world.viewer, world.supplier_lead, world.facilitator):
        client.force_login(user)
        assert client.get(page).status_code == 200, user
        response = client.get(pdf)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.outsider)
    assert client.get(page).status_code == 404
    assert client.get(pdf).status_code == 404
    other = reverse("reviews:report", args=[world.other_partnership.pk, published.pk])
    client.force_login(world.member)
    assert client.get(other).status_code == 404  # a round id under another partnership
    client.logout()
    assert client.get(page).status_code == 302
    assert client.get(pdf).status_code == 302


def test_report_api_access_and_language(world, client, published):
    stored = {f.language: f for f in report_render.store_report_files(review_round=published)}
    url = f"/api/v1/partnerships/{world.partnership.pk}/rounds/{published.pk}/report.pdf"
    assert client.get(url).status_code == 401
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
    for user in (world.member, world.facilitator):
        client.force_login(user)
        response = client.get(url, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        assert hashlib.sha256(data).hexdigest() == stored["nl"].sha256  # the user's language
    response = client.get(url + "?lang=en")
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == stored["en"].sha256
    missing = f"/api/v1/partnerships/{world.partnership.pk}/rounds/{published.pk + 999}/report.pdf"
    assert client.get(missing).status_code == 404


def test_pdf_is_rendered_and_stored_on_demand_when_the_worker_has_not(world, client, published):
    client.force_login(world.member)
    url = reverse("reviews:report_pdf", args=[world.partnership.pk, published.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert list(ReportFile.objects.values_list("language", flat=True)) == ["nl"]
    assert response["Content-Disposition"].endswith('filename="hospital-cleaning-2026-q2-nl.pdf"')


def test_renderer_fetches_nothing_from_the_network():
    fetcher = report_render._local_fetcher()
    for url in ("http://127.0.0.1/x.css", "https://example.org/logo.png", "file:///etc/passwd"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_compiling_runs_a_fixed_number_of_queries(world, django_assert_num_queries):
    review_round = _round(world, RoundState.CLOSED)
    factories.action(world.partnership, world.member, title="One", review_round=review_round)
    report.compile_report(review_round=review_round)  # loads what the round object caches
    with CaptureQueriesContext(connection) as small:
        report.compile_report(review_round=review_round)
    for n in range(3):
        kpi = KPIFactory(partnership=world.partnership, name=f"Extra {n}")
        MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 5, 1), value=90 + n)
        factories.action(
            world.partnership, world.supplier_lead, title=f"More {n}", review_round=review_round
        )
    with django_assert_num_queries(len(small.captured_queries)):
        snapshot = report.compile_report(review_round=review_round)
    assert len(snapshot["kpis"]) == 5 and len(snapshot["actions"]["agreed"]) == 4


# --- wording, dates and layout ---------------------------------------------------------------


def _pages(data: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(data)).pages]


def test_english_report_uses_unambiguous_dates_and_no_double_full_stop(world, client, published):
    world.member.language = "en"
    world.member.save()
    client.force_login(world.member)
    body = client.get(
        reverse("reviews:report", args=[world.partnership.pk, published.pk])
    ).content.decode()
    with translation.override("en"):
        moment = formats.date_format(timezone.localtime(published.published_at), "j F Y, H:i")
    assert f"Published: {moment}" in body
    assert ".." not in body.split('data-testid="report-published"')[1].split("</div>")[0]
    assert "p.m." not in body and "a.m." not in body

    text = pdf_text(report_render.render_pdf(published.report_snapshot, "en"))
    for action in ActionItem.objects.filter(round=published):
        assert f"{action.due_date.day} {action.due_date:%B %Y}" in text  # 19 December 2026
        assert f"{action.due_date:%m/%d/%Y}" not in text
    assert "1 April 2026 – 30 June 2026" in text


def test_published_page_offers_the_download_before_the_file_is_stored(world, client, published):
    world.member.language = "en"
    world.member.save()
    client.force_login(world.member)
    url = reverse("reviews:report", args=[world.partnership.pk, published.pk])
    body = client.get(url).content.decode()
    assert not ReportFile.objects.exists()
    pdf = reverse("reviews:report_pdf", args=[world.partnership.pk, published.pk])
    assert f'href="{pdf}" data-testid="report-download"' in body
    assert "being prepared" not in body and 'data-testid="report-sha256"' not in body
    assert client.get(pdf).status_code == 200  # stores the English file
    assert ReportFile.objects.get().sha256 in client.get(url).content.decode()


def test_motivations_heading_only_when_there_are_motivations(published):
    snapshot = published.report_snapshot
    assert "Motivations" in pdf_text(report_render.render_pdf(snapshot, "en"))
    bare = json.loads(json.dumps(snapshot))
    for indicator in bare["sti"]["indicators"]:
        indicator["motivations"] = []
    assert "Motivations" not in pdf_text(report_render.render_pdf(bare, "en"))
    assert "Motivations" not in report_render.render_html(bare, "en")


def test_hub_figures_stay_on_one_page_with_their_heading(published):
    # More KPI rows push the hub section down the page: wherever it lands, its heading and its
    # last row share a page.
    snapshot = json.loads(json.dumps(published.report_snapshot))
    kpi = snapshot["kpis"][0]
    heading_pages = set()
    for extra in range(0, 30, 4):
        snapshot["kpis"] = [{**kpi, "name": f"KPI {n}"} for n in range(extra + 1)]
        pages = _pages(report_render.render_pdf(snapshot, "en"))
        [heading] = [i for i, page in enumerate(pages) if "Hub figures" in page]
        assert "Median time to resolve" in pages[heading], extra
        heading_pages.add(heading)
    assert len(heading_pages) > 1  # the section did move across a page break


# --- a warm renderer at worker start ---------------------------------------------------------


def test_worker_start_warms_the_renderer_before_the_first_report(monkeypatch):
    """The Celery handlers render a small report and keep fonts and styles for the next ones."""
    from celery import signals

    from config import celery

    # The handlers are what the worker's signals call (in the worker itself with --pool=solo).
    assert celery.prepare_report_renderer in [r() for _key, r in signals.worker_init.receivers]
    assert celery.warm_report_renderer in [r() for _key, r in signals.worker_process_init.receivers]
    frozen = []
    monkeypatch.setattr(celery.gc, "freeze", lambda: frozen.append(True))  # not this test process
    monkeypatch.setattr(report_render, "_STYLESHEETS", [])
    monkeypatch.setattr(report_render, "_FONTS", type(report_render._FONTS)())
    rendered = []
    render_pdf = report_render.render_pdf

    def counting(snapshot, language, **kwargs):
        pdf = render_pdf(snapshot, language, **kwargs)
        rendered.append((language, pdf))
        return pdf

    monkeypatch.setattr(report_render, "render_pdf", counting)
    celery.prepare_report_renderer()
    assert len(report_render._STYLESHEETS) == 1 and not hasattr(report_render._FONTS, "value")
    celery.warm_report_renderer()
    assert [language for language, _pdf in rendered] == ["nl", "en"]  # Pango's fonts per language
    assert all("Tandem" in pdf_text(pdf) for _language, pdf in rendered)
    assert frozen == [True]
    # What the warm-up loaded is what the next report uses: the same fonts, the same stylesheet.
    fonts, [sheet] = report_render._FONTS.value[1], report_render._STYLESHEETS
    assert report_render._font_config() is fonts and report_render._stylesheets() == [sheet]


def test_warm_up_never_keeps_a_worker_from_starting(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise OSError("no fonts")

    monkeypatch.setattr(report_render, "render_pdf", broken)
    assert report_render.warm_up() is False
    assert "Warming up the report renderer failed" in caplog.text
