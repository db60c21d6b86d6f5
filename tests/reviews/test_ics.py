"""The session's calendar invitation: it parses, keeps Amsterdam time, invites exactly the
participants, replaces itself when the session moves, and arrives by e-mail."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from partnership.models import Notification
from reviews import ics, services_sessions
from reviews.models import RoundState
from tests.reviews import factories as rf

pytestmark = pytest.mark.django_db

AMS = ZoneInfo("Europe/Amsterdam")
PEOPLE = ("manager", "member", "viewer", "supplier_lead", "facilitator")


@pytest.fixture
def closed(world):
    return rf.review_round(
        world.partnership,
        RoundState.CLOSED,
        raters={world.member: "client", world.supplier_lead: "supplier"},
        facilitator=world.facilitator,
    )


def plan(world, review_round, day, start=14, **kwargs):
    starts = datetime.datetime(day.year, day.month, day.day, start, 0, tzinfo=AMS)
    values = {"location": "Room 1.14", **kwargs}
    return services_sessions.session_plan(
        actor=world.facilitator,
        review_round=review_round,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        **values,
    )


def event_of(content: bytes):
    calendar = Calendar.from_ical(content)
    assert str(calendar["method"]) == "REQUEST"
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def ics_attachment(message) -> bytes:
    parts = [a for a in message.attachments if not isinstance(a, tuple)]
    assert len(parts) == 1
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    return part.get_payload(decode=True)


@pytest.mark.parametrize(
    ("day", "offset"),
    [(datetime.date(2026, 7, 22), 2), (datetime.date(2026, 12, 10), 1)],
    ids=["summer", "winter"],
)
def test_ics_parses_with_amsterdam_time(world, closed, day, offset):
    session = plan(world, closed, day)
    calendar, event = event_of(ics.build_ics(session))
    assert [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Amsterdam"]
    for name, hour in (("dtstart", 14), ("dtend", 16)):
        assert event[name].params["TZID"] == "Europe/Amsterdam"
        moment = event.decoded(name)
        assert (moment.date(), moment.hour, moment.minute) == (day, hour, 0)
        assert moment.utcoffset() == datetime.timedelta(hours=offset)
    assert event.decoded("dtstart") == session.starts_at
    assert str(event["uid"]).startswith(str(session.uid))
    assert str(event["location"]) == "Room 1.14"
    assert "Hospital cleaning" in str(event["summary"])


def test_attendees_are_exactly_the_participants(world, closed):
    session = plan(world, closed, datetime.date(2026, 7, 22))
    _calendar, event = event_of(ics.build_ics(session))
    attendees = event["attendee"]
    emails = {str(a).removeprefix("mailto:") for a in attendees}
    assert emails == {getattr(world, who).email for who in PEOPLE}
    assert world.outsider.email not in emails
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "TRUE"
        assert attendee.params["CN"]
    assert str(event["organizer"]) == f"mailto:{world.facilitator.email}"


def test_description_lists_agenda_and_links_to_the_round(world, closed, settings):
    settings.SITE_URL = "https://tandem.example"
    session = plan(world, closed, datetime.date(2026, 7, 22), video_url="https://meet.example/abc")
    _calendar, event = event_of(ics.build_ics(session))
    description = str(event["description"])
    first = closed.agenda.order_by("position").first()
    assert f"1. {first.title}" in description
    assert "https://tandem.example" + closed.get_absolute_url() in description
    assert "https://meet.example/abc" in description
    assert str(event["url"]) == "https://meet.example/abc"


def test_sequence_rises_when_the_session_moves(world, closed):
    first = plan(world, closed, datetime.date(2026, 7, 22))
    _c, event = event_of(ics.build_ics(first))
    assert event["sequence"] == 0
    moved = plan(world, closed, datetime.date(2026, 7, 23), start=10)
    assert moved.uid == first.uid
    _c, event = event_of(ics.build_ics(moved))
    assert event["sequence"] == 1
    assert event.decoded("dtstart").hour == 10


def test_invitations_are_mailed_with_the_ics_in_each_language(
    world, closed, django_capture_on_commit_callbacks
):
    world.supplier_lead.language = "en"
    world.supplier_lead.save(update_fields=["language"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        session = plan(world, closed, datetime.date(2026, 7, 22))
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {getattr(world, who).email for who in PEOPLE}
    by_person = {m.to[0]: m for m in mail.outbox}
    english = by_person[world.supplier_lead.email]
    assert "You are invited to the session" in english.body
    dutch = by_person[world.member.email]
    assert "July" in english.body and "juli" in dutch.body  # dates in the reader's language
    _c, event = event_of(ics_attachment(english))
    assert str(event["uid"]).startswith(str(session.uid))
    assert Notification.objects.filter(user=world.viewer, kind="reviews.session_planned").exists()
    assert not Notification.objects.filter(
        user=world.outsider, kind="reviews.session_planned"
    ).exists()


def test_replanning_mails_a_changed_invitation(world, closed, django_capture_on_commit_callbacks):
    plan(world, closed, datetime.date(2026, 7, 22))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        plan(world, closed, datetime.date(2026, 7, 29))
    assert len(mail.outbox) == len(PEOPLE)
    _c, event = event_of(ics_attachment(mail.outbox[0]))
    assert event["sequence"] == 1


def test_ics_download_for_readers_not_outsiders(client, world, closed):
    plan(world, closed, datetime.date(2026, 7, 22))
    url = reverse(
        "reviews:session_ics",
        kwargs={"partnership_id": world.partnership.pk, "round_id": closed.pk},
    )
    client.force_login(world.viewer)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    _c, event = event_of(response.content)
    assert event.decoded("dtstart").hour == 14
    client.force_login(world.outsider)
    assert client.get(url).status_code == 404


def test_ics_download_without_session_is_404(client, world, closed):
    url = reverse(
        "reviews:session_ics",
        kwargs={"partnership_id": world.partnership.pk, "round_id": closed.pk},
    )
    client.force_login(world.manager)
    assert client.get(url).status_code == 404


def test_no_session_no_mail():
    mail.outbox.clear()
    assert ics.send_invitations(session_id=987654) == 0
    assert mail.outbox == []
