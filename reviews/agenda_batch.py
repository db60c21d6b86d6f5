"""The session agendas of a batch of rounds that closed together (the review clock's batches).

The same proposal as `agenda.agenda_propose`, whose rules it reuses; only the reading differs:
each input (facilitators' languages, KPI boards, disputes, actions carried over, hub figures)
is read for the whole batch in one or two queries, so the batch's queries do not grow with it.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from kpis import selectors as kpi_selectors
from kpis.models import KPI, Dispute, Measurement
from messaging.figures import figures_across
from partnership.models import Participant, Side
from sti.models import SurveyState

from . import agenda
from .models import ActionItem, AgendaItem, ReviewRound


def agenda_propose_many(*, rounds: list[ReviewRound], results: dict, now) -> list[AgendaItem]:
    """Propose the agenda of each closed round that has none; `results` maps survey id to the
    results of its closed questionnaire (`sti.results.compute_results_many`)."""
    has_agenda = set(
        AgendaItem.objects.filter(round__in=rounds).values_list("round_id", flat=True).distinct()
    )
    rounds = [r for r in rounds if r.pk not in has_agenda]
    if not rounds:
        return []
    ids = {r.partnership_id for r in rounds}
    languages = _languages(ids)
    boards = _boards(rounds)
    disputes = _disputes(ids)
    carried = _carried(rounds)
    hub = _hub(rounds)
    items = []
    for r in rounds:
        survey = r.survey
        closed = survey is not None and survey.state == SurveyState.CLOSED
        inputs = agenda.Inputs(
            results=results[survey.pk].indicators if closed else [],
            board=boards[r.pk],
            disputes=disputes.get(r.partnership_id, [])[: agenda.MAX_DISPUTES],
            carried=carried[r.pk],
            hub=hub[r.pk],
            language=languages.get(r.partnership_id) or settings.LANGUAGE_CODE,
        )
        items += agenda._items(r, inputs, now)
    return AgendaItem.objects.bulk_create(items)


def _languages(partnership_ids) -> dict:
    """partnership id -> the language of its first facilitator (`agenda.facilitator_language`)."""
    languages = {}
    for pid, language in (
        Participant.objects.filter(
            partnership_id__in=partnership_ids, side=Side.FACILITATOR, user__is_active=True
        )
        .order_by("pk")
        .values_list("partnership_id", "user__language")
    ):
        languages.setdefault(pid, language)
    return languages


def _boards(rounds) -> dict:
    """round id -> the KPI board of its period (`kpi_selectors.kpi_board`), three queries."""
    spans = kpi_selectors.contract_spans(partnership_ids={r.partnership_id for r in rounds})
    windows = {}
    for r in rounds:
        span = spans.get(r.partnership_id, kpi_selectors.NO_CONTRACT)
        windows[r.pk] = kpi_selectors.board_windows(span, 12, agenda._board_day(r))
    starts = [w[0].start for ws in windows.values() for w in ws.values() if w]
    oldest = min(starts, default=min(agenda._board_day(r) for r in rounds))
    kpis = defaultdict(list)
    for kpi in KPI.objects.filter(
        partnership_id__in={r.partnership_id for r in rounds}, active=True
    ).prefetch_related(
        Prefetch(
            "measurements",
            queryset=Measurement.objects.filter(period_start__gte=oldest).order_by("period_start"),
        )
    ):
        kpis[kpi.partnership_id].append(kpi)
    boards = {}
    for r in rounds:
        rows = []
        for kpi in kpis[r.partnership_id]:
            by_start = {m.period_start: m for m in kpi.measurements.all()}
            history = []
            for period in windows[r.pk][kpi.frequency]:
                measurement = by_start.get(period.start)
                status = kpi.status_of(measurement.value if measurement else None)
                history.append(kpi_selectors.PeriodValue(period, measurement, status))
            rows.append(kpi_selectors.BoardRow(kpi, history))
        boards[r.pk] = rows
    return boards


def _disputes(partnership_ids) -> dict:
    disputes = defaultdict(list)
    for dispute in (
        Dispute.objects.filter(partnership_id__in=partnership_ids, resolved_at__isnull=True)
        .select_related("measurement__kpi", "inspection", "raised_by", "resolved_by")
        .order_by("created_at", "pk")
    ):
        disputes[dispute.partnership_id].append(dispute)
    return disputes


def _carried(rounds) -> dict:
    """round id -> `selectors.carried_over_actions(review_round=...)`, by due date."""
    actions = defaultdict(list)
    for action in (
        ActionItem.objects.open()
        .filter(partnership_id__in={r.partnership_id for r in rounds})
        .select_related("owner", "round")
        .order_by("due_date", "pk")
    ):
        actions[action.partnership_id].append(action)

    def carried(action, r) -> bool:
        if action.round_id == r.pk:
            return False
        if action.round_id is not None:
            return action.round.period_start < r.period_start
        return timezone.localtime(action.created_at).date() <= r.closes_at.date()

    return {r.pk: [a for a in actions[r.partnership_id] if carried(a, r)] for r in rounds}


def _hub(rounds) -> dict:
    """round id -> the hub's figures of its period, one query per distinct period."""
    zone = timezone.get_default_timezone()

    def midnight(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    by_period = defaultdict(list)
    for r in rounds:
        by_period[(r.period_start, r.period_end)].append(r)
    figures = {}
    for (start, end), group in by_period.items():
        across = figures_across(
            partnership_ids={r.partnership_id for r in group},
            start=midnight(start),
            end=midnight(end + datetime.timedelta(days=1)),
        )
        figures |= {r.pk: across[r.partnership_id] for r in group}
    return figures
