"""The review panel on the partnership overview and the dashboard cards: the round people work
on (or the next one) and the open and overdue actions.

Both hooks, and the facilitator's workspace, read everything for all partnerships at once, so
a page costs the same number of queries however many partnerships it shows. The round chosen
follows `selectors.current_round`: the latest round that is open, closed or discussed, else the
latest round (the next scheduled one, or the last published one).
"""

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from partnership.models import Partnership
from sti import selectors as sti_selectors

from . import selectors
from .models import ActionItem, ReviewRound, RoundState


def current_rounds(partnership_ids) -> dict:
    """partnership id -> its current round (with session and survey), in two queries."""
    ids = list(partnership_ids)
    if not ids:
        return {}
    rounds = ReviewRound.objects.filter(partnership=OuterRef("pk")).order_by("-period_start")
    active = rounds.exclude(state__in=[RoundState.SCHEDULED, RoundState.PUBLISHED])
    chosen = dict(
        Partnership.objects.filter(pk__in=ids)
        .annotate(
            current=Coalesce(Subquery(active.values("pk")[:1]), Subquery(rounds.values("pk")[:1]))
        )
        .values_list("pk", "current")
    )
    found = ReviewRound.objects.filter(pk__in=[r for r in chosen.values() if r]).select_related(
        "session", "survey"
    )
    by_pk = {r.pk: r for r in found}
    return {pid: by_pk[rid] for pid, rid in chosen.items() if rid in by_pk}


def action_counts(partnership_ids, today) -> dict:
    """partnership id -> {"open": n, "overdue": n}, in one query."""
    rows = (
        ActionItem.objects.filter(partnership_id__in=list(partnership_ids))
        .open()
        .values("partnership_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
        .order_by()
    )
    return {r["partnership_id"]: {"open": r["open"], "overdue": r["overdue"]} for r in rows}


def _summary(partnership, review_round, counts) -> dict:
    session = getattr(review_round, "session", None) if review_round else None
    return {
        "partnership": partnership,
        "round": review_round,
        "session": session,
        "open_actions": counts.get("open", 0),
        "overdue_actions": counts.get("overdue", 0),
    }


def overview(partnership, access):
    today = selectors.today()
    review_round = current_rounds([partnership.pk]).get(partnership.pk)
    counts = action_counts([partnership.pk], today).get(partnership.pk, {})
    data = _summary(partnership, review_round, counts)
    if review_round is not None and review_round.state == RoundState.OPEN:
        data["rate"] = sti_selectors.response_rates_across(surveys=[review_round.survey]).get(
            review_round.survey_id
        )
    return data


def cards(partnerships) -> dict:
    ids = [p.pk for p in partnerships]
    today = selectors.today()
    rounds = current_rounds(ids)
    counts = action_counts(ids, today)
    return {p.pk: _summary(p, rounds.get(p.pk), counts.get(p.pk, {})) for p in partnerships}
