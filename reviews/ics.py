"""The session's calendar invitation: an iCalendar REQUEST everyone can add to their calendar.

The UID stays the session's for good and SEQUENCE rises each time the session is moved, so
calendars replace the earlier invitation instead of adding a second one. Times carry the
Europe/Amsterdam zone (with its VTIMEZONE), so they are right in summer and in winter.
"""

import datetime
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, vCalAddress, vText

from partnership.notifications import notify

from . import selectors
from .calendar import TIME_ZONE
from .models import AgendaItem, Session

PRODID = "-//Tandem//Review sessions//EN"
FILENAME = "invite.ics"


def round_url(review_round) -> str:
    return settings.SITE_URL + review_round.get_absolute_url()


def session_url(review_round) -> str:
    return settings.SITE_URL + reverse(
        "reviews:session_mode",
        kwargs={"partnership_id": review_round.partnership_id, "round_id": review_round.pk},
    )


def summary(session: Session) -> str:
    review_round = session.round
    return _("Review session %(partnership)s, %(period)s") % {
        "partnership": review_round.partnership.title,
        "period": review_round.label,
    }


def _address(user, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = vText(user.display_name)
    for name, value in params.items():
        address.params[name] = vText(value)
    return address


def build_ics(session: Session, *, attendees=None, agenda=None) -> bytes:
    """The invitation as bytes, in the active language."""
    review_round = session.round
    zone = TIME_ZONE
    if attendees is None:
        attendees = list(
            selectors.people_to_inform(partnership=review_round.partnership).order_by("email")
        )
    if agenda is None:
        agenda = list(AgendaItem.objects.filter(round=review_round).order_by("position", "pk"))
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"{session.uid}@tandem")
    event.add("sequence", session.sequence)
    event.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", summary(session))
    if session.location:
        event.add("location", session.location)
    elif session.video_url:
        event.add("location", session.video_url)
    if session.video_url:
        event.add("url", session.video_url)
    event.add("description", _description(session, agenda))
    event.add("status", "CONFIRMED")
    if session.planned_by is not None:
        event.add("organizer", _address(session.planned_by))
    else:  # a REQUEST needs an organizer (RFC 5546); the planner's account may be gone
        organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
        organizer.params["CN"] = vText("Tandem")
        event.add("organizer", organizer)
    for person in attendees:
        event.add(
            "attendee",
            _address(
                person,
                ROLE="REQ-PARTICIPANT",
                PARTSTAT="NEEDS-ACTION",
                RSVP="TRUE",
                CUTYPE="INDIVIDUAL",
            ),
        )
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _description(session: Session, agenda) -> str:
    lines = []
    if session.video_url:
        lines += [_("Video link: %(url)s") % {"url": session.video_url}, ""]
    if session.note:
        lines += [session.note, ""]
    if agenda:
        lines.append(_("Agenda:"))
        lines += [f"{number}. {item.title}" for number, item in enumerate(agenda, start=1)]
        lines.append("")
    lines.append(_("The round in Tandem: %(url)s") % {"url": round_url(session.round)})
    return "\n".join(lines)


def _attachment(content: bytes) -> MIMEText:
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename=FILENAME)
    return part


def send_invitations(*, session_id: int) -> int:
    """E-mail everyone the invitation in their own language; returns how many were queued.

    Called in the transaction that plans the session: the messages go to the outbox with it (the
    .ics part keeps its `method=REQUEST` content type there, see `partnership.outbox`)."""
    session = (
        Session.objects.select_related("round__partnership", "planned_by")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return 0
    review_round = session.round
    people = list(
        selectors.people_to_inform(partnership=review_round.partnership).order_by("email")
    )
    agenda = list(AgendaItem.objects.filter(round=review_round).order_by("position", "pk"))
    zone = TIME_ZONE
    messages = []
    for person in people:
        if not person.email:
            continue
        with translation.override(getattr(person, "language", "") or settings.LANGUAGE_CODE):
            context = {
                "session": session,
                "review_round": review_round,
                "partnership": review_round.partnership,
                "person": person,
                "starts_at": session.starts_at.astimezone(zone),
                "ends_at": session.ends_at.astimezone(zone),
                "agenda": agenda,
                "round_url": round_url(review_round),
                "session_url": session_url(review_round),
                "is_update": session.sequence > 0,
            }
            subject = summary(session)
            if session.sequence > 0:
                subject = _("Changed: %(summary)s") % {"summary": subject}
            body = render_to_string("reviews/email/session_invitation.txt", context)
            message = EmailMessage(
                f"[Tandem] {subject}", body, settings.DEFAULT_FROM_EMAIL, [person.email]
            )
            message.attach(_attachment(build_ics(session, attendees=people, agenda=agenda)))
        messages.append(message)
    if messages:
        get_connection().send_messages(messages)
    _notify(session, people)
    return len(messages)


def _notify(session: Session, people) -> None:
    review_round = session.round
    notify(
        users=people,
        kind="reviews.session_planned",
        title=gettext_lazy("The session of review round %(period)s is planned"),
        body=gettext_lazy("%(partnership)s: %(when)s, %(where)s. The invitation is in your mail."),
        params={
            "period": review_round.label,
            "partnership": review_round.partnership.title,
            "when": session.starts_at,  # rendered in the reader's format
            "where": session.location or session.video_url,
        },
        url=review_round.get_absolute_url(),
        partnership=review_round.partnership,
        email=False,
    )
