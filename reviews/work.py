""" "My work" from the review rounds: the user's actions due soon or overdue, and sessions to
plan (for the facilitator; for the managers where a partnership has no facilitator).

Imported by `partnership.work` when the apps are ready; the sources register themselves below.
Each is one query whatever the number of partnerships.
"""

import datetime

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.access import Action, partnerships_where
from partnership.models import Participant, Partnership, Phase, Side
from partnership.statements import rows
from partnership.work import WorkItem, WorkSource, register_work_source

from .models import ActionItem, ReviewRound, RoundState

# An open action shows from this many days before its due date (and stays while overdue).
DUE_SOON_DAYS = 14


def actions_due(*, user, today: datetime.date):
    """Open actions the user owns, due within `DUE_SOON_DAYS` or overdue."""
    live = Partnership.objects.visible_to(user).exclude(phase=Phase.ENDED)
    return (
        ActionItem.objects.open()
        .filter(owner=user, partnership__in=live)
        .filter(due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
    )


def _action_items(user, today):
    def actions():
        return (
            actions_due(user=user, today=today)
            .select_related("partnership")
            .order_by("due_date", "pk")
        )

    return [
        WorkItem(
            kind="reviews.action",
            title=action.title,
            partnership=action.partnership,
            url=reverse(
                "reviews:action",
                kwargs={"partnership_id": action.partnership_id, "action_id": action.pk},
            ),
            due=action.due_date,
            overdue=action.due_date < today,
        )
        # Built and compiled once per person and day (`partnership.statements.rows`).
        for action in rows(("reviews.action", user.pk, user.is_active, today), actions)
    ]


def sessions_to_plan(*, user):
    """Closed rounds without a session, where the user facilitates, or manages a partnership
    that has no facilitator (they are the ones asked to plan, see `services._ask_to_plan`)."""
    facilitated = Exists(
        Participant.objects.filter(partnership=OuterRef("partnership_id"), side=Side.FACILITATOR)
    )
    planners = Q(partnership__in=partnerships_where(user, Action.FACILITATE, Side.FACILITATOR))
    for side in (Side.CLIENT, Side.SUPPLIER):
        planners |= Q(partnership__in=partnerships_where(user, Action.MANAGE, side)) & ~facilitated
    return ReviewRound.objects.filter(planners, state=RoundState.CLOSED, session__isnull=True)


def _session_items(user, today):
    def rounds():
        return sessions_to_plan(user=user).select_related("partnership").order_by("closed_at", "pk")

    return [
        WorkItem(
            kind="reviews.session",
            title=_("Plan the session of review round %(period)s") % {"period": r.label},
            partnership=r.partnership,
            url=reverse(
                "reviews:session_plan",
                kwargs={"partnership_id": r.partnership_id, "round_id": r.pk},
            ),
        )
        for r in rows(("reviews.session", user.pk, user.is_active), rounds)
    ]


register_work_source(
    WorkSource(
        "reviews.action",
        gettext_lazy("Action"),
        order=40,
        items=_action_items,
        count=lambda user, today: actions_due(user=user, today=today).count(),
        queryset=lambda user, today: actions_due(user=user, today=today),
    )
)
register_work_source(
    WorkSource(
        "reviews.session",
        gettext_lazy("Session"),
        order=41,
        items=_session_items,
        count=lambda user, today: sessions_to_plan(user=user).count(),
        queryset=lambda user, today: sessions_to_plan(user=user),
    )
)
