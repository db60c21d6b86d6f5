"""Review rounds brought to a state through the real services, on a travelling clock.

`review_round(world.partnership, "closed")` plans the round of 2026-Q2 and walks it to the
state asked for, travelling to each moment (opening, answers, closing, session) so every
service, check and trigger runs as it does in production.
"""

import datetime

import time_machine
from django.utils import timezone

from reviews import calendar, services, services_actions, services_sessions
from reviews.models import RoundState
from sti.models import Response
from tests.sti import factories as sti_f

Q2_2026 = calendar.ReviewPeriod.containing(datetime.date(2026, 4, 1))

SCORES_BY_CLIENT = {
    ("Pro-activity", "supplier"): (4, "Problems reach us late."),
    ("Openness", "supplier"): 7,
    ("Reachability", "supplier"): 8,
    ("Pro-activity", "client"): 6,
    ("Openness", "client"): 8,
}
SCORES_BY_SUPPLIER = {
    ("Pro-activity", "client"): (5, "Requests come in at the last minute."),
    ("Openness", "client"): 8,
    ("Pro-activity", "supplier"): 8,
    ("Openness", "supplier"): 7,
    ("Reachability", "supplier"): 9,
}


def travel(moment: datetime.datetime):
    return time_machine.travel(moment, tick=False)


def answer(survey, user, side: str, scores: dict) -> Response:
    """A submitted response, written while the survey is open (through the factory of sti)."""
    return sti_f.response(survey, user, side, scores)


def review_round(
    partnership,
    state: str = RoundState.CLOSED,
    *,
    period: calendar.ReviewPeriod = Q2_2026,
    raters: dict | None = None,
    facilitator=None,
    with_set: bool = True,
):
    """A round of `period` in `state`. `raters` maps users to their side (they answer)."""
    if with_set and not partnership.indicator_sets.filter(adopted_at__isnull=False).exists():
        sti_f.adopted_set(partnership)
    review_round = services.round_plan(partnership=partnership, period=period)
    if state == RoundState.SCHEDULED:
        return review_round
    with travel(review_round.opens_at + datetime.timedelta(minutes=5)):
        review_round = services.round_open(review_round=review_round, now=timezone.now())
        for user, side in (raters or {}).items():
            scores = SCORES_BY_CLIENT if side == "client" else SCORES_BY_SUPPLIER
            answer(review_round.survey, user, side, scores)
    if state == RoundState.OPEN:
        return review_round
    with travel(review_round.closes_at + datetime.timedelta(minutes=5)):
        review_round = services.round_close(review_round=review_round, now=timezone.now())
    if state == RoundState.CLOSED:
        return review_round
    session_start = review_round.closes_at + datetime.timedelta(days=7)
    with travel(review_round.closes_at + datetime.timedelta(days=1)):
        services_sessions.session_plan(
            actor=facilitator,
            review_round=review_round,
            starts_at=session_start,
            ends_at=session_start + datetime.timedelta(hours=2),
            location="Room 1.14",
        )
    with travel(session_start + datetime.timedelta(hours=2)):
        review_round = services.round_finish(
            review_round=review_round, actor=facilitator, now=timezone.now()
        )
    if state == RoundState.DISCUSSED:
        return review_round
    with travel(session_start + datetime.timedelta(days=1)):
        return services.round_publish(
            review_round=review_round, actor=facilitator, now=timezone.now()
        )


def action(
    partnership, owner, actor=None, *, title="Report problems the same day", due=None, **kwargs
):
    due = due or timezone.localdate() + datetime.timedelta(days=30)
    return services_actions.action_create(
        actor=actor or owner,
        partnership=partnership,
        title=title,
        owner=owner,
        due_date=due,
        **kwargs,
    )
