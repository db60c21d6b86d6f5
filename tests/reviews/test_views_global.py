"""Review pages across partnerships: "my actions" and the facilitator's workspace."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from partnership.models import Participant
from reviews import services_sessions
from reviews.models import ActionItem, ActionStatus, RoundState
from tests import factories as f
from tests.reviews import factories as rf
from tests.reviews.pages import get

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator", "outsider"]
MY_ACTIONS = reverse("reviews_global:my_actions")
WORKSPACE = reverse("reviews_global:workspace")


def in_days(n):
    return timezone.localdate() + datetime.timedelta(days=n)


def text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def section(html: str, testid: str) -> str:
    return text(html.split(f'data-testid="{testid}"')[1].split("</section>")[0])


@pytest.mark.parametrize("path", [MY_ACTIONS, WORKSPACE])
def test_anonymous_is_sent_to_the_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- my actions ------------------------------------------------------------------------------


@pytest.fixture
def lead_in_both(world):
    """The supplier lead takes part in the other partnership too, and owns actions in both."""
    f.ParticipantFactory(
        partnership=world.other_partnership, user=world.supplier_lead, side="supplier"
    )
    here = rf.action(world.partnership, world.supplier_lead, title="Fix the hospital rota")
    there = rf.action(world.other_partnership, world.supplier_lead, title="Fix the campus rota")
    done = rf.action(world.partnership, world.supplier_lead, title="Already finished")
    ActionItem.objects.filter(pk=done.pk).update(
        status=ActionStatus.DONE, completed_at=timezone.now()
    )
    rf.action(world.partnership, world.member, title="Someone else's action")
    return here, there


def test_my_actions_lists_open_actions_of_every_partnership(client, world, lead_in_both):
    html = get(client, world.supplier_lead, MY_ACTIONS)
    assert "Fix the hospital rota" in html and "Fix the campus rota" in html
    assert "Already finished" not in html
    assert "Someone else&#x27;s action" not in html and "Someone else's action" not in html
    assert "University cleaning" in html  # the partnership column


def test_my_actions_filters(client, world, lead_in_both):
    here, _there = lead_in_both
    path = f"{MY_ACTIONS}?partnership={world.other_partnership.pk}"
    html = get(client, world.supplier_lead, path)
    assert "Fix the campus rota" in html and "Fix the hospital rota" not in html
    html = get(client, world.supplier_lead, f"{MY_ACTIONS}?status=done")
    assert "Already finished" in html and "Fix the campus rota" not in html
    ActionItem.objects.filter(pk=here.pk).update(due_date=in_days(-2))
    html = get(client, world.supplier_lead, f"{MY_ACTIONS}?overdue=1")
    assert "Fix the hospital rota" in html and "Fix the campus rota" not in html


def test_my_actions_status_open_leaves_out_actions_in_progress(client, world, lead_in_both):
    here, _there = lead_in_both
    ActionItem.objects.filter(pk=here.pk).update(status=ActionStatus.IN_PROGRESS)
    html = get(client, world.supplier_lead, MY_ACTIONS)
    assert 'value="current" selected' in html and 'value="open" selected' not in html
    assert "Fix the hospital rota" in html and "Fix the campus rota" in html
    html = get(client, world.supplier_lead, f"{MY_ACTIONS}?status=open")
    assert 'value="open" selected' in html and 'value="current" selected' not in html
    assert "Fix the campus rota" in html and "Fix the hospital rota" not in html


def test_my_actions_only_shows_partnerships_the_user_still_sees(client, world, lead_in_both):
    # The lead leaves the other partnership and stops being a manager of its supplier.
    Participant.objects.filter(
        partnership=world.other_partnership, user=world.supplier_lead
    ).delete()
    world.supplier_lead.memberships.update(role="member")
    html = get(client, world.supplier_lead, MY_ACTIONS)
    assert "Fix the campus rota" not in html
    assert "Fix the hospital rota" in html  # still a participant here


def test_a_bad_partnership_filter_is_ignored(client, world, lead_in_both):
    html = get(client, world.supplier_lead, f"{MY_ACTIONS}?partnership=not-a-uuid")
    assert "Fix the hospital rota" in html and "Fix the campus rota" in html


def test_my_actions_empty_state(client, world):
    html = get(client, world.viewer, MY_ACTIONS)
    assert 'data-testid="my-actions-empty"' in html


# --- the facilitator's workspace -------------------------------------------------------------


def test_non_facilitators_see_an_explanation(client, world):
    html = get(client, world.manager, WORKSPACE)
    assert 'data-testid="workspace-empty"' in html
    assert "Hospital cleaning" not in html


def test_workspace_shows_waiting_rounds_upcoming_sessions_and_open_rounds(client, world):
    f.ParticipantFactory(
        partnership=world.other_partnership, user=world.facilitator, side="facilitator"
    )
    closed = rf.review_round(world.partnership, RoundState.CLOSED)
    opened = rf.review_round(
        world.other_partnership, RoundState.OPEN, period=rf.Q2_2026.next(), with_set=True
    )
    html = get(client, world.facilitator, WORKSPACE)
    waiting = section(html, "waiting")
    assert "Hospital cleaning · 2026-Q2" in waiting
    open_part = section(html, "open-rounds")
    assert "University cleaning · 2026-Q3" in open_part
    assert "0 of 0 submitted (0%)" in open_part
    facilitated = html.split('data-testid="facilitated"')[1]
    assert "Hospital cleaning" in facilitated and "University cleaning" in facilitated
    # Once the session is planned the round no longer waits, and the session is upcoming.
    start = timezone.now() + datetime.timedelta(days=3)
    services_sessions.session_plan(
        actor=world.facilitator,
        review_round=closed,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Room 3",
    )
    html = get(client, world.facilitator, WORKSPACE)
    assert "No closed round waits for a session." in html
    upcoming = section(html, "upcoming")
    assert "Hospital cleaning · 2026-Q2" in upcoming and "Room 3" in upcoming
    assert opened.state == RoundState.OPEN


def plan(review_round, facilitator, start):
    services_sessions.session_plan(
        actor=facilitator,
        review_round=review_round,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Room 9",
    )


def test_upcoming_sessions_are_those_of_closed_rounds_still_ahead(client, world):
    f.ParticipantFactory(
        partnership=world.other_partnership, user=world.facilitator, side="facilitator"
    )
    # A discussed round: its session (planned by the factory) is held; a later one does not
    # make it upcoming again.
    discussed = rf.review_round(
        world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator
    )
    discussed.session.starts_at = timezone.now() + datetime.timedelta(days=5)
    discussed.session.ends_at = discussed.session.starts_at + datetime.timedelta(hours=2)
    discussed.session.save(update_fields=["starts_at", "ends_at"])
    # A closed round whose session is over, and a closed round whose session is ahead.
    past = rf.review_round(world.other_partnership, RoundState.CLOSED)
    plan(past, world.facilitator, timezone.now() - datetime.timedelta(days=2))
    ahead = rf.review_round(world.partnership, RoundState.CLOSED, period=rf.Q2_2026.next())
    plan(ahead, world.facilitator, timezone.now() + datetime.timedelta(days=3))
    upcoming = section(get(client, world.facilitator, WORKSPACE), "upcoming")
    assert "Hospital cleaning · 2026-Q3" in upcoming
    assert "2026-Q2" not in upcoming  # neither the discussed round nor the past session


def test_workspace_leaves_out_partnerships_not_facilitated(client, world):
    rf.review_round(world.other_partnership, RoundState.CLOSED)
    html = get(client, world.facilitator, WORKSPACE)
    assert "University cleaning" not in html


def test_header_links_to_my_actions_and_facilitators_find_their_workspace(client, world):
    html = get(client, world.facilitator, MY_ACTIONS)
    assert 'id="my-actions-link"' in html
    assert 'data-testid="workspace-link"' in html
    html = get(client, world.member, MY_ACTIONS)
    assert 'data-testid="workspace-link"' not in html


def test_header_shows_facilitation_only_to_facilitators(client, world):
    dashboard = reverse("partnership:dashboard")
    html = get(client, world.facilitator, dashboard)
    assert f'href="{WORKSPACE}" id="facilitation-link"' in html
    for who in ("manager", "member", "supplier_lead"):
        assert 'id="facilitation-link"' not in get(client, getattr(world, who), dashboard)
