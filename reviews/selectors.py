"""Reads of review rounds and actions that need scoping. Views and the API start from these."""

import datetime

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from partnership.models import Participant, Partnership, Side

from .models import (
    OPEN_ACTION_STATUSES,
    ActionItem,
    ReviewRound,
    ReviewSettings,
    RoundState,
)


def settings_for(*, partnership: Partnership) -> ReviewSettings:
    """The partnership's review settings; the defaults (not saved) when none were chosen."""
    try:
        return partnership.review_settings
    except ReviewSettings.DoesNotExist:
        return ReviewSettings(partnership=partnership)


def rounds_for_partnership(*, partnership: Partnership) -> QuerySet:
    return (
        ReviewRound.objects.filter(partnership=partnership)
        .select_related("survey", "session")
        .annotate(
            open_actions=Count(
                "actions", filter=Q(actions__status__in=OPEN_ACTION_STATUSES), distinct=True
            )
        )
        .order_by("-period_start")
    )


def current_round(*, partnership: Partnership) -> ReviewRound | None:
    """The round people work on now: the latest that is not yet published, else the latest."""
    rounds = ReviewRound.objects.filter(partnership=partnership).order_by("-period_start")
    return (
        rounds.exclude(state__in=[RoundState.SCHEDULED, RoundState.PUBLISHED]).first()
        or rounds.first()
    )


def facilitators(*, partnership: Partnership) -> QuerySet:
    return get_user_model().objects.filter(
        is_active=True,
        participations__partnership=partnership,
        participations__side=Side.FACILITATOR,
        participations__deactivated_at__isnull=True,  # former participants are not told
    )


def people_to_inform(*, partnership: Partnership) -> QuerySet:
    """Both sides and the facilitator: every active participant (not the former ones)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            participations__partnership=partnership,
            participations__deactivated_at__isnull=True,
        )
        .distinct()
    )


def action_owners(*, partnership: Partnership) -> QuerySet:
    """Participants of either side who may own an action (not viewers, not the facilitator)."""
    from sti.selectors import respondents

    return respondents(partnership=partnership).order_by("side", "user__email")


def actions_for_partnership(*, partnership: Partnership) -> QuerySet:
    return ActionItem.objects.filter(partnership=partnership).select_related(
        "owner", "round", "kpi", "dispute", "thread"
    )


def actions_of_user(*, user) -> QuerySet:
    """The user's own actions in every partnership they still see."""
    return (
        ActionItem.objects.visible_to(user)
        .filter(owner=user)
        .select_related("partnership", "round", "owner")
    )


def carried_over_actions(*, review_round: ReviewRound) -> QuerySet:
    """Open actions of the partnership agreed before this round's period ended."""
    return (
        ActionItem.objects.open()
        .filter(partnership_id=review_round.partnership_id)
        .exclude(round=review_round)
        .filter(
            Q(round__period_start__lt=review_round.period_start)
            | Q(round__isnull=True, created_at__date__lte=review_round.closes_at.date())
        )
        .select_related("owner", "round")
    )


def facilitated_partnerships(*, user) -> QuerySet:
    return Partnership.objects.filter(
        participants__user=user,
        participants__side=Side.FACILITATOR,
        participants__deactivated_at__isnull=True,
    ).distinct()


def is_facilitator(*, user, partnership: Partnership) -> bool:
    return Participant.objects.filter(
        partnership=partnership, user=user, side=Side.FACILITATOR
    ).exists()


def today(now: datetime.datetime | None = None) -> datetime.date:
    from django.utils import timezone

    from .calendar import local_date

    return local_date(now or timezone.now())
