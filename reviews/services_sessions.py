"""The facilitated session: plan it, shape its agenda, keep minutes and decisions.

The facilitator runs the session; without one, the managers of either side may. The session
can be planned while the questionnaire is open or once it has closed; the agenda, minutes and
decisions are kept until the round is published (reopen it to change them afterwards).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for

from . import calendar
from .models import AgendaItem, AgendaKind, Decision, ReviewRound, RoundState, Session

PLANNABLE = (RoundState.OPEN, RoundState.CLOSED)
EDITABLE = (RoundState.CLOSED, RoundState.DISCUSSED)


def can_run_session(access) -> bool:
    return access.can(Action.FACILITATE) or access.can(Action.MANAGE)


def _require_runner(actor, review_round: ReviewRound) -> None:
    if not can_run_session(access_for(actor, review_round.partnership)):
        raise PermissionDenied


def _lock_round(review_round: ReviewRound, states) -> ReviewRound:
    locked = (
        ReviewRound.objects.select_for_update(of=("self",))
        .select_related("partnership")
        .get(pk=review_round.pk)
    )
    if locked.state not in states:
        raise ValidationError(
            _("This can no longer be changed: the round is %(state)s.")
            % {"state": locked.get_state_display().lower()}
        )
    return locked


@transaction.atomic
def session_plan(
    *,
    actor,
    review_round: ReviewRound,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    location: str = "",
    video_url: str = "",
    note: str = "",
) -> Session:
    """Plan (or move) the session and send everyone a calendar invitation (written to the mail
    outbox in this transaction: the plan and its invitations stand or fall together)."""
    from . import ics

    _require_runner(actor, review_round)
    review_round = _lock_round(review_round, PLANNABLE)
    location, video_url = (location or "").strip(), (video_url or "").strip()
    errors = {}
    if not starts_at:
        errors["starts_at"] = _("Enter when the session starts.")
    elif calendar.local_date(starts_at) <= review_round.period_end:
        # The session looks back on the whole period; one in the recent past stays allowed
        # (facilitators record a session afterwards).
        errors["starts_at"] = _(
            "The session looks back on the period of the round, which ends on %(date)s: "
            "plan it after that day."
        ) % {"date": date_format(review_round.period_end, "DATE_FORMAT")}
    if not ends_at:
        errors["ends_at"] = _("Enter when the session ends.")
    elif starts_at and ends_at <= starts_at:
        errors["ends_at"] = _("The session must end after it starts.")
    elif starts_at and ends_at - starts_at > datetime.timedelta(hours=12):
        errors["ends_at"] = _("A session lasts at most 12 hours.")
    if not location and not video_url:
        errors["location"] = _("Enter a place or a video link.")
    if errors:
        raise ValidationError(errors)
    # The round's row is locked above, so two plannings of one session never interleave; a plain
    # increment (not an F expression) keeps the history row of the session writable.
    session = Session.objects.select_for_update().filter(round=review_round).first()
    if session is None:
        session = Session(round=review_round)
    else:
        session.sequence += 1
    session.starts_at, session.ends_at = starts_at, ends_at
    session.location, session.video_url, session.note = location, video_url, (note or "").strip()
    session.planned_by = actor
    session.invited_at = timezone.now()
    session.full_clean(exclude=["round", "sequence"])
    session.save()
    ics.send_invitations(session_id=session.pk)
    return session


# --- agenda ----------------------------------------------------------------------------------


def _next_position(review_round: ReviewRound) -> int:
    top = AgendaItem.objects.filter(round=review_round).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1


def _clean_item(title: str, errors: dict) -> str:
    title = (title or "").strip()
    if not title:
        errors["title"] = _("Give the agenda item a title.")
    return title


@transaction.atomic
def agenda_item_create(
    *, actor, review_round: ReviewRound, title: str, details: str = "", kind=AgendaKind.OTHER
) -> AgendaItem:
    _require_runner(actor, review_round)
    review_round = _lock_round(review_round, EDITABLE)
    errors: dict = {}
    title = _clean_item(title, errors)
    if kind not in AgendaKind.values:
        errors["kind"] = _("Choose a valid kind.")
    if errors:
        raise ValidationError(errors)
    return AgendaItem.objects.create(
        round=review_round,
        position=_next_position(review_round),
        kind=kind,
        title=title,
        details=(details or "").strip(),
    )


@transaction.atomic
def agenda_item_update(*, actor, item: AgendaItem, **values) -> AgendaItem:
    """Change an item's title, details or minutes."""
    unknown = set(values) - {"title", "details", "minutes"}
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    _require_runner(actor, item.round)
    _lock_round(item.round, EDITABLE)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    errors: dict = {}
    if "title" in values:
        values["title"] = _clean_item(values["title"], errors)
    if errors:
        raise ValidationError(errors)
    for name, value in values.items():
        setattr(item, name, (value or "").strip() if name != "title" else value)
    item.save()
    return item


def minutes_save(*, actor, item: AgendaItem, minutes: str) -> AgendaItem:
    return agenda_item_update(actor=actor, item=item, minutes=minutes)


@transaction.atomic
def agenda_item_move(*, actor, item: AgendaItem, position: int) -> list[AgendaItem]:
    """Put an item at `position` (1-based) and number the agenda 1, 2, 3… again."""
    _require_runner(actor, item.round)
    review_round = _lock_round(item.round, EDITABLE)
    items = list(AgendaItem.objects.filter(round=review_round).order_by("position", "pk"))
    moving = next(i for i in items if i.pk == item.pk)
    items.remove(moving)
    position = max(1, min(int(position), len(items) + 1))
    items.insert(position - 1, moving)
    for number, agenda_item in enumerate(items, start=1):
        agenda_item.position = number
    AgendaItem.objects.bulk_update(items, ["position"])
    return items


@transaction.atomic
def agenda_item_delete(*, actor, item: AgendaItem) -> None:
    _require_runner(actor, item.round)
    review_round = _lock_round(item.round, EDITABLE)
    if item.minutes.strip() or item.decisions.exists() or item.actions.exists():
        raise ValidationError(
            _("This item has minutes, decisions or actions; clear them before removing it.")
        )
    item.delete()
    items = list(AgendaItem.objects.filter(round=review_round).order_by("position", "pk"))
    for number, agenda_item in enumerate(items, start=1):
        agenda_item.position = number
    AgendaItem.objects.bulk_update(items, ["position"])


# --- decisions -------------------------------------------------------------------------------


@transaction.atomic
def decision_create(
    *, actor, review_round: ReviewRound, text: str, agenda_item: AgendaItem | None = None
) -> Decision:
    _require_runner(actor, review_round)
    review_round = _lock_round(review_round, EDITABLE)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Write down what was decided.")
    if agenda_item is not None and agenda_item.round_id != review_round.pk:
        errors["agenda_item"] = _("This agenda item belongs to another round.")
    if errors:
        raise ValidationError(errors)
    return Decision.objects.create(
        round=review_round, agenda_item=agenda_item, text=text, created_by=actor
    )


@transaction.atomic
def decision_delete(*, actor, decision: Decision) -> None:
    _require_runner(actor, decision.round)
    _lock_round(decision.round, EDITABLE)
    decision.delete()
