"""The round's report compiled once into plain data (`report_render` draws it as page and PDF).

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

from django.utils import timezone

from kpis import selectors as kpi_selectors
from kpis.services_inspections import inspection_scores
from kpis.status import Status
from messaging import selectors as hub_selectors
from sti import results as sti_results
from sti.models import Survey, SurveyState
from sti.selectors import settings_for as sti_settings_for

from . import calendar, selectors
from .models import ReviewRound

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
                # The changes as read (between the one-decimal figures), see sti.results.
                "change_to_supplier": _s(r.shown_change_to_supplier),
                "change_to_client": _s(r.shown_change_to_client),
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
        "change_to_supplier": _s(results.shown_change_to_supplier),
        "change_to_client": _s(results.shown_change_to_client),
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
        .filter(closed_at__isnull=False)  # one still being recorded has no result yet
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
