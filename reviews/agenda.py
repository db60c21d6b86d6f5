"""The session agenda proposed from a closed round.

When the questionnaire closes, the round proposes what the session should talk about, in this
order (DESIGN, "What a review round compiles"): the lowest indicator of each direction, the
indicator the raters disagree on most, the biggest perception gap, red KPIs of the period, open
disputes, overdue and open actions carried over, and the hub's complaint and response figures.
The facilitator reorders and edits it afterwards.

Titles and details are stored text, so they are written in the facilitator's language. Only
shared data is read: submitted ratings (never drafts) and shared hub threads (never internal
ones), so nothing side-internal ends up on an agenda both sides and the facilitator read.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kpis import selectors as kpi_selectors
from kpis.status import Status
from messaging.figures import figures as hub_figures
from partnership.models import Participant, Side
from sti.models import Survey, SurveyState
from sti.results import IndicatorResult, compute_results

from . import selectors
from .models import AgendaItem, AgendaKind, ReviewRound

# How much of each kind the proposal takes, so the agenda stays a session's worth (≈ 6–10).
MAX_DIVERGING = 1
MAX_GAPS = 1
MAX_RED_KPIS = 2
MAX_DISPUTES = 2
MAX_OVERDUE_ACTIONS = 2
# Below these an indicator is not worth a point of its own.
MIN_SPREAD = Decimal("1.0")
MIN_GAP = Decimal("1.0")


@dataclass
class Proposal:
    kind: str
    title: str
    details: str = ""
    links: dict = field(default_factory=dict)


def facilitator_language(review_round: ReviewRound) -> str:
    """The language of the round's (first) facilitator, else the site's."""
    participant = (
        Participant.objects.filter(
            partnership_id=review_round.partnership_id,
            side=Side.FACILITATOR,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    language = getattr(participant.user, "language", "") if participant else ""
    return language or settings.LANGUAGE_CODE


@dataclass
class Inputs:
    """What a round's proposal is made from, read for one round or for a batch at once."""

    results: list[IndicatorResult]  # of the closed questionnaire; none without one
    board: list  # kpis.selectors.BoardRow of the round's period
    disputes: list  # open disputes, oldest first
    carried: list  # open actions carried over, by due date
    hub: dict  # the hub's figures of the period
    language: str  # the facilitator's


def agenda_propose(*, review_round: ReviewRound, now=None) -> list[AgendaItem]:
    """Propose the agenda of a closed round; nothing when it already has an agenda."""
    if AgendaItem.objects.filter(round=review_round).exists():
        return []
    now = now or timezone.now()
    # Read afresh: closing the survey may have happened on another instance just before.
    survey = Survey.objects.filter(pk=review_round.survey_id).first()
    closed = survey is not None and survey.state == SurveyState.CLOSED
    inputs = Inputs(
        results=compute_results(survey=survey).indicators if closed else [],
        board=kpi_selectors.kpi_board(
            partnership=review_round.partnership, today=_board_day(review_round)
        ),
        disputes=list(
            kpi_selectors.disputes_for_partnership(partnership=review_round.partnership)
            .filter(resolved_at__isnull=True)
            .order_by("created_at", "pk")[:MAX_DISPUTES]
        ),
        carried=list(
            selectors.carried_over_actions(review_round=review_round).order_by("due_date", "pk")
        ),
        hub=round_hub_figures(review_round),
        language=facilitator_language(review_round),
    )
    return AgendaItem.objects.bulk_create(_items(review_round, inputs, now))


def _items(review_round: ReviewRound, inputs: Inputs, now) -> list[AgendaItem]:
    with translation.override(inputs.language):
        proposals = [
            *_indicator_items(inputs.results),
            *_kpi_items(review_round, inputs.board),
            *_dispute_items(inputs.disputes),
            *_action_items(inputs.carried, selectors.today(now)),
            _hub_item(inputs.hub),
        ]
    return [
        AgendaItem(
            round=review_round,
            position=position,
            kind=p.kind,
            title=p.title[:200],
            details=p.details,
            **p.links,
        )
        for position, p in enumerate(proposals, start=1)
    ]


def _board_day(review_round: ReviewRound) -> datetime.date:
    return review_round.period_end + datetime.timedelta(days=1)


# --- figures as text -------------------------------------------------------------------------


def number(value, places: int = 1) -> str:
    return formats.number_format(value, places, use_l10n=True)


def signed(value) -> str:
    text = number(value)
    return f"+{text}" if value > 0 else text


def direction_label(rated_side: str) -> str:
    if rated_side == Side.SUPPLIER:
        return _("Client → supplier")
    return _("Supplier → client")


def direction_text(result: IndicatorResult, rated_side: str) -> str:
    """'Client → supplier 4.0 (3 raters, spread 1.2); self-assessment 8.0, gap +4.0'."""
    other = result.to_supplier if rated_side == Side.SUPPLIER else result.to_client
    own = result.self_supplier if rated_side == Side.SUPPLIER else result.self_client
    gap = result.gap_supplier if rated_side == Side.SUPPLIER else result.gap_client
    if other is None:
        return ""
    raters = ngettext("%(n)d rater", "%(n)d raters", other.n) % {"n": other.n}
    text = _("%(direction)s %(mean)s (%(raters)s, spread %(spread)s)") % {
        "direction": direction_label(rated_side),
        "mean": number(other.mean),
        "raters": raters,
        "spread": number(other.spread),
    }
    if own is not None and gap is not None:
        text += "; " + _("self-assessment %(own)s, gap %(gap)s") % {
            "own": number(own.mean),
            "gap": signed(gap),
        }
    return text


def indicator_details(result: IndicatorResult) -> str:
    lines = [direction_text(result, side) for side in (Side.SUPPLIER, Side.CLIENT)]
    return "\n".join(line for line in lines if line)


# --- what the proposal picks -----------------------------------------------------------------


def _indicator_items(results: list[IndicatorResult]) -> list[Proposal]:
    """A round without questionnaire (no results) has no indicator points."""
    picked: list[tuple[IndicatorResult, str]] = []

    def take(result, kind):
        if all(result.indicator.pk != r.indicator.pk for r, _kind in picked):
            picked.append((result, kind))

    for side in (Side.SUPPLIER, Side.CLIENT):
        rated = [r for r in results if _view(r, side) is not None]
        if rated:
            take(min(rated, key=lambda r, s=side: (_view(r, s).mean, r.indicator.position)), "low")
    diverging = sorted(
        (r for r in results if r.divergence >= MIN_SPREAD),
        key=lambda r: (-r.divergence, r.indicator.position),
    )
    for result in [r for r in diverging if not _is_picked(r, picked)][:MAX_DIVERGING]:
        take(result, "diverging")
    gaps = sorted(
        (r for r in results if _largest_gap(r) >= MIN_GAP),
        key=lambda r: (-_largest_gap(r), r.indicator.position),
    )
    for result in [r for r in gaps if not _is_picked(r, picked)][:MAX_GAPS]:
        take(result, "gap")
    return [_indicator_proposal(result, why) for result, why in picked]


def _view(result: IndicatorResult, rated_side: str):
    return result.to_supplier if rated_side == Side.SUPPLIER else result.to_client


def _largest_gap(result: IndicatorResult) -> Decimal:
    gaps = [abs(g) for g in (result.gap_supplier, result.gap_client) if g is not None]
    return max(gaps, default=Decimal(0))


def _is_picked(result: IndicatorResult, picked) -> bool:
    return any(result.indicator.pk == r.indicator.pk for r, _kind in picked)


def _indicator_proposal(result: IndicatorResult, why: str) -> Proposal:
    name = result.indicator.name
    if why == "gap":
        return Proposal(
            AgendaKind.GAP,
            _("Perception gap: %(indicator)s") % {"indicator": name},
            indicator_details(result),
            {"indicator": result.indicator},
        )
    title = {
        "low": _("Lowest score: %(indicator)s"),
        "diverging": _("Raters disagree: %(indicator)s"),
    }[why] % {"indicator": name}
    return Proposal(
        AgendaKind.INDICATOR, title, indicator_details(result), {"indicator": result.indicator}
    )


def _in_round(period, review_round: ReviewRound) -> bool:
    return review_round.period_start <= period.start <= review_round.period_end


def _kpi_items(review_round: ReviewRound, board) -> list[Proposal]:
    red = []
    for row in board:
        inside = [h for h in row.history if _in_round(h.period, review_round)]
        reds = sum(1 for h in inside if h.status == Status.RED)
        if reds:
            red.append((reds, row, inside))
    red.sort(key=lambda t: (-t[0], t[1].kpi.name))
    return [_kpi_proposal(row.kpi, inside) for _reds, row, inside in red[:MAX_RED_KPIS]]


def kpi_value(value, kpi) -> str:
    if value is None:
        return "–"
    return f"{number(value)}{kpi.unit}" if kpi.unit == "%" else f"{number(value)} {kpi.unit}"


def _kpi_proposal(kpi, history) -> Proposal:
    values = " · ".join(
        f"{h.period.label} {kpi_value(h.value, kpi).strip()} ({h.status.label.lower()})"
        for h in history
    )
    details = _("%(values)s. Target %(target)s, tolerance %(tolerance)s.") % {
        "values": values,
        "target": kpi_value(kpi.target, kpi).strip(),
        "tolerance": number(kpi.tolerance),
    }
    return Proposal(
        AgendaKind.KPI, _("Off target: %(kpi)s") % {"kpi": kpi.name}, details, {"kpi": kpi}
    )


def _dispute_items(disputes) -> list[Proposal]:
    items = []
    for dispute in disputes:
        raised_by = (
            _("raised by the client")
            if dispute.side == Side.CLIENT
            else _("raised by the supplier")
        )
        items.append(
            Proposal(
                AgendaKind.DISPUTE,
                _("Dispute: %(subject)s") % {"subject": dispute},
                f"{dispute.reason} ({raised_by})",
                {"dispute": dispute},
            )
        )
    return items


def _action_items(carried: list, today: datetime.date) -> list[Proposal]:
    overdue = [a for a in carried if a.due_date < today]
    items = [
        Proposal(
            AgendaKind.ACTION,
            _("Overdue action: %(action)s") % {"action": action.title},
            _action_line(action, today),
            {"action": action},
        )
        for action in overdue[:MAX_OVERDUE_ACTIONS]
    ]
    rest = [a for a in carried if a not in overdue[:MAX_OVERDUE_ACTIONS]]
    if rest:
        items.append(
            Proposal(
                AgendaKind.ACTION,
                ngettext(
                    "%(n)d open action carried over",
                    "%(n)d open actions carried over",
                    len(rest),
                )
                % {"n": len(rest)},
                "\n".join(f"{a.title}: {_action_line(a, today)}" for a in rest),
            )
        )
    return items


def _action_line(action, today: datetime.date) -> str:
    text = _("%(owner)s, due %(due)s, %(status)s") % {
        "owner": action.owner.display_name,
        "due": formats.date_format(action.due_date, "SHORT_DATE_FORMAT"),
        "status": action.get_status_display().lower(),
    }
    if action.due_date < today:
        days = (today - action.due_date).days
        text += " " + ngettext("(%(n)d day overdue)", "(%(n)d days overdue)", days) % {"n": days}
    return text


def duration_text(delta) -> str:
    if delta is None:
        return "–"
    minutes = round(delta.total_seconds() / 60)
    if minutes < 60:
        return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}
    hours = minutes / 60
    if hours < 48:
        return _("%(n)s hours") % {"n": number(hours)}
    return _("%(n)s days") % {"n": number(hours / 24)}


def hub_details(figures: dict) -> str:
    counts = [
        ngettext("%(n)d thread opened", "%(n)d threads opened", figures["threads"]),
        ngettext("%(n)d complaint", "%(n)d complaints", figures["complaints"]),
        ngettext("%(n)d incident", "%(n)d incidents", figures["incidents"]),
        ngettext(
            "%(n)d without an answer from the other side",
            "%(n)d without an answer from the other side",
            figures["unanswered"],
        ),
    ]
    keys = ("threads", "complaints", "incidents", "unanswered")
    line = ", ".join(text % {"n": figures[key]} for text, key in zip(counts, keys, strict=True))
    times = _("Median first response %(response)s; median time to resolve %(resolve)s.") % {
        "response": duration_text(figures["median_first_response"]),
        "resolve": duration_text(figures["median_time_to_resolve"]),
    }
    return f"{line}.\n{times}"


def round_hub_figures(review_round: ReviewRound) -> dict:
    """The hub's figures for the round's period (shared threads only)."""
    zone = timezone.get_default_timezone()

    def midnight(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    return hub_figures(
        partnership=review_round.partnership,
        start=midnight(review_round.period_start),
        end=midnight(review_round.period_end + datetime.timedelta(days=1)),
    )


def _hub_item(figures: dict) -> Proposal:
    return Proposal(AgendaKind.HUB, _("Hub: complaints and response times"), hub_details(figures))
