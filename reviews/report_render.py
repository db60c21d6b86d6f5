"""The round's report rendered: the HTML body and the PDF (WeasyPrint), and the frozen files.

Everything here works from a snapshot made by `reviews.report.compile_report`, in the reader's
language, so a published report renders the same whatever changed since. The PDF reads only data
URLs and our own static files.
"""

import datetime
import hashlib
import logging
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kpis import charts as kpi_charts
from kpis.status import Status
from partnership.uploads import random_name
from sti import charts as sti_charts

from .models import ReportFile, ReviewRound, RoundState

# WeasyPrint logs every step of every render at INFO: keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _date(value) -> datetime.date | None:
    return None if value is None else datetime.date.fromisoformat(value[:10])


def _moment(value) -> datetime.datetime | None:
    return None if value is None else datetime.datetime.fromisoformat(value)


def _kpi_row(kpi: dict) -> dict:
    history = [
        SimpleNamespace(value=_dec(h["value"]), status=Status(h["status"])) for h in kpi["history"]
    ]
    return {
        **kpi,
        "target": _dec(kpi["target"]),
        "tolerance": _dec(kpi["tolerance"]),
        "values": [{**v, "value": _dec(v["value"])} for v in kpi["values"]],
        "sparkline": kpi_charts.sparkline(
            history, target=_dec(kpi["target"]), label=str(kpi["name"])
        ),
    }


def _sti_context(sti: dict | None) -> dict | None:
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
            "bars": bars,
            "gap": sti_charts.perception_gap(
                gap_rows, label=translation.gettext("Perception gap per indicator")
            ),
            "trend": sti_charts.grade_trend(
                trend_points, label=translation.gettext("Grade over the quarters")
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


def render_context(snapshot: dict) -> dict:
    """The snapshot with numbers, dates and charts ready for the templates (active language).

    Sections missing from a snapshot (one frozen by an older version) render as empty.
    """
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
        "sti": _sti_context(snapshot["sti"]),
        "kpis": [_kpi_row(k) for k in snapshot["kpis"]],
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


def _stylesheets() -> list:
    """The print stylesheet, parsed once per process."""
    if not _STYLESHEETS:
        from weasyprint import CSS

        path = finders.find("css/report-print.css")
        _STYLESHEETS.append(CSS(filename=path, url_fetcher=_local_fetcher()))
    return _STYLESHEETS


def render_document(snapshot: dict, language: str, *, preview: bool = False):
    """The laid-out WeasyPrint document (pages known), for `render_pdf` and the bench."""
    from weasyprint import HTML

    with translation.override(language):
        context = {**render_context(snapshot), "language": language, "preview": preview}
        html = render_to_string("reviews/report_pdf.html", context)
        base = settings.STATICFILES_DIRS[0] if settings.STATICFILES_DIRS else None
        return HTML(string=html, base_url=str(base), url_fetcher=_local_fetcher()).render(
            stylesheets=_stylesheets()
        )


def render_pdf(snapshot: dict, language: str, *, preview: bool = False) -> bytes:
    """The report as a PDF (A4, header with partnership and period, page numbers)."""
    return render_document(snapshot, language, preview=preview).write_pdf()


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
