"""The STI summary on the partnership overview and the dashboard cards.

Both read the grades kept on closed surveys (never ratings), so nothing sealed can show here and
a card costs the same whatever the number of raters. `cards` answers for many partnerships with
one query: the two latest closed surveys per partnership, picked by a window function.
"""

from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import RowNumber

from partnership.periods import QUARTERLY, Period

from . import selectors
from .models import Survey, SurveyState
from .results import shown_change

DIRECTIONS = ("grade_to_supplier", "grade_to_client")


def trend(latest: Decimal | None, before: Decimal | None) -> str | None:
    """'up', 'down' or 'flat' against the previous survey, as the two grades are shown (one
    decimal: 7,2 → 7,3 is up); None without both."""
    change = shown_change(latest, before)
    if change is None:
        return None
    if change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def _summary(rows: list[dict]) -> dict | None:
    """From a partnership's closed surveys, newest first: the latest grade each way + trend."""
    if not rows:
        return None
    latest, before = rows[0], (rows[1] if len(rows) > 1 else {})
    summary = {"period_start": latest["period_start"], "survey_id": latest["id"]}
    for field in DIRECTIONS:
        now, then = latest[field], before.get(field)
        summary[field] = now
        summary[f"{field}_change"] = shown_change(now, then)
        summary[f"{field}_trend"] = trend(now, then)
    return summary


def _latest_two(partnership_ids) -> dict:
    rows = (
        Survey.objects.filter(partnership_id__in=partnership_ids, state=SurveyState.CLOSED)
        .annotate(
            rank=Window(
                RowNumber(), partition_by=[F("partnership_id")], order_by=F("period_start").desc()
            )
        )
        .filter(rank__lte=2)
        .order_by("partnership_id", "-period_start")
        .values("id", "partnership_id", "period_start", *DIRECTIONS)
    )
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(row["partnership_id"], []).append(row)
    return grouped


def overview(partnership, access):
    summary = _summary(_latest_two([partnership.pk]).get(partnership.pk, []))
    if summary:
        summary["period"] = Period(summary["period_start"], QUARTERLY)
    survey = selectors.open_survey(partnership=partnership)
    if survey is not None:
        survey.partnership = partnership  # response_rate reads it; spare the query
    return {
        "partnership": partnership,
        "summary": summary,
        "open_survey": survey,
        "rate": selectors.response_rate(survey=survey) if survey else None,
    }


def cards(partnerships):
    grouped = _latest_two([p.pk for p in partnerships])
    return {
        p.pk: {"partnership": p, "summary": _summary(grouped.get(p.pk, []))} for p in partnerships
    }
