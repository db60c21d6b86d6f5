"""The daily clock of review rounds: everything that happens because a date has come.

`tick` plans the next rounds, opens due rounds, reminds those who have not answered 3 days and
1 day before closing, closes expired rounds, reminds action owners 2 days before the due date and
once overdue, and finishes published reports a worker did not get to. Every step is idempotent:
transitions are guarded (row lock, state check, database trigger) and every reminder is claimed
by a unique row before it is sent, so running tick twice, or in two workers at once, does nothing
twice. Each round and action is handled in its own transaction: one failure does not stop the rest.
"""

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.notifications import notify
from sti import selectors as sti_selectors
from sti.models import Response, SurveyState

from . import calendar, services, services_actions, services_planning
from .models import (
    ActionItem,
    ActionReminder,
    ActionReminderKind,
    ReminderKind,
    ReviewRound,
    RoundState,
)

logger = logging.getLogger(__name__)

REMINDERS = (
    (datetime.timedelta(days=1), ReminderKind.CLOSING_1_DAY),
    (datetime.timedelta(days=3), ReminderKind.CLOSING_3_DAYS),
)
ACTION_DUE_SOON_DAYS = 2


def tick(*, now: datetime.datetime | None = None) -> dict:
    """Do all clock work that is due at `now`; returns what was done, by step."""
    now = now or timezone.now()
    done = Counter()
    done["planned"] = services_planning.rounds_plan_due(now=now)
    # A round whose whole window passed while it could not open (the partnership was paused, or
    # ran by hand) stays scheduled for a manager to re-plan; the clock does not retry it daily.
    for review_round in _due(state=RoundState.SCHEDULED, opens_at__lte=now, closes_at__gt=now):
        done["opened"] += _step(services.round_open, review_round=review_round, now=now)
    for review_round in ReviewRound.objects.filter(
        state=RoundState.OPEN, closes_at__gt=now, closes_at__lte=now + REMINDERS[-1][0]
    ):
        done["reminded"] += _remind(review_round, now)
    for review_round in _due(
        state=RoundState.OPEN, closes_at__lte=now
    ) | ReviewRound.objects.filter(state=RoundState.OPEN, survey__state=SurveyState.CLOSED):
        done["closed"] += _step(services.round_close, review_round=review_round, now=now)
    done.update(remind_action_owners(now=now))
    done["reports"] = finish_reports(now=now)
    return dict(done)


def _due(**lookups):
    """Rounds the clock moves by itself: of partnerships that run rounds automatically."""
    return (
        ReviewRound.objects.filter(partnership__phase__in=services_planning.ROUND_PHASES, **lookups)
        .exclude(partnership__review_settings__automatic=False)
        .order_by("opens_at", "pk")
    )


def _step(service, **kwargs) -> int:
    try:
        service(**kwargs)
    except ValidationError:
        return 0  # another worker or a manager got there first, or the state moved on
    except Exception:
        logger.exception("Review clock: %s failed for %s", service.__name__, kwargs)
        return 0
    return 1


def _remind(review_round: ReviewRound, now: datetime.datetime) -> int:
    """Remind everyone who rates and has not submitted; the round's row lock serialises workers."""
    try:
        with transaction.atomic():
            review_round = (
                ReviewRound.objects.select_for_update(of=("self",))
                .select_related("partnership", "survey")
                .get(pk=review_round.pk)
            )
            survey = review_round.survey
            if review_round.state != RoundState.OPEN or survey is None or not survey.is_open:
                return 0
            left = review_round.closes_at - now
            kind = next(kind for limit, kind in REMINDERS if left <= limit)
            submitted = set(
                Response.objects.filter(survey=survey, submitted_at__isnull=False).values_list(
                    "respondent_id", flat=True
                )
            )
            waiting = [
                p.user
                for p in sti_selectors.respondents(partnership=review_round.partnership)
                if p.user_id not in submitted
            ]
            claimed = services.reminders_claim(review_round=review_round, users=waiting, kind=kind)
            notify(
                users=claimed,
                kind=f"reviews.{kind}",
                title=_("Reminder: rate the cooperation in %(partnership)s before %(closes)s"),
                body=_(
                    "The questionnaire of review round %(period)s closes on %(closes)s. "
                    "Your answers stay sealed until then."
                ),
                params={
                    "partnership": review_round.partnership.title,
                    "period": review_round.label,
                    "closes": review_round.closes_at,  # rendered in the reader's format
                },
                url=sti_selectors.survey_url(survey),
                partnership=review_round.partnership,
            )
            return len(claimed)
    except Exception:
        logger.exception("Review clock: reminders failed for round %s", review_round.pk)
        return 0


def remind_action_owners(*, now: datetime.datetime | None = None) -> Counter:
    """Owners hear of an open action 2 days before its due date and once it is overdue."""
    now = now or timezone.now()
    today = calendar.local_date(now)
    done = Counter()

    def reminded(kind):
        return Exists(
            ActionReminder.objects.filter(
                action=OuterRef("pk"), kind=kind, due_date=OuterRef("due_date")
            )
        )

    # Actions already reminded for their current date are left out here (the claim row would
    # refuse them anyway), so an action overdue for months costs nothing on each tick.
    candidates = (
        ActionItem.objects.open()
        .filter(due_date__lte=today + datetime.timedelta(days=ACTION_DUE_SOON_DAYS))
        .filter(
            (Q(due_date__lt=today) & ~reminded(ActionReminderKind.OVERDUE))
            | (Q(due_date__gte=today) & ~reminded(ActionReminderKind.DUE_SOON))
        )
        .select_related("partnership", "owner")
        .order_by("due_date", "pk")
    )
    for action in candidates:
        kind = (
            ActionReminderKind.OVERDUE if action.due_date < today else ActionReminderKind.DUE_SOON
        )
        if (
            kind == ActionReminderKind.DUE_SOON
            and (action.due_date - today).days > ACTION_DUE_SOON_DAYS
        ):
            continue
        try:
            with transaction.atomic():
                if not _claim_action_reminder(action, kind):
                    continue
                _notify_owner(action, kind)
                done[f"action_{kind}"] += 1
        except Exception:
            logger.exception("Review clock: action reminder failed for action %s", action.pk)
    return done


def _claim_action_reminder(action: ActionItem, kind: str) -> bool:
    try:
        with transaction.atomic():
            ActionReminder.objects.create(action=action, kind=kind, due_date=action.due_date)
    except IntegrityError:
        return False
    return True


def _notify_owner(action: ActionItem, kind: str) -> None:
    if kind == ActionReminderKind.OVERDUE:
        title = _("Action overdue: %(title)s")
        body = _("The action was due on %(due)s in %(partnership)s. Update its status or its date.")
    else:
        title = _("Action due on %(due)s: %(title)s")
        body = _("Your action in %(partnership)s is due in two days.")
    services_actions.owner_notify(
        action=action, kind=f"reviews.action_{kind}", title=title, body=body
    )


def finish_reports(*, now: datetime.datetime | None = None) -> int:
    """Render the missing PDFs of published rounds, and tell both sides (once) when they are in.

    A round counts as finished when every language of its current edition is stored; the demo's
    past rounds, marked as announced, get their files here too.
    """
    from . import report_render

    finished = 0
    stored = Count(
        "report_files",
        filter=Q(report_files__edition=F("report_edition")),
        distinct=True,
    )
    unfinished = (
        ReviewRound.objects.filter(state=RoundState.PUBLISHED)
        .annotate(stored=stored)
        .filter(Q(stored__lt=len(settings.LANGUAGES)) | Q(report_notified_at__isnull=True))
        .select_related("partnership")
        .order_by("published_at", "pk")
    )
    for review_round in unfinished:
        try:
            report_render.store_report_files(review_round=review_round)
            finished += services.report_notify(review_round=review_round, now=now)
        except Exception:
            logger.exception("Review clock: report of round %s failed", review_round.pk)
    return finished
