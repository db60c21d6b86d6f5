"""Actions of a partnership through the HTML: the filtered list, recording one, editing it and
changing its status, with the services' rules shown next to the fields."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ActionItem, ActionStatus, RoundState
from tests import factories as f
from tests.reviews import factories as rf
from tests.reviews.pages import get, post, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PEOPLE = ["manager", "member", "viewer", "supplier_lead", "facilitator", "outsider"]


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def make_overdue(action, days=3):
    ActionItem.objects.filter(pk=action.pk).update(due_date=in_days(-days))


def rows(html: str) -> str:
    return html.split('data-testid="actions"')[1].split("</table>")[0] if "</table>" in html else ""


@pytest.fixture
def actions(world):
    a = rf.action(world.partnership, world.member, title="Mop the wards daily")
    b = rf.action(world.partnership, world.supplier_lead, title="Train the night shift")
    c = rf.action(world.partnership, world.member, title="Replace the trolleys")
    elsewhere = f.participant(world.other_partnership, "supplier", role="member")
    rf.action(world.other_partnership, elsewhere, title="Elsewhere entirely")
    make_overdue(b)
    ActionItem.objects.filter(pk=c.pk).update(status=ActionStatus.DONE, completed_at=timezone.now())
    return a, b, c


# --- the list --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["manager", "member", "viewer", "supplier_lead", "facilitator"])
def test_insiders_see_the_open_actions_of_the_partnership(client, world, actions, who):
    html = rows(get(client, getattr(world, who), url(world, "actions")))
    assert "Mop the wards daily" in html
    assert "Train the night shift" in html
    assert "Replace the trolleys" not in html  # done: not open
    assert "Elsewhere entirely" not in html


def test_anonymous_is_sent_to_the_login(client, world):
    response = client.get(url(world, "actions"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_overdue_actions_are_marked_and_filtered(client, world, actions):
    html = rows(get(client, world.member, url(world, "actions")))
    overdue_row = [r for r in html.split("<tr") if "Train the night shift" in r][0]
    assert "action-overdue" in overdue_row and 'data-testid="overdue"' in overdue_row
    html = rows(get(client, world.member, url(world, "actions") + "?overdue=1"))
    assert "Train the night shift" in html and "Mop the wards daily" not in html


def test_filters_on_status_owner_origin_and_round(client, world, actions):
    html = rows(get(client, world.member, url(world, "actions") + "?status=done"))
    assert "Replace the trolleys" in html and "Mop the wards daily" not in html
    html = rows(get(client, world.member, url(world, "actions") + "?status="))
    assert all(t in html for t in ("Mop the wards", "Train the night", "Replace the trolleys"))
    html = rows(get(client, world.member, url(world, "actions") + f"?owner={world.member.pk}"))
    assert "Mop the wards daily" in html and "Train the night shift" not in html
    html = get(client, world.member, url(world, "actions") + "?origin=session")
    assert 'data-testid="actions-empty"' in html
    review_round = rf.review_round(world.partnership, RoundState.CLOSED)
    rf.action(world.partnership, world.member, title="From the round", review_round=review_round)
    html = rows(get(client, world.member, url(world, "actions") + f"?round={review_round.pk}"))
    assert "From the round" in html and "Mop the wards daily" not in html


def selected_statuses(html: str) -> list[str]:
    select = html.split('id="f-status"')[1].split("</select>")[0]
    return [o.split('"')[1] for o in select.split("<option value=")[1:] if "selected" in o]


def test_status_open_means_open_only_and_current_means_open_or_in_progress(client, world, actions):
    a, _b, _c = actions
    ActionItem.objects.filter(pk=a.pk).update(status=ActionStatus.IN_PROGRESS)
    html = get(client, world.member, url(world, "actions"))
    assert selected_statuses(html) == ["current"]  # the default: open or in progress
    assert "Mop the wards daily" in rows(html) and "Train the night shift" in rows(html)
    html = get(client, world.member, url(world, "actions") + "?status=open")
    assert selected_statuses(html) == ["open"]
    assert "Train the night shift" in rows(html) and "Mop the wards daily" not in rows(html)
    html = get(client, world.member, url(world, "actions") + "?status=in_progress")
    assert selected_statuses(html) == ["in_progress"]
    assert "Mop the wards daily" in rows(html) and "Train the night shift" not in rows(html)


def test_dates_and_round_labels_do_not_break(client, world):
    review_round = rf.review_round(world.partnership, RoundState.CLOSED)
    rf.action(world.partnership, world.member, review_round=review_round)
    html = rows(get(client, world.member, url(world, "actions")))
    assert '<span class="review-date">' in html
    assert 'class="period-label"' in html


def test_owner_is_shown_with_their_side(client, world, actions):
    html = rows(get(client, world.member, url(world, "actions")))
    assert f'{world.supplier_lead.display_name} <span class="text-muted">(Supplier)' in html


def test_the_list_is_paginated(client, world):
    for i in range(27):
        rf.action(
            world.partnership, world.member, title=f"Action number {i:02d}", due=in_days(i + 1)
        )
    html = get(client, world.member, url(world, "actions"))
    assert "Action number 24" in html and "Action number 25" not in html
    html = get(client, world.member, url(world, "actions") + "?page=2")
    assert "Action number 26" in html


# --- recording -------------------------------------------------------------------------------


def test_a_participant_records_an_action_linked_to_a_round(client, world):
    review_round = rf.review_round(world.partnership, RoundState.CLOSED)
    html = get(client, world.member, url(world, "action_create") + f"?round={review_round.pk}")
    assert f'value="{review_round.pk}" selected' in html
    data = {
        "title": "Call within the hour",
        "owner": world.supplier_lead.pk,
        "due_date": in_days(14).isoformat(),
        "round": review_round.pk,
    }
    response = post(client, world.member, url(world, "action_create"), data)
    action = ActionItem.objects.get(title="Call within the hour")
    assert response["Location"] == action.get_absolute_url()
    assert (action.owner, action.owner_side, action.round) == (
        world.supplier_lead,
        "supplier",
        review_round,
    )
    assert (action.origin, action.created_by) == ("manual", world.member)


@pytest.mark.parametrize("who", ["viewer"])
def test_a_viewer_gets_403_recording(client, world, who):
    html = get(client, getattr(world, who), url(world, "actions"))
    assert 'data-testid="new-action"' not in html
    get(client, getattr(world, who), url(world, "action_create"), status=403)
    data = {"title": "X", "owner": world.member.pk, "due_date": in_days(3).isoformat()}
    post(client, getattr(world, who), url(world, "action_create"), data, status=403)
    assert not ActionItem.objects.exists()


def test_the_facilitator_records_an_action_for_a_participant(client, world):
    data = {"title": "Agree a route", "owner": world.member.pk, "due_date": in_days(5).isoformat()}
    post(client, world.facilitator, url(world, "action_create"), data)
    assert ActionItem.objects.get(title="Agree a route").owner == world.member


def test_owner_from_another_partnership_is_refused(client, world):
    stranger = f.participant(world.other_partnership, "client", role="member")
    data = {"title": "Nope", "owner": stranger.pk, "due_date": in_days(5).isoformat()}
    response = post(client, world.member, url(world, "action_create"), data, status=200)
    assert "Select a valid choice." in response.content.decode()
    assert not ActionItem.objects.exists()


def test_the_facilitator_cannot_own_an_action(client, world):
    data = {"title": "Nope", "owner": world.facilitator.pk, "due_date": in_days(5).isoformat()}
    response = post(client, world.member, url(world, "action_create"), data, status=200)
    assert "Select a valid choice." in response.content.decode()


def test_past_due_date_is_refused_next_to_the_field(client, world):
    data = {"title": "Late", "owner": world.member.pk, "due_date": in_days(-1).isoformat()}
    response = post(client, world.member, url(world, "action_create"), data, status=200)
    html = response.content.decode()
    assert "The due date has already passed." in html
    assert html.index("The due date has already passed.") > html.index('name="due_date"')
    assert not ActionItem.objects.exists()


def test_a_round_of_another_partnership_is_refused(client, world):
    foreign = rf.review_round(world.other_partnership, RoundState.SCHEDULED)
    data = {
        "title": "Nope",
        "owner": world.member.pk,
        "due_date": in_days(5).isoformat(),
        "round": foreign.pk,
    }
    response = post(client, world.member, url(world, "action_create"), data, status=200)
    assert "Select a valid choice." in response.content.decode()
    assert not ActionItem.objects.exists()


# --- one action ------------------------------------------------------------------------------


def test_action_page_shows_origin_links_and_history(client, world):
    review_round = rf.review_round(world.partnership, RoundState.CLOSED)
    action = rf.action(world.partnership, world.member, review_round=review_round)
    html = get(client, world.viewer, url(world, "action", action_id=action.pk))
    assert review_round.get_absolute_url() in html
    assert 'data-testid="action-history"' in html and "Recorded" in html
    assert 'data-testid="edit-form"' not in html  # a viewer changes nothing


def test_owner_changes_the_status(client, world):
    action = rf.action(world.partnership, world.member, actor=world.supplier_lead)
    post(
        client,
        world.member,
        url(world, "action", action_id=action.pk),
        {"form": "status", "status": "in_progress"},
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS
    post(
        client,
        world.member,
        url(world, "action", action_id=action.pk),
        {"form": "status", "status": "done"},
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.completed_at is not None
    html = get(client, world.member, url(world, "action", action_id=action.pk))
    assert "Changed: status" in html


def test_status_changes_through_the_buttons_only(client, world):
    action = rf.action(world.partnership, world.member)
    html = get(client, world.member, url(world, "action", action_id=action.pk))
    edit = html.split('data-testid="edit-form"')[1].split("</form>")[0]
    assert 'name="status"' not in edit  # one way to change the status, not two
    status = html.split('data-testid="status-form"')[1].split("</form>")[0]
    assert 'data-testid="status-open"' not in status  # the current status is no button
    for value in ("in_progress", "done", "dropped"):
        assert f'name="status" value="{value}"' in status
    data = {
        "form": "edit",
        "title": "Edited",
        "owner": world.member.pk,
        "due_date": in_days(20).isoformat(),
        "status": "done",  # ignored: not a field of the edit form
    }
    post(client, world.member, url(world, "action", action_id=action.pk), data)
    action.refresh_from_db()
    assert (action.title, action.status) == ("Edited", ActionStatus.OPEN)


def test_edit_changes_the_owner_and_due_date(client, world):
    action = rf.action(world.partnership, world.member)
    data = {
        "form": "edit",
        "title": "Mop twice a day",
        "description": "Morning and evening",
        "owner": world.supplier_lead.pk,
        "due_date": in_days(40).isoformat(),
    }
    post(client, world.manager, url(world, "action", action_id=action.pk), data)
    action.refresh_from_db()
    assert (action.title, action.owner, action.owner_side) == (
        "Mop twice a day",
        world.supplier_lead,
        "supplier",
    )
    assert action.due_date == in_days(40)


def test_edit_refuses_a_new_past_due_date_but_keeps_an_overdue_one(client, world):
    action = rf.action(world.partnership, world.member)
    make_overdue(action, days=3)
    base = {"form": "edit", "title": "Still late", "owner": world.member.pk}
    data = {**base, "due_date": in_days(-1).isoformat()}
    response = post(client, world.member, url(world, "action", action_id=action.pk), data, 200)
    assert "The due date has already passed." in response.content.decode()
    action.refresh_from_db()
    assert action.title != "Still late"
    post(
        client,
        world.member,
        url(world, "action", action_id=action.pk),
        {**base, "due_date": in_days(-3).isoformat()},
    )
    action.refresh_from_db()
    assert action.title == "Still late"


@pytest.mark.parametrize("who", ["viewer", "supplier_lead_not_owner"])
def test_people_who_may_not_change_get_403(client, world, who):
    # A participant of the other side who neither owns nor recorded the action.
    other = f.participant(world.partnership, "supplier", role="member")
    user = world.viewer if who == "viewer" else other
    action = rf.action(world.partnership, world.member)
    html = get(client, user, url(world, "action", action_id=action.pk))
    assert 'data-testid="status-form"' not in html
    post(
        client,
        user,
        url(world, "action", action_id=action.pk),
        {"form": "status", "status": "dropped"},
        status=403,
    )
    action.refresh_from_db()
    assert action.status == ActionStatus.OPEN
