"""The review panel on the partnership overview and the dashboard cards: the round people work
on (or the next one) and the open and overdue actions.

Both hooks, and the facilitator's workspace, read everything for all partnerships at once, so
a page costs the same number of queries however many partnerships it shows. The round chosen
follows `selectors.current_round`: the latest round that is open, closed or discussed, else the
latest round (the next scheduled one, or the last published one).
"""

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from partnership.models import Membership, Participant, Partnership, Role
from sti.models import RATING_SIDES, Response

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


def response_rates(surveys) -> dict:
    """survey id -> response rate (counts only, never scores) for surveys of many partnerships,
    in two queries; the same figures as `sti.selectors.response_rates`."""
    surveys = [s for s in surveys if s is not None]
    if not surveys:
        return {}
    partnership_ids = {s.partnership_id for s in surveys}
    viewer = Membership.objects.filter(user_id=OuterRef("user_id"), role=Role.VIEWER).filter(
        Q(organization_id=OuterRef("partnership__client_id"))
        | Q(organization_id=OuterRef("partnership__supplier_id"))
    )
    eligible = {
        (pid, side): n
        for pid, side, n in Participant.objects.filter(
            partnership_id__in=partnership_ids, side__in=RATING_SIDES, user__is_active=True
        )
        .exclude(Exists(viewer))
        .values_list("partnership_id", "side")
        .annotate(n=Count("id"))
        .values_list("partnership_id", "side", "n")
        .order_by()
    }
    submitted = {
        (survey_id, side): n
        for survey_id, side, n in Response.objects.filter(
            survey__in=surveys, submitted_at__isnull=False
        )
        .values_list("survey_id", "side")
        .annotate(n=Count("id"))
        .order_by()
    }
    rates = {}
    for survey in surveys:
        rate = {}
        for side in RATING_SIDES:
            done = submitted.get((survey.pk, side), 0)
            total = max(eligible.get((survey.partnership_id, side), 0), done)
            rate[side] = {"submitted": done, "eligible": total}
        done = sum(rate[s]["submitted"] for s in RATING_SIDES)
        total = sum(rate[s]["eligible"] for s in RATING_SIDES)
        rate["total"] = {"submitted": done, "eligible": total}
        rate["percent"] = round(100 * done / total) if total else 0
        rates[survey.pk] = rate
    return rates


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
        data["rate"] = response_rates([review_round.survey]).get(review_round.survey_id)
    return data


def cards(partnerships) -> dict:
    ids = [p.pk for p in partnerships]
    today = selectors.today()
    rounds = current_rounds(ids)
    counts = action_counts(ids, today)
    return {p.pk: _summary(p, rounds.get(p.pk), counts.get(p.pk, {})) for p in partnerships}
