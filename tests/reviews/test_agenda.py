"""The agenda a closed round proposes: what it picks, in which order, in which language."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from kpis.models import Dispute
from reviews import agenda, services
from reviews.models import AgendaItem, AgendaKind, RoundState
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.messaging.factories import ThreadFactory, hours
from tests.reviews import factories as rf
from tests.sti import factories as sti_f

pytestmark = pytest.mark.django_db

AMS = datetime.timezone(datetime.timedelta(hours=2))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMS)


# A second client rater who disagrees with the first on Openness (8 vs 10… and 7 vs 10).
SECOND_CLIENT = {
    ("Pro-activity", "supplier"): 4,
    ("Openness", "supplier"): (10, "Always open with us."),
    ("Reachability", "supplier"): 8,
}


def english(*users):
    for user in users:
        user.language = "en"
        user.save(update_fields=["language"])


def kpis(partnership):
    """A red KPI (three red months), an amber one, a green one, each measured in 2026-Q2."""
    red = KPIFactory(partnership=partnership, name="Cleaning quality", target=95, tolerance=5)
    amber = KPIFactory(partnership=partnership, name="Response time", target=95, tolerance=5)
    green = KPIFactory(partnership=partnership, name="Staffing", target=90, tolerance=5)
    for month, value in ((4, 80), (5, 85), (6, 70)):
        MeasurementFactory(kpi=red, period_start=datetime.date(2026, month, 1), value=value)
        MeasurementFactory(kpi=amber, period_start=datetime.date(2026, month, 1), value=92)
        MeasurementFactory(kpi=green, period_start=datetime.date(2026, month, 1), value=96)
    return red


def hub(partnership):
    """In Q2: one shared complaint answered after 2 hours, and an internal complaint."""
    created = at(2026, 5, 4, 9, 0)
    ThreadFactory(
        partnership=partnership,
        category="complaint",
        created_at=created,
        first_response_at=created + hours(2),
    )
    ThreadFactory(
        partnership=partnership,
        category="complaint",
        visibility="client_internal",
        subject="Internal grumble",
        created_at=created,
    )


def closed_round(world, *, with_data=True):
    """2026-Q2 closed: two client raters who disagree on Openness, one supplier rater."""
    english(world.facilitator)
    red = kpis(world.partnership) if with_data else None
    if with_data:
        hub(world.partnership)
        measurement = red.measurements.get(period_start=datetime.date(2026, 6, 1))
        Dispute.objects.create(
            partnership=world.partnership,
            measurement=measurement,
            side="supplier",
            raised_by=world.supplier_lead,
            reason="Two wards were closed for renovation.",
        )
        with rf.travel(at(2026, 3, 2, 10, 0)):
            rf.action(
                world.partnership,
                world.member,
                title="Fix the rota",
                due=datetime.date(2026, 5, 1),
            )
            rf.action(
                world.partnership,
                world.supplier_lead,
                title="Train new staff",
                due=datetime.date(2026, 12, 1),
            )
    review_round = rf.review_round(
        world.partnership,
        RoundState.OPEN,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )
    with rf.travel(review_round.opens_at + datetime.timedelta(hours=1)):
        sti_f.response(review_round.survey, world.manager, "client", SECOND_CLIENT)
    with rf.travel(review_round.closes_at + datetime.timedelta(minutes=5)):
        review_round = services.round_close(review_round=review_round, now=timezone.now())
    return review_round


def items_of(review_round):
    return list(AgendaItem.objects.filter(round=review_round).order_by("position"))


def test_the_proposal_picks_lowest_diverging_gap_kpis_disputes_actions_and_hub(world):
    review_round = closed_round(world)
    items = items_of(review_round)
    kinds = [i.kind for i in items]
    titles = [i.title for i in items]
    assert [i.position for i in items] == list(range(1, len(items) + 1))
    assert 6 <= len(items) <= 12
    # Lowest in both directions is Pro-activity (4.0 and 5.0): one item for it, first.
    assert titles[0] == "Lowest score: Pro-activity"
    assert items[0].indicator.name == "Pro-activity"
    assert "Client → supplier 4.0 (2 raters, spread 0.0)" in items[0].details
    assert "self-assessment 8.0, gap +4.0" in items[0].details
    assert "Supplier → client 5.0 (1 rater, spread 0.0); self-assessment 6.0, gap +1.0" in (
        items[0].details
    )
    # Openness: 7 and 10 from the client's raters, spread 1.5.
    assert titles[1] == "Raters disagree: Openness"
    assert "Client → supplier 8.5 (2 raters, spread 1.5)" in items[1].details
    # Reachability: the supplier rates itself 9, the client 8.
    assert titles[2] == "Perception gap: Reachability"
    assert kinds[2] == AgendaKind.GAP
    assert "gap +1.0" in items[2].details
    kpi_items = [i for i in items if i.kind == AgendaKind.KPI]
    assert [i.kpi.name for i in kpi_items] == ["Cleaning quality"]  # amber and green stay off
    assert "2026-06 70.0% (off target)" in kpi_items[0].details
    disputes = [i for i in items if i.kind == AgendaKind.DISPUTE]
    assert len(disputes) == 1 and "renovation" in disputes[0].details
    actions = [i for i in items if i.kind == AgendaKind.ACTION]
    assert actions[0].title == "Overdue action: Fix the rota"
    assert actions[0].action.title == "Fix the rota"
    assert "days overdue" in actions[0].details
    assert actions[1].title == "1 open action carried over"
    assert "Train new staff" in actions[1].details
    assert kinds[-1] == AgendaKind.HUB
    # Order: indicators first, then KPIs, disputes, actions, the hub.
    order = [AgendaKind.INDICATOR, AgendaKind.GAP, AgendaKind.KPI, AgendaKind.DISPUTE]
    firsts = [kinds.index(k) for k in order] + [kinds.index(AgendaKind.ACTION)]
    assert firsts == sorted(firsts)


def test_hub_item_counts_shared_threads_only(world):
    review_round = closed_round(world)
    hub_item = AgendaItem.objects.get(round=review_round, kind=AgendaKind.HUB)
    assert "1 thread opened, 1 complaint, 0 incidents" in hub_item.details
    assert "Median first response 2.0 hours" in hub_item.details
    assert "Internal grumble" not in hub_item.details


def test_proposal_is_idempotent(world):
    review_round = closed_round(world)
    before = [(i.pk, i.title) for i in items_of(review_round)]
    assert agenda.agenda_propose(review_round=review_round) == []
    assert [(i.pk, i.title) for i in items_of(review_round)] == before


def test_texts_follow_the_facilitators_language(world):
    world.facilitator.language = "nl"
    world.facilitator.save(update_fields=["language"])
    review_round = rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )
    first = items_of(review_round)[0]
    assert "4,0" in first.details  # Dutch decimals
    assert "4.0" not in first.details


def test_round_without_survey_has_no_indicator_items(world):
    review_round = rf.review_round(world.partnership, RoundState.CLOSED, with_set=False)
    assert review_round.survey is None
    kinds = {i.kind for i in items_of(review_round)}
    assert kinds == {AgendaKind.HUB}


def test_no_red_kpi_no_kpi_item(world):
    kpi = KPIFactory(partnership=world.partnership, name="Fine", target=Decimal(90))
    MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 6, 1), value=Decimal(99))
    review_round = rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        raters={world.member: "client", world.supplier_lead: "supplier"},
    )
    assert not AgendaItem.objects.filter(round=review_round, kind=AgendaKind.KPI).exists()


def test_red_kpis_are_capped_and_the_reddest_come_first(world):
    for i, reds in enumerate((1, 3, 2, 1)):
        kpi = KPIFactory(partnership=world.partnership, name=f"KPI {i}", target=95, tolerance=5)
        for month in (4, 5, 6):
            value = 50 if month > 6 - reds else 99
            MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, month, 1), value=value)
    review_round = rf.review_round(world.partnership, RoundState.CLOSED, with_set=False)
    kpi_items = [i for i in items_of(review_round) if i.kind == AgendaKind.KPI]
    assert [i.kpi.name for i in kpi_items] == ["KPI 1", "KPI 2"]
    assert len(kpi_items) == agenda.MAX_RED_KPIS
