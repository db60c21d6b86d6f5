"""The review round pages: the list, one round's page with its buttons, and the settings; who may
open them (200 / 403) and what the buttons do, all driven through the HTML."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.timezone import localtime

from reviews import calendar, services_sessions
from reviews.models import ReviewRound, ReviewSettings, RoundEvent, RoundState
from tests.kpis.factories import KPIFactory, MeasurementFactory
from tests.reviews import factories as rf
from tests.reviews.pages import get, post, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator", "outsider"]
INSIDERS = ["manager", "member", "viewer", "supplier_lead", "facilitator"]


def flashed(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def current_period():
    return calendar.ReviewPeriod.containing(timezone.localdate())


@pytest.fixture
def closed(world):
    return rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        raters={world.member: "client", world.supplier_lead: "supplier"},
    )


# --- who sees what ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", INSIDERS)
def test_insiders_see_the_rounds_and_a_round(client, world, closed, who):
    html = get(client, getattr(world, who), url(world, "rounds"))
    assert "2026-Q2" in html
    html = get(client, getattr(world, who), url(world, "round", round_id=closed.pk))
    assert "Review round 2026-Q2" in html


def test_anonymous_is_sent_to_the_login(client, world, closed):
    for path in (url(world, "rounds"), url(world, "round", round_id=closed.pk)):
        response = client.get(path)
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_empty_list_explains_when_the_first_round_opens(client, world):
    html = get(client, world.member, url(world, "rounds"))
    assert 'data-testid="rounds-empty"' in html
    period = current_period()
    assert f"The first round ({period.label}) opens on" in html


def test_open_round_shows_the_response_rate_not_scores(client, world):
    rf.review_round(world.partnership, RoundState.OPEN, raters={world.member: "client"})
    html = get(client, world.supplier_lead, url(world, "rounds"))
    assert "1 of 3 submitted" in html  # member; supplier_lead; manager (client admin) rate
    review_round = ReviewRound.objects.get(partnership=world.partnership)
    html = get(client, world.supplier_lead, url(world, "round", round_id=review_round.pk))
    assert 'data-testid="round-results"' not in html
    assert "Problems reach us late." not in html


def test_closed_round_shows_grades_indicators_and_kpis(client, world, closed):
    kpi = KPIFactory(partnership=world.partnership, name="Cleanliness score", frequency="monthly")
    MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 6, 1), value=80)
    html = get(client, world.facilitator, url(world, "round", round_id=closed.pk))
    assert 'data-testid="round-results"' in html
    assert 'data-testid="round-grade-to-supplier"' in html
    assert "Pro-activity" in html
    assert "Cleanliness score" in html
    assert "Off target" in html  # 80 against 95 with a tolerance of 5


def test_timeline_names_who_moved_the_round(client, world):
    review_round = rf.review_round(world.partnership, RoundState.SCHEDULED, period=current_period())
    post(client, world.manager, url(world, "round_open", round_id=review_round.pk))
    html = get(client, world.member, url(world, "round", round_id=review_round.pk))
    assert world.manager.display_name in html
    closed_by_clock = rf.review_round(world.other_partnership, RoundState.CLOSED)
    lead = world.supplier_lead  # a manager of the supplier of the other partnership too
    html = get(
        client,
        lead,
        reverse("reviews:round", args=[world.other_partnership.pk, closed_by_clock.pk]),
    )
    assert "automatically" in html


# --- transitions through the buttons ---------------------------------------------------------


def test_manager_opens_a_round_by_hand(client, world):
    review_round = rf.review_round(world.partnership, RoundState.SCHEDULED, period=current_period())
    html = get(client, world.manager, url(world, "round", round_id=review_round.pk))
    assert 'data-testid="round-open"' in html
    response = post(client, world.manager, url(world, "round_open", round_id=review_round.pk))
    assert response["Location"] == review_round.get_absolute_url()
    review_round.refresh_from_db()
    assert review_round.state == RoundState.OPEN
    assert RoundEvent.objects.get(round=review_round).actor == world.manager


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator"])
def test_insiders_without_manage_get_403_opening(client, world, who):
    review_round = rf.review_round(world.partnership, RoundState.SCHEDULED, period=current_period())
    html = get(client, getattr(world, who), url(world, "round", round_id=review_round.pk))
    assert 'data-testid="round-open"' not in html
    post(
        client, getattr(world, who), url(world, "round_open", round_id=review_round.pk), status=403
    )
    review_round.refresh_from_db()
    assert review_round.state == RoundState.SCHEDULED


def test_transitions_are_post_only(client, world, closed):
    client.force_login(world.manager)
    assert client.get(url(world, "round_close", round_id=closed.pk)).status_code == 405


def test_manager_closes_an_open_round(client, world):
    review_round = rf.review_round(world.partnership, RoundState.OPEN)
    response = post(client, world.manager, url(world, "round_close", round_id=review_round.pk))
    review_round.refresh_from_db()
    assert review_round.state == RoundState.CLOSED
    assert any("The round is closed" in m for m in flashed(response))


def test_wrong_state_shows_a_message_and_changes_nothing(client, world, closed):
    response = post(client, world.manager, url(world, "round_close", round_id=closed.pk))
    assert flashed(response) == ["Only an open round can be closed."]
    closed.refresh_from_db()
    assert closed.state == RoundState.CLOSED
    assert RoundEvent.objects.filter(round=closed).count() == 2  # opened, closed


def test_finish_needs_a_planned_session(client, world, closed):
    response = post(client, world.facilitator, url(world, "round_finish", round_id=closed.pk))
    assert flashed(response) == ["Plan the session before marking the round as discussed."]
    closed.refresh_from_db()
    assert closed.state == RoundState.CLOSED


def buttons(html: str) -> str:
    return html.split('data-testid="round-buttons"')[1].split("</div>")[0]


def plan_session(review_round, facilitator, start):
    services_sessions.session_plan(
        actor=facilitator,
        review_round=review_round,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        location="Room 2",
    )


def test_closed_round_without_session_asks_to_plan_it(client, world, closed):
    html = get(client, world.facilitator, url(world, "round", round_id=closed.pk))
    plan = reverse("reviews:session_plan", args=[world.partnership.pk, closed.pk])
    assert f'class="btn btn-primary" href="{plan}" data-testid="plan-session"' in buttons(html)
    assert 'data-testid="round-finish"' not in html
    html = get(client, world.member, url(world, "round", round_id=closed.pk))
    assert 'data-testid="plan-session"' not in html  # a member does not run sessions


def test_discussed_is_offered_once_the_planned_session_has_started(client, world, closed):
    start = timezone.now() + datetime.timedelta(days=2)
    plan_session(closed, world.facilitator, start)
    html = get(client, world.facilitator, url(world, "round", round_id=closed.pk))
    assert 'data-testid="round-finish"' not in html
    assert 'data-testid="plan-session"' not in html
    assert 'data-testid="change-session"' in html
    note = html.split('data-testid="round-next-step"')[1].split("</p>")[0]
    assert "The session is planned for" in note
    with rf.travel(start + datetime.timedelta(minutes=1)):
        html = get(client, world.facilitator, url(world, "round", round_id=closed.pk))
    assert 'data-testid="round-finish"' in buttons(html)
    assert 'data-testid="round-next-step"' not in html


def test_questionnaire_shows_when_it_closed_once_closed(client, world):
    review_round = rf.review_round(world.partnership, RoundState.OPEN)
    html = get(client, world.manager, url(world, "round", round_id=review_round.pk))
    assert "Closes</dt>" in html and 'data-testid="round-closed-at"' not in html
    with rf.travel(review_round.opens_at + datetime.timedelta(days=2)):
        post(client, world.manager, url(world, "round_close", round_id=review_round.pk))
    review_round.refresh_from_db()
    html = get(client, world.manager, url(world, "round", round_id=review_round.pk))
    assert "Closes</dt>" not in html
    closed_at = html.split('data-testid="round-closed-at">')[1].split("</dd>")[0]
    with translation.override("en"):
        assert closed_at == date_format(localtime(review_round.closed_at), "DATETIME_FORMAT")
    assert review_round.closed_at < review_round.closes_at  # closed by hand, early


def test_facilitator_finishes_publishes_and_reopens(client, world, closed):
    plan_session(closed, world.facilitator, closed.closes_at + datetime.timedelta(days=7))
    html = get(client, world.facilitator, url(world, "round", round_id=closed.pk))
    assert 'data-testid="round-finish"' in html
    post(client, world.facilitator, url(world, "round_finish", round_id=closed.pk))
    closed.refresh_from_db()
    assert closed.state == RoundState.DISCUSSED
    post(client, world.facilitator, url(world, "round_publish", round_id=closed.pk))
    closed.refresh_from_db()
    assert closed.state == RoundState.PUBLISHED
    response = post(
        client,
        world.facilitator,
        url(world, "round_reopen", round_id=closed.pk),
        {"reason": "A decision was missing"},
    )
    closed.refresh_from_db()
    assert closed.state == RoundState.DISCUSSED
    assert closed.reopen_count == 1
    assert flashed(response)[-1] == "The round is reopened."
    html = get(client, world.member, url(world, "round", round_id=closed.pk))
    assert "A decision was missing" in html
    assert "Reopened to Discussed" in html


def test_reopen_needs_a_reason(client, world):
    discussed = rf.review_round(
        world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator
    )
    response = post(
        client, world.manager, url(world, "round_reopen", round_id=discussed.pk), {"reason": " "}
    )
    assert flashed(response) == ["This field is required."]
    discussed.refresh_from_db()
    assert discussed.state == RoundState.DISCUSSED
    assert discussed.reopen_count == 0


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_participants_without_the_role_get_403_reopening(client, world, who):
    discussed = rf.review_round(
        world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator
    )
    post(
        client,
        getattr(world, who),
        url(world, "round_reopen", round_id=discussed.pk),
        {"reason": "Because"},
        status=403,
    )
    discussed.refresh_from_db()
    assert discussed.state == RoundState.DISCUSSED


def test_round_page_lists_its_actions_and_the_carried_over_ones(client, world, closed):
    earlier = rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        period=rf.Q2_2026.previous(),
        with_set=False,
    )
    rf.action(world.partnership, world.member, title="Carry me over", review_round=earlier)
    rf.action(world.partnership, world.supplier_lead, title="Agreed now", review_round=closed)
    html = get(client, world.viewer, url(world, "round", round_id=closed.pk))
    round_actions = html.split('data-testid="round-actions"')[1].split("</table>")[0]
    carried = html.split('data-testid="carried-over"')[1].split("</table>")[0]
    assert "Agreed now" in round_actions and "Carry me over" not in round_actions
    assert "Carry me over" in carried


def test_rounds_list_counts_the_actions_carried_over(client, world, closed):
    earlier = rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        period=rf.Q2_2026.previous(),
        with_set=False,
    )
    rf.action(world.partnership, world.member, title="Carry me over", review_round=earlier)
    rf.action(world.partnership, world.member, title="Also carried", review_round=earlier)
    rf.action(world.partnership, world.supplier_lead, title="Agreed now", review_round=closed)
    html = get(client, world.viewer, url(world, "rounds"))
    cells = [
        c.split(">", 1)[1].split("</td>")[0]
        for c in html.split('data-testid="round-open-actions"')[1:]
    ]
    # Newest first: 2026-Q2 has its own action and the two of 2026-Q1; 2026-Q1 has its two.
    assert "1" in cells[0] and "+ 2 carried over" in cells[0]
    assert "2" in cells[1] and "carried over" not in cells[1]


# --- settings --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "supplier_lead"])
def test_managers_open_the_settings(client, world, who):
    html = get(client, getattr(world, who), url(world, "round_settings"))
    assert 'data-testid="next-window"' in html


@pytest.mark.parametrize("who", ["member", "viewer", "facilitator"])
def test_others_get_403_on_the_settings(client, world, who):
    get(client, getattr(world, who), url(world, "round_settings"), status=403)
    post(client, getattr(world, who), url(world, "round_settings"), {"cadence": 6}, status=403)
    assert not ReviewSettings.objects.filter(partnership=world.partnership).exists()


def test_settings_are_saved_and_scheduled_rounds_follow(client, world):
    review_round = rf.review_round(world.partnership, RoundState.SCHEDULED, period=current_period())
    data = {"cadence": 3, "open_after_working_days": 3, "open_days": 21, "automatic": ""}
    response = post(client, world.manager, url(world, "round_settings"), data)
    assert response["Location"] == url(world, "rounds")
    saved = ReviewSettings.objects.get(partnership=world.partnership)
    assert (saved.open_after_working_days, saved.open_days, saved.automatic) == (3, 21, False)
    review_round.refresh_from_db()
    assert review_round.closes_at - review_round.opens_at == datetime.timedelta(days=21)
    assert any(current_period().label in m for m in flashed(response))


def test_settings_errors_show_next_to_the_field_in_the_users_language(client, world):
    data = {"cadence": 3, "open_after_working_days": 0, "open_days": 90}
    html = post(client, world.manager, url(world, "round_settings"), data, status=200)
    html = html.content.decode()
    assert "Ensure this value is greater than or equal to 1." in html
    assert "Ensure this value is less than or equal to 60." in html
    world.manager.language = "nl"
    world.manager.save(update_fields=["language"])
    html = post(client, world.manager, url(world, "round_settings"), data, status=200)
    assert "Zorg ervoor dat deze waarde minstens 1 is." in html.content.decode()
    assert not ReviewSettings.objects.filter(partnership=world.partnership).exists()


def test_an_ended_partnership_is_read_only(client, world):
    review_round = rf.review_round(world.partnership, RoundState.SCHEDULED, period=current_period())
    world.partnership.phase = "ended"
    world.partnership.save(update_fields=["phase"])
    html = get(client, world.manager, url(world, "round", round_id=review_round.pk))
    assert 'data-testid="round-open"' not in html
    post(client, world.manager, url(world, "round_open", round_id=review_round.pk), status=403)
    get(client, world.manager, url(world, "round_settings"), status=403)
    review_round.refresh_from_db()
    assert review_round.state == RoundState.SCHEDULED


def test_viewers_see_no_buttons(client, world, closed):
    html = get(client, world.viewer, url(world, "round", round_id=closed.pk))
    buttons = html.split('data-testid="round-buttons"')[1].split("</div>")[0]
    assert "<button" not in buttons
    assert 'data-testid="round-reopen"' not in html
