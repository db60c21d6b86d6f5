"""The round's report rendered: the HTML body and the PDF (WeasyPrint), and the frozen files.

Everything here works from a snapshot made by `reviews.report.compile_report`, in the reader's
language, so a published report renders the same whatever changed since. The PDF reads only data
URLs and our own static files.
"""

import base64
import contextlib
import datetime
import gc
import hashlib
import logging
import os
import re
import threading
import time
from decimal import Decimal
from html import unescape
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import format_html

from kpis import charts as kpi_charts
from kpis.status import Status
from partnership.uploads import random_name
from sti import charts as sti_charts

from .models import ReportFile, ReviewRound, RoundState

# WeasyPrint logs every step of every render at INFO: keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logger = logging.getLogger(__name__)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value[:10])


def _moment(value) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


_ARIA_LABEL = re.compile(r'aria-label="([^"]*)"')
_SVG_CLASS = re.compile(r'<svg class="([^"]*)"')


def _as_image(svg: str) -> str:
    """An inline chart as an `<img>` of the same SVG, for the PDF.

    WeasyPrint draws the same picture either way, but an inline `<svg>` is parsed by the (pure
    Python) HTML parser and every shape and text of it goes through the CSS cascade; as an image
    it is read by the XML parser and skips the page's cascade. The alt text is the chart's label.
    """
    if not svg:
        return svg
    if "xmlns=" not in svg[:300]:
        svg = svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1)
    label = _ARIA_LABEL.search(svg)
    css = _SVG_CLASS.search(svg)
    # The label is copied as it stands in the SVG, where format_html has already escaped it.
    return format_html(
        '<img class="{}" alt="{}" src="data:image/svg+xml;base64,{}">',
        css.group(1) if css else "chart",
        "" if label is None else unescape(label.group(1)),
        base64.b64encode(svg.encode()).decode("ascii"),
    )


def _kpi_row(kpi: dict, chart=lambda svg: svg) -> dict:
    history = [
        SimpleNamespace(value=_dec(h["value"]), status=Status(h["status"])) for h in kpi["history"]
    ]
    return {
        **kpi,
        "target": _dec(kpi["target"]),
        "tolerance": _dec(kpi["tolerance"]),
        "values": [{**v, "value": _dec(v["value"])} for v in kpi["values"]],
        "sparkline": chart(
            kpi_charts.sparkline(history, target=_dec(kpi["target"]), label=str(kpi["name"]))
        ),
    }


def _sti_context(sti: dict | None, chart=lambda svg: svg) -> dict | None:
    if sti is None:
        return None
    indicators = []
    for ind in sti["indicators"]:
        row = dict(ind)
        for key in ("to_supplier", "to_client"):
            if ind[key]:
                row[key] = {
                    **ind[key],
                    "mean": _dec(ind[key]["mean"]),
                    "spread": _dec(ind[key]["spread"]),
                }
        for key in (
            "change_to_supplier",
            "change_to_client",
            "self_supplier",
            "self_client",
            "gap_supplier",
            "gap_client",
        ):
            row[key] = _dec(ind[key])
        indicators.append(row)
    bars = sti_charts.indicator_bars(
        [
            (
                i["name"],
                i["to_supplier"] and i["to_supplier"]["mean"],
                i["to_client"] and i["to_client"]["mean"],
            )
            for i in indicators
        ],
        label=translation.gettext("Mean score per indicator"),
    )
    gap_rows = [
        (i["name"], side, i[f"self_{side}"], (i[f"to_{side}"] or {}).get("mean"))
        for i in indicators
        for side in ("supplier", "client")
        if i[f"gap_{side}"] is not None
    ]
    trend_points = [
        (t["period"], _dec(t["to_supplier"]), _dec(t["to_client"])) for t in sti["trend"]
    ]
    return {
        **sti,
        "grade_to_supplier": _dec(sti["grade_to_supplier"]),
        "grade_to_client": _dec(sti["grade_to_client"]),
        "change_to_supplier": _dec(sti["change_to_supplier"]),
        "change_to_client": _dec(sti["change_to_client"]),
        "indicators": indicators,
        "has_motivations": any(i.get("motivations") for i in indicators),
        "gap_rows": gap_rows,
        "charts": {
            "bars": chart(bars),
            "gap": chart(
                sti_charts.perception_gap(
                    gap_rows, label=translation.gettext("Perception gap per indicator")
                )
            ),
            "trend": chart(
                sti_charts.grade_trend(
                    trend_points, label=translation.gettext("Grade over the quarters")
                )
            )
            if len(trend_points) > 1
            else "",
        },
    }


def _hours(seconds) -> Decimal | None:
    return None if seconds is None else (Decimal(seconds) / 3600).quantize(Decimal("0.1"))


EMPTY = {
    "compiled_at": None,
    "partnership": {"id": "", "title": "", "client": "", "supplier": ""},
    "round": {"period_label": "", "period_start": None, "period_end": None, "state": ""},
    "facilitators": [],
    "session": None,
    "sti": None,
    "kpis": [],
    "inspections": {"score": None, "pass_rate": None, "areas": 0, "items": []},
    "hub": {
        "threads": 0,
        "complaints": 0,
        "incidents": 0,
        "responded": 0,
        "unanswered": 0,
        "median_first_response_seconds": None,
        "median_time_to_resolve_seconds": None,
    },
    "agenda": {"items": [], "decisions": []},
    "actions": {"agreed": [], "carried_over": []},
}


def render_context(snapshot: dict, *, pdf: bool = False) -> dict:
    """The snapshot with numbers, dates and charts ready for the templates (active language).

    Sections missing from a snapshot (one frozen by an older version) render as empty. For the
    PDF (`pdf`), the charts are images of the same SVG (see `_as_image`); the page has them inline.
    """
    chart = _as_image if pdf else (lambda svg: svg)
    snapshot = {**EMPTY, **(snapshot or {})}
    rnd = snapshot["round"]
    inspections = snapshot["inspections"]
    hub = snapshot["hub"]
    session = snapshot["session"]
    return {
        "report": snapshot,
        "partnership": snapshot["partnership"],
        "round": {
            **rnd,
            "period_start": _date(rnd["period_start"]),
            "period_end": _date(rnd["period_end"]),
        },
        "facilitators": snapshot["facilitators"],
        "session": None
        if session is None
        else {**session, "starts_at": _moment(session["starts_at"])},
        "sti": _sti_context(snapshot["sti"], chart),
        "kpis": [_kpi_row(k, chart) for k in snapshot["kpis"]],
        "inspections": {
            **inspections,
            "score": _dec(inspections["score"]),
            "pass_rate": _dec(inspections["pass_rate"]),
            "items": [
                {
                    **i,
                    "date": _date(i["date"]),
                    "score": _dec(i["score"]),
                    "pass_rate": _dec(i["pass_rate"]),
                }
                for i in inspections["items"]
            ],
        },
        "hub": {
            **hub,
            "first_response_hours": _hours(hub["median_first_response_seconds"]),
            "resolve_hours": _hours(hub["median_time_to_resolve_seconds"]),
        },
        "agenda": snapshot["agenda"],
        "actions": {
            key: [{**a, "due_date": _date(a["due_date"])} for a in actions]
            for key, actions in snapshot["actions"].items()
        },
        "compiled_at": _moment(snapshot["compiled_at"]),
    }


def render_html(snapshot: dict, language: str) -> str:
    """The report's body as HTML, for a page that wraps it (labels in `language`)."""
    with translation.override(language):
        return render_to_string("reviews/report_body.html", render_context(snapshot))


def _static_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    if settings.STATIC_ROOT:
        roots.append(Path(settings.STATIC_ROOT).resolve())
    return roots


def _local_fetcher():
    """A WeasyPrint fetcher that reads only data: URLs and files under the static folders."""
    from weasyprint.urls import URLFetcher

    class LocalOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("file://"):
                from urllib.parse import unquote, urlsplit

                path = Path(unquote(urlsplit(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in _static_roots()):
                    raise ValueError(f"Refused outside the static files: {url}")
            elif not url.startswith("data:"):
                raise ValueError(f"Refused (no network in reports): {url}")
            return super().fetch(url, headers)

    return LocalOnly(allowed_protocols=("file", "data"), allow_redirects=False)


_STYLESHEETS: list = []
_FONTS = threading.local()


def _stylesheets() -> list:
    """The print stylesheet, parsed once per process."""
    if not _STYLESHEETS:
        from weasyprint import CSS

        path = finders.find("css/report-print.css")
        _STYLESHEETS.append(CSS(filename=path, url_fetcher=_local_fetcher()))
    return _STYLESHEETS


def _font_config():
    """WeasyPrint's font configuration, made once per process and thread.

    Left to itself WeasyPrint makes a new one per document: fontconfig loads its configuration
    and font list again and Pango starts with empty font caches. Kept, the fonts found for the
    first report serve the next ones. Per thread, as Pango's font map is not thread-safe; per
    process id, so a forked child never uses its parent's.
    """
    pid = os.getpid()
    cached = getattr(_FONTS, "value", None)
    if cached is None or cached[0] != pid:
        from weasyprint.text.fonts import FontConfiguration

        cached = _FONTS.value = (pid, FontConfiguration())
    return cached[1]


@contextlib.contextmanager
def _gc_paused():
    """No cyclic garbage collection while WeasyPrint works.

    A render allocates a few hundred thousand short-lived objects, which makes the collector run
    over every object of the process (Django, the apps, the worker) several times per report. The
    cycles left behind (a few megabytes) go at the next collection after the render.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _html(snapshot: dict, language: str, preview: bool) -> str:
    with translation.override(language):
        context = {**render_context(snapshot, pdf=True), "language": language, "preview": preview}
        return render_to_string("reviews/report_pdf.html", context)


def render_document(snapshot: dict, language: str, *, preview: bool = False):
    """The laid-out WeasyPrint document (pages known), for `render_pdf` and the bench."""
    from weasyprint import HTML

    html = _html(snapshot, language, preview)
    base = settings.STATICFILES_DIRS[0] if settings.STATICFILES_DIRS else None
    with _gc_paused():
        return HTML(string=html, base_url=str(base), url_fetcher=_local_fetcher()).render(
            stylesheets=_stylesheets(), font_config=_font_config()
        )


def render_pdf(snapshot: dict, language: str, *, preview: bool = False) -> bytes:
    """The report as a PDF (A4, header with partnership and period, page numbers)."""
    with _gc_paused():
        return render_document(snapshot, language, preview=preview).write_pdf()


# --- warming up ------------------------------------------------------------------------------

# What the warm-up renders: a page or two with the report's header, tables, bold text and charts.
_WARM_UP_SCORES = {"n": 2, "mean": "7.5", "spread": "0.5", "min": 7, "max": 8}
WARM_UP_SNAPSHOT = {
    "partnership": {"id": "", "title": "Tandem", "client": "Tandem", "supplier": "Tandem"},
    "round": {"period_label": "2000-Q1", "period_start": "2000-01-01", "period_end": "2000-03-31"},
    "kpis": [
        {
            "name": "KPI",
            "unit": "%",
            "direction": "higher",
            "frequency": "monthly",
            "target": "90",
            "tolerance": "5",
            "values": [{"period": "2000-01", "value": "91", "status": "green"}],
            "status": "green",
            "history": [
                {"period": "1999-12", "value": "80", "status": "red"},
                {"period": "2000-01", "value": "91", "status": "green"},
            ],
        }
    ],
    "sti": {
        "survey_period": "2000-Q1",
        "previous_period": "1999-Q4",
        "raters": {"client": 2, "supplier": 2},
        "grade_to_supplier": "7.5",
        "grade_to_client": "7.5",
        "change_to_supplier": "0.5",
        "change_to_client": "-0.5",
        "trend": [
            {"period": "1999-Q4", "to_supplier": "7", "to_client": "8"},
            {"period": "2000-Q1", "to_supplier": "7.5", "to_client": "7.5"},
        ],
        "show_rater_names": False,
        "indicators": [
            {
                "name": "Tandem",
                "rated_side": "both",
                "to_supplier": _WARM_UP_SCORES,
                "to_client": _WARM_UP_SCORES,
                "change_to_supplier": "0.5",
                "change_to_client": "-0.5",
                "self_supplier": "8",
                "self_client": "7",
                "gap_supplier": "0.5",
                "gap_client": "-0.5",
                "motivations": [],
            }
        ],
    },
}


def prepare() -> None:
    """Import WeasyPrint and parse the print stylesheet, without laying anything out.

    Modules and parsed CSS, which a process may build before it forks (a Celery worker before its
    pool starts) for its children to inherit; fonts are left to `warm_up` in each process that
    renders.
    """
    try:
        import weasyprint  # noqa: F401

        _stylesheets()
    except Exception:
        logger.exception("Preparing the report renderer failed")


def warm_up() -> bool:
    """Load WeasyPrint, the print stylesheet, the templates and the fonts before the first report.

    The first render in a process pays for importing WeasyPrint, parsing its user-agent and our
    print stylesheets and fontconfig's and Pango's first font lookups (seconds, against a fraction
    of one for the next). A worker or web process calls this at start (config/celery.py,
    config/wsgi.py): a short report rendered in every language and thrown away. Never raises: a
    process that cannot warm up still starts, and its first report shows the error.
    """
    start = time.monotonic()
    try:
        # Every language: Pango's font sets, Django's formats and catalogs are per language.
        for language, _name in settings.LANGUAGES:
            render_pdf(WARM_UP_SNAPSHOT, language)
    except Exception:
        logger.exception("Warming up the report renderer failed")
        return False
    logger.info(
        "Report renderer warm in %.0f ms (pid %s)", (time.monotonic() - start) * 1000, os.getpid()
    )
    return True


# --- storing ---------------------------------------------------------------------------------


def report_file(*, review_round: ReviewRound, language: str) -> ReportFile | None:
    return ReportFile.objects.filter(
        round=review_round, edition=review_round.report_edition, language=language
    ).first()


def _store_one(review_round: ReviewRound, language: str) -> ReportFile:
    existing = report_file(review_round=review_round, language=language)
    if existing is not None:
        return existing
    pdf = render_pdf(review_round.report_snapshot, language)
    now = timezone.now()
    name = default_storage.save(random_name(f"reports/{now:%Y/%m}", "pdf"), ContentFile(pdf))
    try:
        with transaction.atomic():
            return ReportFile.objects.create(
                round=review_round,
                language=language,
                edition=review_round.report_edition,
                file=name,
                sha256=hashlib.sha256(pdf).hexdigest(),
                size=len(pdf),
            )
    except IntegrityError:
        # Another worker stored this language first: keep theirs, drop ours.
        default_storage.delete(name)
        return ReportFile.objects.get(
            round=review_round, edition=review_round.report_edition, language=language
        )


def store_report_files(
    *, review_round: ReviewRound, languages: list[str] | None = None
) -> list[ReportFile]:
    """Render and store the frozen PDFs of a published round, one per language; idempotent."""
    if review_round.state != RoundState.PUBLISHED or review_round.report_snapshot is None:
        return []
    codes = languages or [code for code, _name in settings.LANGUAGES]
    return [_store_one(review_round, code) for code in codes]
