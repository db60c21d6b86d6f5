"""The session pages across the role matrix: planning, the agenda, session mode, minutes,
decisions and actions; sealing before the round closes; nothing side-internal on screen."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews import services_sessions
from reviews.models import ActionItem, AgendaItem, AgendaKind, Decision, RoundState, Session
from tests.messaging.factories import ThreadFactory
from tests.reviews import factories as rf
from tests.sti import factories as sti_f

pytestmark = pytest.mark.django_db

RUNNERS = ["facilitator", "manager", "supplier_lead"]  # the facilitator and managers of a side
READERS = ["member", "viewer"]
EVERYONE = RUNNERS + READERS


@pytest.fixture
def closed(world, english):
    return rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )


def url(name, review_round, **kwargs):
    return reverse(
        f"reviews:{name}",
        kwargs={
            "partnership_id": review_round.partnership_id,
            "round_id": review_round.pk,
            **kwargs,
        },
    )


def items(review_round):
    return list(AgendaItem.objects.filter(round=review_round).order_by("position", "pk"))


def first_item(review_round):
    return items(review_round)[0]


def as_user(client, user):
    client.force_login(user)
    return client


# --- the role matrix -------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_insiders_read_agenda_and_session_mode(client, world, closed, who):
    item = first_item(closed)
    as_user(client, getattr(world, who))
    assert client.get(url("agenda", closed)).status_code == 200
    assert client.get(url("agenda_item", closed, agenda_item_id=item.pk)).status_code == 200
    response = client.get(url("session_mode", closed))
    assert response.status_code == 302
    assert response["Location"] == url("session_item", closed, agenda_item_id=item.pk)
    page = client.get(url("session_item", closed, agenda_item_id=item.pk))
    assert page.status_code == 200
    assert "Item 1 of" in page.content.decode()
    can_write = who in RUNNERS
    assert ('name="form" value="minutes"' in page.content.decode()) is can_write
    assert (client.get(url("session_plan", closed)).status_code == 200) is can_write


@pytest.mark.parametrize("who", READERS)
def test_readers_get_403_on_every_write(client, world, closed, who):
    item = first_item(closed)
    as_user(client, getattr(world, who))
    item_kwargs = {"agenda_item_id": item.pk}
    posts = [
        (url("session_plan", closed), {"date": "2026-07-22"}),
        (url("agenda", closed), {"title": "Ours"}),
        (url("agenda_item", closed, **item_kwargs), {"title": "Changed"}),
        (url("agenda_item_move", closed, **item_kwargs), {"direction": "down"}),
        (url("agenda_item_delete", closed, **item_kwargs), {}),
        (url("session_item", closed, **item_kwargs), {"form": "minutes", "minutes": "x"}),
        (url("session_item", closed, **item_kwargs), {"form": "decision", "text": "x"}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    assert AgendaItem.objects.get(pk=item.pk).title == item.title
    assert not Decision.objects.exists()


def test_anonymous_is_sent_to_log_in(client, world, closed):
    item = first_item(closed)
    paths = [
        url("agenda", closed),
        url("agenda_item", closed, agenda_item_id=item.pk),
        url("session_mode", closed),
        url("session_item", closed, agenda_item_id=item.pk),
        url("session_plan", closed),
        url("session_ics", closed),
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_item_of_another_round_is_404(client, world, closed):
    other = rf.review_round(
        world.other_partnership, RoundState.CLOSED, with_set=False
    )  # its hub item belongs to the other partnership
    foreign = first_item(other)
    as_user(client, world.facilitator)
    assert client.get(url("session_item", closed, agenda_item_id=foreign.pk)).status_code == 404
    response = client.post(url("agenda_item_delete", closed, agenda_item_id=foreign.pk))
    assert response.status_code == 404
    assert AgendaItem.objects.filter(pk=foreign.pk).exists()


# --- planning --------------------------------------------------------------------------------


def test_plan_the_session_in_amsterdam_time(client, world, closed):
    as_user(client, world.facilitator)
    response = client.post(
        url("session_plan", closed),
        {"date": "2026-07-22", "start_time": "14:00", "end_time": "16:00", "location": "Room 2"},
    )
    assert response.status_code == 302
    session = Session.objects.get(round=closed)
    local = timezone.localtime(session.starts_at)
    assert (local.hour, local.utcoffset()) == (14, datetime.timedelta(hours=2))
    assert session.planned_by == world.facilitator


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"start_time": "16:00", "end_time": "15:00"}, "end_time", "must end after it starts"),
        ({"location": ""}, "location", "Enter a place or a video link."),
    ],
)
def test_plan_errors_show_next_to_the_field(client, world, closed, data, field, message):
    as_user(client, world.manager)
    values = {"date": "2026-07-22", "start_time": "14:00", "end_time": "16:00", "location": "R"}
    response = client.post(url("session_plan", closed), {**values, **data})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert not Session.objects.filter(round=closed).exists()


# --- the agenda ------------------------------------------------------------------------------


def test_reorder_with_up_and_down(client, world, closed):
    first, second = items(closed)[:2]
    as_user(client, world.facilitator)
    response = client.post(
        url("agenda_item_move", closed, agenda_item_id=first.pk), {"direction": "down"}
    )
    assert response.status_code == 302
    assert [i.pk for i in items(closed)[:2]] == [second.pk, first.pk]
    response = client.post(
        url("agenda_item_move", closed, agenda_item_id=first.pk),
        {"direction": "up"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="agenda-list"' in response.content.decode()
    assert [i.pk for i in items(closed)[:2]] == [first.pk, second.pk]


def test_edit_add_and_delete_items(client, world, closed):
    item = first_item(closed)
    as_user(client, world.facilitator)
    path = url("agenda_item", closed, agenda_item_id=item.pk)
    response = client.post(path, {"title": "  ", "details": "x"})
    assert response.status_code == 200 and response.context["form"].errors["title"]
    response = client.post(path, {"title": "Pro-activity, both ways", "details": "Start here"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.details) == ("Pro-activity, both ways", "Start here")
    response = client.post(url("agenda", closed), {"title": "Any other business"})
    assert response.status_code == 302
    added = items(closed)[-1]
    assert (added.title, added.kind) == ("Any other business", AgendaKind.OTHER)
    # An item with minutes stays; the error is shown.
    services_sessions.minutes_save(actor=world.facilitator, item=item, minutes="Discussed")
    response = client.post(url("agenda_item_delete", closed, agenda_item_id=item.pk), follow=True)
    assert "clear them before removing it" in response.content.decode()
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    client.post(url("agenda_item_delete", closed, agenda_item_id=added.pk))
    assert not AgendaItem.objects.filter(pk=added.pk).exists()
    assert [i.position for i in items(closed)] == list(range(1, len(items(closed)) + 1))


# --- session mode: minutes, decisions, actions -----------------------------------------------


def test_minutes_plain_post_and_htmx(client, world, closed):
    item = first_item(closed)
    path = url("session_item", closed, agenda_item_id=item.pk)
    as_user(client, world.facilitator)
    response = client.post(path, {"form": "minutes", "minutes": "Both sides agree it is late."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.minutes == "Both sides agree it is late."
    response = client.post(
        path, {"form": "minutes", "minutes": "Updated"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200 and "Saved at" in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == "Updated"
    as_user(client, world.viewer)
    assert "Updated" in client.get(path).content.decode()


def test_decisions_are_recorded_and_removed(client, world, closed):
    item = first_item(closed)
    path = url("session_item", closed, agenda_item_id=item.pk)
    as_user(client, world.facilitator)
    response = client.post(path, {"form": "decision", "text": ""})
    assert response.status_code == 200 and response.context["decision_form"].errors["text"]
    client.post(path, {"form": "decision", "text": "Weekly call on Mondays"})
    decision = Decision.objects.get()
    assert (decision.agenda_item, decision.round, decision.created_by) == (
        item,
        closed,
        world.facilitator,
    )
    as_user(client, world.member)
    assert "Weekly call on Mondays" in client.get(path).content.decode()
    assert client.post(url("decision_delete", closed, decision_id=decision.pk)).status_code == 403
    as_user(client, world.facilitator)
    client.post(url("decision_delete", closed, decision_id=decision.pk))
    assert not Decision.objects.exists()


def test_action_recorded_in_session_mode_has_origin_session(client, world, closed):
    item = first_item(closed)
    path = url("session_item", closed, agenda_item_id=item.pk)
    as_user(client, world.facilitator)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        path,
        {"form": "action", "title": "", "owner": world.supplier_lead.pk, "due_date": due},
    )
    assert response.status_code == 200 and response.context["action_form"].errors["title"]
    response = client.post(
        path,
        {
            "form": "action",
            "title": "Report problems the same day",
            "owner": world.supplier_lead.pk,
            "due_date": due,
        },
    )
    assert response.status_code == 302
    action = ActionItem.objects.get()
    assert (action.origin, action.round, action.agenda_item) == ("session", closed, item)
    assert action.owner == world.supplier_lead and action.created_by == world.facilitator
    as_user(client, world.viewer)
    assert "Report problems the same day" in client.get(path).content.decode()


def test_owner_from_another_tenant_is_refused(client, world, closed):
    item = first_item(closed)
    as_user(client, world.facilitator)
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        url("session_item", closed, agenda_item_id=item.pk),
        {"form": "action", "title": "X", "owner": world.outsider.pk, "due_date": due},
    )
    assert response.status_code == 200 and response.context["action_form"].errors["owner"]
    assert not ActionItem.objects.exists()


# --- what the screen shows -------------------------------------------------------------------


def test_indicator_item_shows_both_sides_side_by_side(client, world, closed):
    item = first_item(closed)
    assert item.indicator.name == "Pro-activity"
    as_user(client, world.viewer)
    page = client.get(url("session_item", closed, agenda_item_id=item.pk)).content.decode()
    assert 'data-testid="side-supplier"' in page and 'data-testid="side-client"' in page
    assert 'data-testid="score-supplier">4.0<' in page
    assert 'data-testid="score-client">5.0<' in page
    assert "Problems reach us late." in page  # client about the supplier
    assert "Requests come in at the last minute." in page  # supplier about the client
    assert "+4.0" in page  # the supplier's own view 8.0 against 4.0


def test_open_round_shows_no_scores_or_motivations(client, world, english):
    review_round = rf.review_round(
        world.partnership,
        RoundState.OPEN,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )
    indicator = review_round.survey.indicator_set.indicators.get(name="Pro-activity")
    item = AgendaItem.objects.create(
        round=review_round,
        position=1,
        kind=AgendaKind.INDICATOR,
        title="Pro-activity",
        indicator=indicator,
    )
    for who in ("facilitator", "manager"):
        as_user(client, getattr(world, who))
        response = client.get(url("session_mode", review_round))
        assert response.status_code == 200
        assert 'data-testid="session-sealed"' in response.content.decode()
        page = client.get(url("session_item", review_round, agenda_item_id=item.pk))
        text = page.content.decode()
        assert 'data-testid="session-sealed"' in text
        assert "Problems reach us late." not in text
        assert 'data-testid="score-' not in text
        agenda = client.get(url("agenda", review_round)).content.decode()
        assert 'data-testid="agenda-sealed"' in agenda and "Pro-activity" not in agenda
    response = client.post(
        url("session_item", review_round, agenda_item_id=item.pk),
        {"form": "minutes", "minutes": "Too early"},
    )
    assert response.status_code == 403


def test_facilitator_sees_nothing_side_internal(client, world, english):
    review_round = rf.review_round(
        world.partnership,
        RoundState.OPEN,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )
    with rf.travel(review_round.opens_at + datetime.timedelta(hours=1)):
        sti_f.response(
            review_round.survey,
            world.manager,
            "client",
            {("Pro-activity", "supplier"): (1, "DRAFT SECRET")},
            submitted=False,
        )
        ThreadFactory(
            partnership=world.partnership,
            category="complaint",
            visibility="client_internal",
            subject="INTERNAL THREAD",
            created_at=timezone.make_aware(datetime.datetime(2026, 5, 4, 9)),
        )
    with rf.travel(review_round.closes_at + datetime.timedelta(minutes=5)):
        from reviews import services

        review_round = services.round_close(review_round=review_round, now=timezone.now())
    as_user(client, world.facilitator)
    seen = ""
    for item in items(review_round):
        seen += client.get(
            url("session_item", review_round, agenda_item_id=item.pk)
        ).content.decode()
    seen += client.get(url("agenda", review_round)).content.decode()
    assert "Problems reach us late." in seen  # submitted motivations do show
    assert "DRAFT SECRET" not in seen
    assert "INTERNAL THREAD" not in seen
    hub = AgendaItem.objects.get(round=review_round, kind=AgendaKind.HUB)
    assert "0 threads opened" in hub.details


def test_ended_partnership_is_read_only_for_the_facilitator(client, world, closed):
    item = first_item(closed)
    world.partnership.phase = "ended"
    world.partnership.save(update_fields=["phase"])
    as_user(client, world.facilitator)
    path = url("session_item", closed, agenda_item_id=item.pk)
    page = client.get(path)
    assert page.status_code == 200
    assert 'name="form" value="minutes"' not in page.content.decode()
    assert client.post(path, {"form": "minutes", "minutes": "Late"}).status_code == 403
    assert client.get(url("session_plan", closed)).status_code == 403


def test_action_under_a_kpi_item_links_the_kpi(client, world, english):
    from tests.kpis.factories import KPIFactory, MeasurementFactory

    kpi = KPIFactory(partnership=world.partnership, name="Cleaning quality")
    MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 6, 1), value=60)
    review_round = rf.review_round(world.partnership, RoundState.CLOSED, with_set=False)
    item = AgendaItem.objects.get(round=review_round, kind=AgendaKind.KPI)
    as_user(client, world.manager)
    path = url("session_item", review_round, agenda_item_id=item.pk)
    page = client.get(path).content.decode()
    assert 'data-testid="kpi-figures"' in page and "<svg" in page
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    client.post(
        path, {"form": "action", "title": "Extra check", "owner": world.member.pk, "due_date": due}
    )
    action = ActionItem.objects.get()
    assert (action.kpi, action.origin, action.agenda_item) == (kpi, "session", item)


def test_move_to_a_position_and_up_from_the_top(client, world, closed):
    first, second, third = items(closed)[:3]
    as_user(client, world.facilitator)
    client.post(url("agenda_item_move", closed, agenda_item_id=first.pk), {"position": "3"})
    assert [i.pk for i in items(closed)[:3]] == [second.pk, third.pk, first.pk]
    client.post(url("agenda_item_move", closed, agenda_item_id=second.pk), {"direction": "up"})
    assert [i.pk for i in items(closed)[:3]] == [second.pk, third.pk, first.pk]
    response = client.post(
        url("agenda_item_move", closed, agenda_item_id=first.pk), {"position": "x"}, follow=True
    )
    assert "Choose where to move the item." in response.content.decode()
    assert [i.pk for i in items(closed)[:3]] == [second.pk, third.pk, first.pk]


# --- minutes are never lost ------------------------------------------------------------------


def test_next_and_previous_save_the_minutes_without_javascript(client, world, closed):
    first, second = items(closed)[:2]
    as_user(client, world.facilitator)
    page = client.get(url("session_item", closed, agenda_item_id=first.pk)).content.decode()
    # Navigation submits the minutes form (a plain POST), and the textarea saves as you type.
    assert 'form="minutes-form" name="go" value="next"' in page
    assert 'id="minutes-form"' in page and 'hx-trigger="input changed delay:800ms, change"' in page
    response = client.post(
        url("session_item", closed, agenda_item_id=first.pk),
        {"form": "minutes", "minutes": "Late reports, both agree.", "go": "next"},
    )
    assert response.status_code == 302
    assert response["Location"] == url("session_item", closed, agenda_item_id=second.pk)
    first.refresh_from_db()
    assert first.minutes == "Late reports, both agree."
    response = client.post(
        url("session_item", closed, agenda_item_id=second.pk),
        {"form": "minutes", "minutes": "Second item", "go": "previous"},
    )
    assert response["Location"] == url("session_item", closed, agenda_item_id=first.pk)
    response = client.post(
        url("session_item", closed, agenda_item_id=second.pk),
        {"form": "minutes", "minutes": "Second item, amended", "go": "agenda"},
    )
    assert response["Location"] == url("agenda", closed)
    second.refresh_from_db()
    assert second.minutes == "Second item, amended"
    # Readers follow with plain links: nothing of theirs to save.
    as_user(client, world.viewer)
    page = client.get(url("session_item", closed, agenda_item_id=first.pk)).content.decode()
    assert 'name="go"' not in page
    assert f'href="{url("session_item", closed, agenda_item_id=second.pk)}"' in page


def test_decision_and_action_carry_the_minutes_as_typed(client, world, closed):
    item = first_item(closed)
    path = url("session_item", closed, agenda_item_id=item.pk)
    as_user(client, world.facilitator)
    page = client.get(path).content.decode()
    assert page.count('name="minutes" disabled data-minutes-copy') == 2  # filled by session.js
    response = client.post(
        path, {"form": "decision", "text": "Weekly call", "minutes": "Typed, not yet saved"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.minutes == "Typed, not yet saved"
    assert Decision.objects.get().text == "Weekly call"
    # An invalid decision still keeps the minutes, and the page shows them.
    response = client.post(path, {"form": "decision", "text": "", "minutes": "More typed"})
    assert response.status_code == 200 and response.context["decision_form"].errors["text"]
    assert "More typed" in response.content.decode()
    item.refresh_from_db()
    assert item.minutes == "More typed"
    due = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
    response = client.post(
        path,
        {
            "form": "action",
            "title": "Same-day reports",
            "owner": world.supplier_lead.pk,
            "due_date": due,
            "minutes": "With the action",
        },
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.minutes == "With the action"
    assert ActionItem.objects.get().title == "Same-day reports"
    # Without the field (no JavaScript) the saved minutes stay as they are.
    client.post(path, {"form": "decision", "text": "Another"})
    item.refresh_from_db()
    assert item.minutes == "With the action"


# --- planning: dates and states --------------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-01-08", "2026-06-30"])
def test_session_before_the_period_ends_is_refused(client, world, closed, day):
    assert closed.period_end == datetime.date(2026, 6, 30)
    as_user(client, world.facilitator)
    values = {"date": day, "start_time": "14:00", "end_time": "16:00", "location": "Room 2"}
    response = client.post(url("session_plan", closed), values)
    assert response.status_code == 200
    assert "which ends on 30 June 2026" in " ".join(response.context["form"].errors["date"])
    assert not Session.objects.filter(round=closed).exists()


def test_service_refuses_a_start_before_the_period_end_in_amsterdam(world, closed):
    from django.core.exceptions import ValidationError

    from reviews.calendar import TIME_ZONE

    def plan(hour, day):
        starts = datetime.datetime(2026, *day, hour, 30, tzinfo=TIME_ZONE)
        return services_sessions.session_plan(
            actor=world.facilitator,
            review_round=closed,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(hours=1),
            location="Room 2",
        )

    with pytest.raises(ValidationError) as refused:
        plan(23, (6, 30))  # 21:30 UTC on the last day of the period
    assert "starts_at" in refused.value.error_dict
    # Just after midnight in Amsterdam (still 30 June in UTC) is after the period: allowed, and
    # so is a session in the recent past (it is recorded afterwards).
    assert plan(0, (7, 1)).starts_at.astimezone(datetime.UTC).day == 30
    assert timezone.now() > plan(10, (7, 20)).starts_at


def test_plan_page_is_read_only_once_the_round_is_discussed(client, world, english):
    discussed = rf.review_round(
        world.partnership, RoundState.DISCUSSED, facilitator=world.facilitator
    )
    session = Session.objects.get(round=discussed)
    as_user(client, world.facilitator)
    page = client.get(url("session_plan", discussed)).content.decode()
    assert (
        "Move and send the new invitation" not in page and '<form method="post" class' not in page
    )
    assert 'data-testid="current-session"' in page and "Room 1.14" in page
    assert "The round is discussed: the session can no longer be planned." in page
    values = {"date": "2026-07-29", "start_time": "10:00", "end_time": "12:00", "location": "X"}
    response = client.post(url("session_plan", discussed), values)
    assert response.status_code == 200
    text = response.content.decode()
    assert text.count("can no longer be") == 1
    assert "Move and send the new invitation" not in text
    assert Session.objects.get(round=discussed).starts_at == session.starts_at


# --- the screen ------------------------------------------------------------------------------


def test_open_dispute_reads_as_a_status_in_dutch(client, world, closed):
    from kpis.models import Dispute
    from tests.kpis.factories import KPIFactory, MeasurementFactory

    kpi = KPIFactory(partnership=world.partnership, name="Cleaning quality")
    measurement = MeasurementFactory(kpi=kpi, period_start=datetime.date(2026, 6, 1), value=60)
    dispute = Dispute.objects.create(
        partnership=world.partnership,
        measurement=measurement,
        side="supplier",
        raised_by=world.supplier_lead,
        reason="Two wards were closed.",
    )
    item = AgendaItem.objects.create(
        round=closed, position=99, kind=AgendaKind.DISPUTE, title="Disputed", dispute=dispute
    )
    world.viewer.language = "nl"
    world.viewer.save(update_fields=["language"])
    as_user(client, world.viewer)
    page = client.get(url("session_item", closed, agenda_item_id=item.pk)).content.decode()
    card = page.split('data-testid="dispute"')[1].split("</div></div>")[0]
    assert 'data-testid="dispute-status">Open<' in card
    assert "Openen" not in card


def test_presentation_view_hides_the_app_chrome_and_is_kept(client, world, closed):
    first, second = items(closed)[:2]
    as_user(client, world.viewer)
    page = client.get(url("session_item", closed, agenda_item_id=first.pk)).content.decode()
    assert "session-present" not in page and 'data-testid="presentation-on"' in page
    page = client.get(
        url("session_item", closed, agenda_item_id=first.pk) + "?present=1"
    ).content.decode()
    assert 'class="session-screen session-present"' in page
    page = client.get(url("session_item", closed, agenda_item_id=second.pk)).content.decode()
    assert 'class="session-screen session-present"' in page  # kept while moving on
    page = client.get(
        url("session_item", closed, agenda_item_id=second.pk) + "?present=0"
    ).content.decode()
    assert "session-present" not in page
