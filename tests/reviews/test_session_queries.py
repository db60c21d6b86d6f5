"""Query budgets of the session pages: the same number of queries whatever the round holds
(indicators, KPIs, agenda items, decisions, actions)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews import services_sessions
from reviews.models import AgendaItem, AgendaKind, RoundState
from tests import factories as f
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.reviews import factories as rf
from tests.sti import factories as sti_f

pytestmark = pytest.mark.django_db


def build(partnership, *, indicators: int, kpis: int, extra_items: int):
    """A closed 2026-Q2 round with `indicators` extra indicators, `kpis` red KPIs, and
    `extra_items` own agenda items with a decision and an action each."""
    runner = f.participant(partnership, "client", role="admin")
    member = f.participant(partnership, "client", role="member")
    lead = f.participant(partnership, "supplier", role="manager")
    names = [*sti_f.DEFAULT_INDICATORS, *((f"Extra {i}", "both") for i in range(indicators))]
    sti_f.adopted_set(partnership, indicators=names)
    for i in range(kpis):
        kpi = KPIFactory(partnership=partnership, name=f"KPI {i}", target=Decimal(95))
        for month in (4, 5, 6):
            MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, month, 1), value=70)
    review_round = rf.review_round(
        partnership, RoundState.CLOSED, raters={member: "client", lead: "supplier"}
    )
    due = timezone.localdate() + datetime.timedelta(days=30)
    for i in range(extra_items):
        item = services_sessions.agenda_item_create(
            actor=runner, review_round=review_round, title=f"Own point {i}"
        )
        services_sessions.decision_create(
            actor=runner, review_round=review_round, text=f"Decided {i}", agenda_item=item
        )
        rf.action(
            partnership,
            member,
            runner,
            title=f"Action {i}",
            due=due,
            origin="session",
            review_round=review_round,
            agenda_item=item,
        )
    return runner, review_round


def count(client, user, path) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def paths(review_round):
    kwargs = {"partnership_id": review_round.partnership_id, "round_id": review_round.pk}
    agenda = list(AgendaItem.objects.filter(round=review_round).order_by("position"))
    kpi_item = next(i for i in agenda if i.kind == AgendaKind.KPI)
    hub_item = next(i for i in agenda if i.kind == AgendaKind.HUB)
    own_item = next(i for i in agenda if i.kind == AgendaKind.OTHER)

    def item(name, agenda_item):
        return reverse(f"reviews:{name}", kwargs={**kwargs, "agenda_item_id": agenda_item.pk})

    return {
        "agenda": reverse("reviews:agenda", kwargs=kwargs),
        "indicator item": item("session_item", agenda[0]),
        "kpi item": item("session_item", kpi_item),
        "hub item": item("session_item", hub_item),
        "own item": item("session_item", own_item),
        "agenda item": item("agenda_item", agenda[0]),
    }


def test_session_pages_do_not_grow_with_the_round(client, world):
    small_runner, small = build(world.partnership, indicators=0, kpis=1, extra_items=1)
    large_runner, large = build(world.other_partnership, indicators=6, kpis=4, extra_items=5)
    assert (
        AgendaItem.objects.filter(round=large).count()
        > AgendaItem.objects.filter(round=small).count()
    )
    small_paths, large_paths = paths(small), paths(large)
    for page in small_paths:
        small_count = count(client, small_runner, small_paths[page])
        large_count = count(client, large_runner, large_paths[page])
        assert small_count == large_count, page
