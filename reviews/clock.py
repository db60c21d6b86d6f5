"""The daily clock of review rounds: everything that happens because a date has come.

`tick` plans the next rounds, opens due rounds, reminds those who have not answered 3 days and
1 day before closing, closes expired rounds, reminds action owners 2 days before the due date and
once overdue, and finishes published reports a worker did not get to (rendering them on the
reports queue). Every step is idempotent: transitions are guarded (row lock, state check,
database trigger) and every reminder is claimed by a unique row before it is sent, so running
tick twice, or in two workers at once, does nothing twice.

Each step works in batches (`REVIEW_CLOCK_BATCH_SIZE`, 500 rounds by default): one query finds
the next batch (by id, after the previous one), and `services_clock` moves it in one transaction
with a fixed number of queries. A batch that fails is rolled back and done again one round at a
time with the one-round services, each in its own transaction, so one failure does not stop the
rest. A day with nothing due costs one query per step and loads no partnership.
"""

import datetime
import logging
from collections import Counter

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.notifications import notify_many
from sti import selectors as sti_selectors
from sti.models import Response, SurveyState

from . import calendar, services, services_actions, services_clock, services_planning
from .models import (
    ActionItem,
    ActionReminder,
    ActionReminderKind,
    ReportFile,
    ReviewRound,
    RoundState,
)

logger = logging.getLogger(__name__)

REMINDERS = services_clock.REMINDERS
ACTION_DUE_SOON_DAYS = 2
BATCH_SIZE = 500


def batch_size() -> int:
    return getattr(settings, "REVIEW_CLOCK_BATCH_SIZE", BATCH_SIZE)


def tick(*, now: datetime.datetime | None = None) -> dict:
    """Do all clock work that is due at `now`; returns what was done, by step."""
    now = now or timezone.now()
    done = Counter()
    done["planned"] = services_planning.rounds_plan_due(now=now)
    # A round whose whole window passed while it could not open (the partnership was paused, or
    # ran by hand) stays scheduled for a manager to re-plan; the clock does not retry it daily.
    done["opened"] = _batches(
        _due(state=RoundState.SCHEDULED, opens_at__lte=now, closes_at__gt=now),
        services_clock.rounds_open_many,
        services.round_open,
        now,
    )
    done["reminded"] = _batches(
        ReviewRound.objects.filter(
            state=RoundState.OPEN, closes_at__gt=now, closes_at__lte=now + REMINDERS[-1][0]
        ),
        services_clock.rounds_remind_many,
        _remind,
        now,
    )
    done["closed"] = _batches(
        _due(state=RoundState.OPEN, closes_at__lte=now)
        | ReviewRound.objects.filter(state=RoundState.OPEN, survey__state=SurveyState.CLOSED),
        services_clock.rounds_close_many,
        services.round_close,
        now,
    )
    done.update(remind_action_owners(now=now))
    done.update(finish_reports(now=now))
    return dict(done)


def _due(**lookups):
    """Rounds the clock moves by itself: of partnerships that run rounds automatically."""
    return ReviewRound.objects.filter(
        partnership__phase__in=services_planning.ROUND_PHASES, **lookups
    ).exclude(partnership__review_settings__automatic=False)


def _batches(rounds, many, one, now) -> int:
    """Run `many(ids=..., now=...)` over `rounds` batch by batch (one query finds each); a batch
    that fails is done again round by round with `one(review_round=..., now=...)`."""
    done, after = 0, 0
    while ids := list(
        rounds.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[: batch_size()]
    ):
        after = ids[-1]
        try:
            with transaction.atomic():
                done += many(ids=ids, now=now)
            continue
        except Exception as error:
            batch_failed(error, many.__name__)
        for review_round in ReviewRound.objects.filter(pk__in=ids).order_by("pk"):
            done += _step(one, review_round=review_round, now=now)
    return done


def batch_failed(error: Exception, step: str) -> None:
    """Log a batch that is about to be done again one by one. A race with another clock or a
    manager (a unique row or a guarded update that someone else got first) is expected."""
    if isinstance(error, IntegrityError | services_clock.BatchConflict):
        logger.info("Review clock: %s met a concurrent change (%s); one by one", step, error)
    else:
        logger.exception("Review clock: %s failed; one by one", step)


def _step(service, **kwargs) -> int:
    try:
        result = service(**kwargs)
    except ValidationError:
        return 0  # another worker or a manager got there first, or the state moved on
    except Exception:
        logger.exception("Review clock: %s failed for %s", service.__name__, kwargs)
        return 0
    return result if isinstance(result, int) else 1


def _remind(*, review_round: ReviewRound, now: datetime.datetime) -> int:
    """Remind everyone who rates and has not submitted; the round's row lock serialises workers."""
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
        notify_many([services.closing_notice(review_round, kind, claimed)])
        return len(claimed)


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
    )
    after = 0
    while ids := list(
        candidates.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[: batch_size()]
    ):
        after = ids[-1]
        try:
            with transaction.atomic():
                done.update(_remind_owners(ids, today))
            continue
        except Exception as error:
            batch_failed(error, "action reminders")
        for action in ActionItem.objects.filter(pk__in=ids).select_related("partnership", "owner"):
            try:
                with transaction.atomic():
                    done.update(_remind_owners([action.pk], today))
            except Exception:
                logger.exception("Review clock: action reminder failed for action %s", action.pk)
    return done


def _remind_owners(ids, today: datetime.date) -> Counter:
    """Claim one reminder row per action (locked, so two clocks wait for each other) and tell
    the owners; a fixed number of queries for any number of actions."""
    actions = list(
        ActionItem.objects.open()
        .select_for_update(of=("self",))
        .filter(pk__in=list(ids))
        .select_related("partnership", "owner")
        .order_by("pk")
    )
    taken = set(
        ActionReminder.objects.filter(action__in=actions).values_list(
            "action_id", "kind", "due_date"
        )
    )
    fresh = []
    for action in actions:
        kind = (
            ActionReminderKind.OVERDUE if action.due_date < today else ActionReminderKind.DUE_SOON
        )
        if kind == ActionReminderKind.DUE_SOON and (
            (action.due_date - today).days > ACTION_DUE_SOON_DAYS
        ):
            continue
        if (action.pk, kind, action.due_date) not in taken:
            fresh.append((action, kind))
    ActionReminder.objects.bulk_create(
        [ActionReminder(action=a, kind=kind, due_date=a.due_date) for a, kind in fresh]
    )
    notify_many([_owner_notice(action, kind) for action, kind in fresh])
    return Counter(f"action_{kind}" for _action, kind in fresh)


def _owner_notice(action: ActionItem, kind: str):
    if kind == ActionReminderKind.OVERDUE:
        title = _("Action overdue: %(title)s")
        body = _("The action was due on %(due)s in %(partnership)s. Update its status or its date.")
    else:
        title = _("Action due on %(due)s: %(title)s")
        body = _("Your action in %(partnership)s is due in two days.")
    return services_actions.owner_notice(
        action=action, kind=f"reviews.action_{kind}", title=title, body=body
    )


def finish_reports(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Finish published rounds a worker did not get to: announce (once) those whose PDFs are all
    in, and queue the others' rendering on the reports queue (`tasks.render_report` renders,
    stores and announces), so a burst of PDFs never holds up the clock on the default queue.

    A round counts as finished when every language of its current edition is stored; the demo's
    past rounds, marked as announced, get their files here too. The unfinished ones are found
    in one query per batch (an index probe per language and published round, no aggregate).
    A render queued twice (by the publication and by the tick) stores each file once.
    """
    from .tasks import render_report

    def stored(language):
        return Exists(
            ReportFile.objects.filter(
                round=OuterRef("pk"), edition=OuterRef("report_edition"), language=language
            )
        )

    complete = Q()
    for language, _name in settings.LANGUAGES:
        complete &= Q(stored(language))
    unfinished = (
        ReviewRound.objects.filter(state=RoundState.PUBLISHED)
        .filter(~complete | Q(report_notified_at__isnull=True))
        .annotate(files_in=ExpressionWrapper(complete, output_field=BooleanField()))
    )
    done, after = {"reports": 0, "reports_queued": 0}, 0
    while batch := list(
        unfinished.filter(pk__gt=after).select_related("partnership").order_by("pk")[: batch_size()]
    ):
        after = batch[-1].pk
        for review_round in sorted(batch, key=lambda r: (r.published_at, r.pk)):
            try:
                if review_round.files_in:
                    done["reports"] += services.report_notify(review_round=review_round, now=now)
                else:
                    render_report.delay(review_round.pk)
                    done["reports_queued"] += 1
            except Exception:
                logger.exception("Review clock: report of round %s failed", review_round.pk)
    return done
