"""The round's report: compiled once into plain data, rendered as an HTML page and as a PDF.

`compile_report` reads the round's figures (KPIs, inspections, STI results, hub figures, the
session's minutes, decisions and actions) into a JSON-serialisable, language-neutral dict:
numbers as strings, dates ISO, statuses as keys, user data as typed. Publishing stores it in
`ReviewRound.report_snapshot`, so the published page and the PDFs render from it and never change
when the data changes later. Labels are translated at render time, in the reader's language.

Nothing side-internal goes in: hub figures count shared threads only, STI figures come from
submitted responses of a closed survey only (an open round's report has no STI section at all),
and raters are named only when the partnership lets the other side see names (the report is read
by both sides).
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
from kpis import selectors as kpi_selectors
from kpis.services_inspections import inspection_scores
from kpis.status import Status
from messaging import selectors as hub_selectors
from partnership.uploads import random_name
from sti import charts as sti_charts
from sti import results as sti_results
from sti.models import Survey, SurveyState
from sti.selectors import settings_for as sti_settings_for

from . import calendar, selectors
from .models import ReportFile, ReviewRound, RoundState

# WeasyPrint logs every step of every render at INFO: keep its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

SNAPSHOT_VERSION = 1
TREND_SURVEYS = 6
KPI_HISTORY = 12


def _s(value) -> str | None:
    """A number as a string (exact, language-neutral), or None."""
    return None if value is None else str(value)


def _iso(value) -> str | None:
    return None if value is None else value.isoformat()


# --- compiling -------------------------------------------------------------------------------


def compile_report(*, review_round: ReviewRound, now: datetime.datetime | None = None) -> dict:
    """Everything the report shows, as plain data; a fixed number of queries."""
    now = now or timezone.now()
    partnership = review_round.partnership
    session = getattr(review_round, "session", None)
    return {
        "version": SNAPSHOT_VERSION,
        "compiled_at": now.isoformat(),
        "partnership": {
            "id": str(partnership.pk),
            "title": partnership.title,
            "client": partnership.client.name,
            "supplier": partnership.supplier.name,
        },
        "round": {
            "id": review_round.pk,
            "state": review_round.state,
            "period_label": review_round.label,
            "period_start": _iso(review_round.period_start),
            "period_end": _iso(review_round.period_end),
            "opened_at": _iso(review_round.opened_at),
            "closed_at": _iso(review_round.closed_at),
        },
        "facilitators": [
            u.display_name for u in selectors.facilitators(partnership=partnership).order_by("pk")
        ],
        "session": None
        if session is None
        else {
            "starts_at": _iso(session.starts_at),
            "ends_at": _iso(session.ends_at),
            "location": session.location,
            "held_at": _iso(session.held_at),
        },
        "sti": _compile_sti(review_round),
        "kpis": _compile_kpis(review_round),
        "inspections": _compile_inspections(review_round),
        "hub": _compile_hub(review_round),
        "agenda": _compile_agenda(review_round),
        "actions": _compile_actions(review_round, now),
    }


def _figures(f) -> dict | None:
    if f is None:
        return None
    return {"n": f.n, "mean": _s(f.mean), "spread": _s(f.spread), "min": f.min, "max": f.max}


def _compile_sti(review_round: ReviewRound) -> dict | None:
    """None while the questionnaire is open (sealed) or when the round has none."""
    # Read afresh: a round object held since before the close may carry a stale survey.
    survey = Survey.objects.filter(pk=review_round.survey_id).select_related("partnership").first()
    if survey is None or not review_round.results_open or survey.state != SurveyState.CLOSED:
        return None
    names = sti_settings_for(partnership=review_round.partnership).show_rater_names
    results = sti_results.compute_results(survey=survey, show_name=lambda _side: names)
    trend = sti_results.grade_trend(partnership=review_round.partnership, until=survey)
    indicators = []
    for r in results.indicators:
        indicators.append(
            {
                "name": r.indicator.name,
                "rated_side": r.indicator.rated_side,
                "to_supplier": _figures(r.to_supplier),
                "to_client": _figures(r.to_client),
                "change_to_supplier": _s(r.change_to_supplier),
                "change_to_client": _s(r.change_to_client),
                "self_supplier": _s(r.self_supplier.mean if r.self_supplier else None),
                "self_client": _s(r.self_client.mean if r.self_client else None),
                "gap_supplier": _s(r.gap_supplier),
                "gap_client": _s(r.gap_client),
                "motivations": [
                    {
                        "rater_side": m.rater_side,
                        "rated_side": m.rated_side,
                        "score": m.score,
                        "text": m.text,
                        "rater_name": m.rater_name,
                    }
                    for m in r.motivations
                    if m.text
                ],
            }
        )
    return {
        "survey_period": survey.period.label,
        "previous_period": results.previous.period.label if results.previous else None,
        "raters": {str(side): n for side, n in results.raters.items()},
        "grade_to_supplier": _s(results.grade_to_supplier),
        "grade_to_client": _s(results.grade_to_client),
        "change_to_supplier": _s(results.change_to_supplier),
        "change_to_client": _s(results.change_to_client),
        "trend": [
            {
                "period": s.period.label,
                "to_supplier": _s(s.grade_to_supplier),
                "to_client": _s(s.grade_to_client),
            }
            for s in trend[-TREND_SURVEYS:]
        ],
        "show_rater_names": names,
        "indicators": indicators,
    }


def _compile_kpis(review_round: ReviewRound) -> list[dict]:
    """Every active KPI: its values in the round's period and the history for a sparkline."""
    day_after = review_round.period_end + datetime.timedelta(days=1)
    rows = kpi_selectors.kpi_board(
        partnership=review_round.partnership, periods=KPI_HISTORY, today=day_after
    )
    compiled = []
    for row in rows:
        kpi = row.kpi
        history = [
            {"period": h.period.label, "value": _s(h.value), "status": h.status.value}
            for h in row.history
        ]
        inside = [
            h
            for h, pv in zip(history, row.history, strict=True)
            if pv.period.start >= review_round.period_start
        ]
        compiled.append(
            {
                "name": kpi.name,
                "unit": kpi.unit,
                "direction": kpi.direction,
                "frequency": kpi.frequency,
                "target": _s(kpi.target),
                "tolerance": _s(kpi.tolerance),
                "values": inside,
                "status": inside[-1]["status"] if inside else Status.MISSING.value,
                "history": history,
            }
        )
    return compiled


def _compile_inspections(review_round: ReviewRound) -> dict:
    inspections = list(
        kpi_selectors.inspections_for_partnership(partnership=review_round.partnership)
        .filter(date__gte=review_round.period_start, date__lte=review_round.period_end)
        .order_by("date", "pk")
    )
    overall = inspection_scores(inspections)
    items = []
    for inspection in inspections:
        scores = inspection_scores([inspection])
        items.append(
            {
                "date": _iso(inspection.date),
                "kind": inspection.kind,
                "inspector": inspection.inspector.display_name if inspection.inspector else "",
                "areas": scores["areas"],
                "score": _s(scores["score"]),
                "pass_rate": _s(scores["pass_rate"]),
            }
        )
    return {
        "score": _s(overall["score"]),
        "pass_rate": _s(overall["pass_rate"]),
        "areas": overall["areas"],
        "items": items,
    }


def _compile_hub(review_round: ReviewRound) -> dict:
    """Shared threads only (the selector never counts internal ones)."""
    start = datetime.datetime.combine(
        review_round.period_start, datetime.time(), calendar.TIME_ZONE
    )
    end = datetime.datetime.combine(
        review_round.period_end + datetime.timedelta(days=1), datetime.time(), calendar.TIME_ZONE
    )
    figures = hub_selectors.figures(partnership=review_round.partnership, start=start, end=end)

    def seconds(value):
        return None if value is None else round(value.total_seconds())

    return {
        "threads": figures["threads"],
        "complaints": figures["complaints"],
        "incidents": figures["incidents"],
        "responded": figures["responded"],
        "unanswered": figures["unanswered"],
        "median_first_response_seconds": seconds(figures["median_first_response"]),
        "median_time_to_resolve_seconds": seconds(figures["median_time_to_resolve"]),
    }


def _compile_agenda(review_round: ReviewRound) -> dict:
    items = list(review_round.agenda.order_by("position", "pk"))
    decisions = list(review_round.decisions.order_by("created_at", "pk"))
    by_item: dict = {}
    loose = []
    for decision in decisions:
        if decision.agenda_item_id:
            by_item.setdefault(decision.agenda_item_id, []).append(decision.text)
        else:
            loose.append(decision.text)
    return {
        "items": [
            {
                "position": i,
                "kind": item.kind,
                "title": item.title,
                "details": item.details,
                "minutes": item.minutes,
                "decisions": by_item.get(item.pk, []),
            }
            for i, item in enumerate(items, start=1)
        ],
        "decisions": loose,
    }


def _action(action, today: datetime.date) -> dict:
    return {
        "title": action.title,
        "description": action.description,
        "owner": action.owner.display_name,
        "owner_side": action.owner_side,
        "due_date": _iso(action.due_date),
        "status": action.status,
        "overdue": action.is_overdue(today),
        "round": action.round.label if action.round_id else None,
    }


def _compile_actions(review_round: ReviewRound, now: datetime.datetime) -> dict:
    today = calendar.local_date(now)
    agreed = review_round.actions.select_related("owner", "round").order_by("due_date", "pk")
    carried = selectors.carried_over_actions(review_round=review_round).order_by("due_date", "pk")
    return {
        "agreed": [_action(a, today) for a in agreed],
        "carried_over": [_action(a, today) for a in carried],
    }


# --- rendering -------------------------------------------------------------------------------


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
