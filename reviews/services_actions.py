"""Improvement actions: agree, change, finish. Keyword-only, one transaction each.

Anyone who takes part (either side, or the facilitator in a session) may record an action. Its
owner is a participant of the client or the supplier side who may write. The owner, the person
who recorded it, the facilitator and the managers may change it afterwards.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for
from partnership.models import Partnership
from partnership.notifications import Notice, notify_many

from . import selectors
from .models import ActionItem, ActionOrigin, ActionStatus, ReviewRound

EDITABLE = ("title", "description", "owner", "due_date", "status")


def can_record(access) -> bool:
    return access.can(Action.PARTICIPATE) or access.can(Action.FACILITATE)


def can_change(access, action: ActionItem) -> bool:
    if not can_record(access):
        return False
    return (
        access.is_manager
        or access.can(Action.FACILITATE)
        or access.user.pk in (action.owner_id, action.created_by_id)
    )


def _owner_side(partnership: Partnership, owner) -> str | None:
    if owner is None:
        return None
    participant = selectors.action_owners(partnership=partnership).filter(user_id=owner.pk).first()
    return participant.side if participant else None


def _check(
    partnership: Partnership, values: dict, errors: dict, *, new: bool, today, current=None
) -> None:
    title = (values.get("title") or "").strip()
    if "title" in values or new:
        if not title:
            errors["title"] = _("Give the action a title.")
        values["title"] = title
    if "description" in values:
        values["description"] = (values.get("description") or "").strip()
    if "owner" in values or new:
        side = _owner_side(partnership, values.get("owner"))
        if values.get("owner") is None:
            errors["owner"] = _("Choose who owns the action.")
        elif side is None:
            errors["owner"] = _(
                "The owner must take part in this partnership for the client or the supplier."
            )
        else:
            values["owner_side"] = side
    if "due_date" in values or new:
        due = values.get("due_date")
        if not isinstance(due, datetime.date):
            errors["due_date"] = _("Enter a due date.")
        elif due < today and (new or due != current.due_date):
            # An overdue action keeps its date; a new or moved date lies ahead.
            errors["due_date"] = _("The due date has already passed.")
    if "status" in values and values["status"] not in ActionStatus.values:
        errors["status"] = _("Choose a valid status.")


def _check_links(partnership: Partnership, links: dict, errors: dict) -> None:
    """Every linked object must belong to the same partnership (and a thread must be shared)."""
    review_round = links.get("round")
    if review_round is not None and review_round.partnership_id != partnership.pk:
        errors["round"] = _("This round belongs to another partnership.")
    agenda_item = links.get("agenda_item")
    if agenda_item is not None and (
        review_round is None or agenda_item.round_id != review_round.pk
    ):
        errors["agenda_item"] = _("This agenda item belongs to another round.")
    for name in ("kpi", "dispute"):
        obj = links.get(name)
        if obj is not None and obj.partnership_id != partnership.pk:
            errors[name] = _("This item belongs to another partnership.")
    thread = links.get("thread")
    if thread is not None and (
        thread.partnership_id != partnership.pk or thread.visibility != "shared"
    ):
        errors["thread"] = _("Link a thread both sides can read.")


@transaction.atomic
def action_create(
    *,
    actor,
    partnership: Partnership,
    title: str,
    owner,
    due_date: datetime.date,
    description: str = "",
    origin: str = ActionOrigin.MANUAL,
    review_round: ReviewRound | None = None,
    agenda_item=None,
    kpi=None,
    dispute=None,
    thread=None,
    now: datetime.datetime | None = None,
) -> ActionItem:
    access = access_for(actor, partnership)
    if not can_record(access):
        raise PermissionDenied
    now = now or timezone.now()
    values = {"title": title, "description": description, "owner": owner, "due_date": due_date}
    errors: dict = {}
    _check(partnership, values, errors, new=True, today=selectors.today(now))
    if origin not in ActionOrigin.values:
        errors["origin"] = _("Choose a valid origin.")
    links = {
        "round": review_round,
        "agenda_item": agenda_item,
        "kpi": kpi,
        "dispute": dispute,
        "thread": thread,
    }
    _check_links(partnership, links, errors)
    if errors:
        raise ValidationError(errors)
    action = ActionItem.objects.create(
        partnership=partnership,
        origin=origin,
        created_by=actor,
        **values,
        **links,
    )
    if action.owner_id != actor.pk:
        _tell_owner(action)
    return action


@transaction.atomic
def action_update(*, actor, action: ActionItem, now: datetime.datetime | None = None, **values):
    """Change an action's title, description, owner, due date or status."""
    action = ActionItem.objects.select_for_update().select_related("partnership").get(pk=action.pk)
    access = access_for(actor, action.partnership)
    if not can_change(access, action):
        raise PermissionDenied
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    now = now or timezone.now()
    errors: dict = {}
    _check(
        action.partnership, values, errors, new=False, today=selectors.today(now), current=action
    )
    if errors:
        raise ValidationError(errors)
    previous_owner = action.owner_id
    for name, value in values.items():
        setattr(action, name, value)
    if "status" in values:
        finished = action.status in (ActionStatus.DONE, ActionStatus.DROPPED)
        if finished and action.completed_at is None:
            action.completed_at = now
        elif not finished:
            action.completed_at = None
    action.save()
    if action.owner_id != previous_owner and action.owner_id != actor.pk:
        _tell_owner(action)
    return action


def action_set_status(*, actor, action: ActionItem, status: str, now=None) -> ActionItem:
    return action_update(actor=actor, action=action, status=status, now=now)


def owner_notify(*, action: ActionItem, kind: str, title, body) -> None:
    """Tell an action's owner something about it (assigned, due soon, overdue)."""
    notify_many([owner_notice(action=action, kind=kind, title=title, body=body)])


def owner_notice(*, action: ActionItem, kind: str, title, body) -> Notice:
    return Notice(
        users=[action.owner],
        kind=kind,
        title=title,
        body=body,
        params={
            "title": action.title,
            "due": action.due_date,  # rendered in the reader's format
            "partnership": action.partnership.title,
        },
        url=action.get_absolute_url(),
        partnership=action.partnership,
    )


def _tell_owner(action: ActionItem) -> None:
    owner_notify(
        action=action,
        kind="reviews.action_assigned",
        title=_("New action for you: %(title)s"),
        body=_("Due on %(due)s in %(partnership)s."),
    )
