"""The review panel on the partnership overview and the dashboard cards."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import panels
from reviews.models import ActionItem, RoundState
from tests import factories as f
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def test_overview_gives_the_current_round_and_action_counts(world):
    rf.review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    current = rf.review_round(world.partnership, RoundState.CLOSED, period=rf.Q2_2026.next())
    rf.action(world.partnership, world.member)
    late = rf.action(world.partnership, world.supplier_lead)
    ActionItem.objects.filter(pk=late.pk).update(due_date=in_days(-1))
    access = type("A", (), {"user": world.member})()
    data = panels.overview(world.partnership, access)
    assert data["round"] == current
    assert (data["open_actions"], data["overdue_actions"]) == (2, 1)


def test_without_an_active_round_the_latest_is_shown(world):
    published = rf.review_round(
        world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator
    )
    assert panels.cards([world.partnership])[world.partnership.pk]["round"] == published
    scheduled = rf.review_round(
        world.partnership, RoundState.SCHEDULED, period=rf.Q2_2026.next(), with_set=False
    )
    assert panels.cards([world.partnership])[world.partnership.pk]["round"] == scheduled


def test_cards_cost_the_same_queries_for_one_or_many_partnerships(world, django_assert_num_queries):
    mine = rf.review_round(world.partnership, RoundState.SCHEDULED)
    many = [world.partnership, world.other_partnership]
    for i in range(3):
        p = f.PartnershipFactory(client=world.hospital, supplier=world.cleaner, title=f"P{i}")
        owner = f.participant(p, "client", role="member")
        rf.review_round(p, RoundState.OPEN if i % 2 else RoundState.SCHEDULED)
        rf.action(p, owner)
        many.append(p)
    with django_assert_num_queries(3):
        few = panels.cards([world.partnership])
    with django_assert_num_queries(3):
        result = panels.cards(many)
    assert set(result) == {p.pk for p in many}
    assert few[world.partnership.pk]["round"] == mine
    assert all(result[p.pk]["open_actions"] == 1 for p in many[2:])


def test_the_overview_page_shows_the_panel(client, world):
    world.member.language = "en"
    world.member.save(update_fields=["language"])
    rf.review_round(world.partnership, RoundState.OPEN)
    rf.action(world.partnership, world.member)
    client.force_login(world.member)
    html = client.get(reverse("partnership:overview", args=[world.partnership.pk])).content.decode()
    panel = html.split('data-testid="reviews-panel"')[1].split("</section>")[0]
    assert "2026-Q2" in panel
    assert 'data-testid="reviews-panel-open">1<' in panel
    assert "submitted" in panel  # the response rate of the open round, counts only


def test_the_dashboard_shows_the_card(client, world):
    world.member.language = "en"
    world.member.save(update_fields=["language"])
    rf.review_round(world.partnership, RoundState.SCHEDULED)
    late = rf.action(world.partnership, world.member)
    ActionItem.objects.filter(pk=late.pk).update(due_date=in_days(-1))
    client.force_login(world.member)
    html = client.get(reverse("partnership:dashboard")).content.decode()
    card = html.split('data-testid="reviews-card"')[1].split("</div>")[0]
    assert "2026-Q2" in card and "Scheduled" in card
    assert "1 open action" in card and 'data-testid="reviews-card-overdue"' in card
