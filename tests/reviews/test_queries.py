"""Query budgets: the review pages cost the same number of queries whatever they show."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import RoundState
from sti.models import Indicator
from tests import factories as f
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db

NUMBERS = itertools.count()


def queries(client, user, path) -> int:
    client.force_login(user)
    client.get(path)  # warm caches that are not the page's own (sessions, content types)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def add_kpis(partnership, n):
    for _ in range(n):
        i = next(NUMBERS)
        kpi = KPIFactory(partnership=partnership, name=f"KPI {i}")
        for month in (4, 5, 6):
            MeasurementFactory(
                kpi=kpi, period_start=datetime.date(2026, month, 1), value=Decimal(90 + i % 10)
            )


def add_indicators(survey, n):
    start = survey.indicator_set.indicators.count()
    for i in range(n):
        Indicator.objects.create(
            indicator_set=survey.indicator_set,
            position=start + i + 1,
            name=f"Extra {i}",
            meaning="More to rate",
            rated_side="both",
        )


def add_actions(world, review_round, earlier, n):
    for i in range(n):
        owner = world.member if i % 2 else world.supplier_lead
        rf.action(world.partnership, owner, title=f"Now {i}", review_round=review_round)
        rf.action(world.partnership, owner, title=f"Before {i}", review_round=earlier)


@pytest.mark.parametrize("state", [RoundState.CLOSED, RoundState.DISCUSSED])
def test_round_page_queries_do_not_grow_with_kpis_indicators_and_actions(client, world, state):
    earlier = rf.review_round(
        world.partnership, RoundState.CLOSED, period=rf.Q2_2026.previous(), with_set=False
    )
    review_round = rf.review_round(
        world.partnership,
        state,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )
    path = review_round.get_absolute_url()
    add_kpis(world.partnership, 1)
    add_actions(world, review_round, earlier, 1)
    small = queries(client, world.facilitator, path)
    add_kpis(world.partnership, 6)
    add_indicators(review_round.survey, 5)
    add_actions(world, review_round, earlier, 6)
    assert queries(client, world.facilitator, path) == small


def rounds_with_history(partnership, earlier: int):
    """`earlier` closed rounds before 2026-Q2, and 2026-Q2 open with one answer."""
    rater = f.participant(partnership, "client", role="member")
    period = rf.Q2_2026
    for _ in range(earlier):
        period = period.previous()
        rf.review_round(partnership, RoundState.CLOSED, period=period)
    rf.review_round(partnership, RoundState.OPEN, raters={rater: "client"})
    return rater


def test_rounds_list_queries_do_not_grow_with_rounds(client, world):
    few = rounds_with_history(world.partnership, 1)
    many = rounds_with_history(world.other_partnership, 5)
    small = queries(client, few, reverse("reviews:rounds", args=[world.partnership.pk]))
    path = reverse("reviews:rounds", args=[world.other_partnership.pk])
    assert queries(client, many, path) == small


def test_actions_list_queries_do_not_grow_with_actions(client, world):
    rf.action(world.partnership, world.member)
    path = reverse("reviews:actions", args=[world.partnership.pk])
    small = queries(client, world.member, path)
    for i in range(8):
        rf.action(world.partnership, world.supplier_lead if i % 2 else world.member)
    assert queries(client, world.member, path) == small


def test_action_page_queries_do_not_grow_with_its_history(client, world):
    from reviews import services_actions

    action = rf.action(world.partnership, world.member)
    path = action.get_absolute_url()
    small = queries(client, world.member, path)
    for i in range(5):
        services_actions.action_update(actor=world.member, action=action, title=f"Title {i}")
    assert queries(client, world.member, path) == small


def more_partnerships(world, n, *, facilitator=None):
    """Partnerships in which the supplier lead owns an action (and `facilitator` facilitates),
    each with a round: open, closed or closed with a session planned."""
    for i in range(n):
        p = f.PartnershipFactory(client=world.hospital, supplier=world.cleaner, title=f"P{n}-{i}")
        f.ParticipantFactory(partnership=p, user=world.supplier_lead, side="supplier")
        f.participant(p, "client", role="member")
        if facilitator is not None:
            f.ParticipantFactory(partnership=p, user=facilitator, side="facilitator")
        states = [RoundState.OPEN, RoundState.CLOSED]
        if facilitator is not None:
            states.append(RoundState.DISCUSSED)  # a session planned by the facilitator
        state = states[i % len(states)]
        rf.review_round(p, state, facilitator=facilitator)
        rf.action(p, world.supplier_lead, due=timezone.localdate() + datetime.timedelta(days=9))


def test_my_actions_queries_do_not_grow_with_partnerships(client, world):
    more_partnerships(world, 1)
    path = reverse("reviews_global:my_actions")
    small = queries(client, world.supplier_lead, path)
    more_partnerships(world, 3)
    assert queries(client, world.supplier_lead, path) == small


def test_workspace_queries_do_not_grow_with_partnerships(client, world):
    more_partnerships(world, 3, facilitator=world.facilitator)
    path = reverse("reviews_global:workspace")
    small = queries(client, world.facilitator, path)
    more_partnerships(world, 6, facilitator=world.facilitator)
    assert queries(client, world.facilitator, path) == small
