"""Review settings and planning: a partnership's cadence and window, and the round of each period
with its survey. Keyword-only, one transaction each.

`actor=None` is the clock. `now` is taken from the clock unless given (tests and the demo pass
their own). What a planned round goes through afterwards (open, close, discuss, publish, reopen)
is in `reviews.services`.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, DateField, Exists, OuterRef, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for, require_action
from partnership.models import Partnership, Phase
from sti import selectors as sti_selectors
from sti import services_surveys as surveys
from sti.models import Survey, SurveyState

from . import calendar, selectors
from .models import Cadence, ReviewRound, ReviewSettings, RoundState

logger = logging.getLogger(__name__)

# Partnerships in these phases run review rounds.
ROUND_PHASES = (Phase.PILOT, Phase.ACTIVE, Phase.RENEWAL)


def _now(now):
    return now or timezone.now()


def _require(actor, partnership: Partnership, *actions: str) -> None:
    """The actor may do at least one of `actions` (the clock, `None`, may do everything)."""
    if actor is None:
        return
    access = access_for(actor, partnership)
    if not any(access.can(a) for a in actions):
        raise PermissionDenied


def settings_for(*, partnership: Partnership) -> ReviewSettings:
    return selectors.settings_for(partnership=partnership)


@transaction.atomic
def settings_update(*, actor, partnership: Partnership, **values) -> ReviewSettings:
    """Change the cadence or window; scheduled rounds that have not opened follow the change."""
    require_action(actor, partnership, Action.MANAGE)
    review_settings, _created = ReviewSettings.objects.select_for_update().get_or_create(
        partnership=partnership
    )
    for name, value in values.items():
        setattr(review_settings, name, value)
    _check_window(review_settings)
    review_settings.full_clean(exclude=["partnership"])
    review_settings.save()
    # Scheduled rounds keep their period (a new cadence starts with the next period) but
    # follow the new window.
    for review_round in ReviewRound.objects.filter(
        partnership=partnership, state=RoundState.SCHEDULED
    ).select_for_update():
        period = calendar.ReviewPeriod(review_round.period_start, review_round.period_end, 0)
        review_round.opens_at, review_round.closes_at = calendar.window(
            period,
            open_after_working_days=review_settings.open_after_working_days,
            open_days=review_settings.open_days,
        )
        review_round.save(update_fields=["opens_at", "closes_at"])
        _sync_survey_window(review_round)
    return review_settings


def _check_window(review_settings: ReviewSettings) -> None:
    """The window limits of the model's check constraints, as messages next to their fields."""
    errors = {}
    limits = {"open_after_working_days": (1, 20), "open_days": (3, 60)}
    for name, (low, high) in limits.items():
        value = getattr(review_settings, name)
        if not isinstance(value, int) or not low <= value <= high:
            errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
    if errors:
        raise ValidationError(errors)


def _sync_survey_window(review_round: ReviewRound) -> None:
    survey = review_round.survey
    if survey is not None and survey.state == SurveyState.SCHEDULED:
        survey.opens_at, survey.closes_at = review_round.opens_at, review_round.closes_at
        survey.save(update_fields=["opens_at", "closes_at"])


def _link_survey(review_round: ReviewRound) -> Survey | None:
    """The survey of the round's last quarter: the one planned by hand, or a new one."""
    if review_round.survey_id:
        return review_round.survey
    quarter = calendar.ReviewPeriod(
        review_round.period_start, review_round.period_end, 3
    ).survey_quarter
    survey = Survey.objects.filter(
        partnership=review_round.partnership, period_start=quarter.start, review_round=None
    ).first()
    if survey is None:
        if sti_selectors.current_set(partnership=review_round.partnership) is None:
            return None  # no signed-off indicator set yet: the round runs without questionnaire
        if Survey.objects.filter(
            partnership=review_round.partnership, period_start=quarter.start
        ).exists():
            return None  # the quarter's survey belongs to another round
        survey = surveys.survey_create(
            actor=None,
            partnership=review_round.partnership,
            period=quarter,
            opens_at=review_round.opens_at,
            closes_at=review_round.closes_at,
        )
    review_round.survey = survey
    review_round.save(update_fields=["survey"])
    return survey


@transaction.atomic
def round_plan(
    *, partnership: Partnership, period: calendar.ReviewPeriod, actor=None
) -> ReviewRound:
    """Plan the round of a period, or return the one already planned (creates nothing twice)."""
    _require(actor, partnership, Action.MANAGE)
    return _plan(partnership, period)[0]


def _plan(partnership: Partnership, period: calendar.ReviewPeriod) -> tuple[ReviewRound, bool]:
    existing = ReviewRound.objects.filter(
        partnership=partnership, period_start=period.start
    ).first()
    if existing is not None:
        return existing, False
    review_settings = selectors.settings_for(partnership=partnership)
    opens_at, closes_at = calendar.window(
        period,
        open_after_working_days=review_settings.open_after_working_days,
        open_days=review_settings.open_days,
    )
    try:
        with transaction.atomic():
            review_round = ReviewRound.objects.create(
                partnership=partnership,
                period_start=period.start,
                period_end=period.end,
                opens_at=opens_at,
                closes_at=closes_at,
            )
    except IntegrityError:  # another worker planned it meanwhile
        return ReviewRound.objects.get(partnership=partnership, period_start=period.start), False
    _link_survey(review_round)
    return review_round, True


def rounds_due_for_planning(*, today: datetime.date):
    """Partnerships that run rounds and have none for the period containing `today` (by their
    cadence), in one query: a day with nothing to plan loads no partnership."""
    cadence = Coalesce("review_settings__cadence", Value(Cadence.QUARTERLY))
    starts = {c: calendar.ReviewPeriod.containing(today, c).start for c in Cadence.values}
    period_start = Case(
        *(When(cadence=c, then=Value(start)) for c, start in starts.items()),
        output_field=DateField(),
    )
    planned = ReviewRound.objects.filter(
        partnership_id=OuterRef("pk"), period_start=OuterRef("period_start")
    )
    return (
        Partnership.objects.filter(phase__in=ROUND_PHASES)
        .annotate(cadence=cadence, period_start=period_start)
        .filter(~Exists(planned))
        .select_related("review_settings")
        .order_by("pk")
    )


def rounds_plan_due(*, now: datetime.datetime | None = None) -> int:
    """Plan the round of the current period for every partnership that runs rounds.

    In batches of the clock's size, each in one transaction (`services_clock.rounds_plan_many`);
    a batch that fails is planned again one partnership at a time, each in its own transaction,
    so one that fails does not stop the others.
    """
    from .clock import batch_failed, batch_size
    from .services_clock import rounds_plan_many

    now = _now(now)
    today = calendar.local_date(now)
    created, after = 0, None
    while True:
        due = rounds_due_for_planning(today=today)
        if after is not None:
            due = due.filter(pk__gt=after)
        partnerships = list(due[: batch_size()])
        if not partnerships:
            return created
        after = partnerships[-1].pk
        try:
            with transaction.atomic():
                created += rounds_plan_many(partnerships=partnerships, today=today)
            continue
        except Exception as error:
            batch_failed(error, "planning")
        for partnership in partnerships:
            cadence = selectors.settings_for(partnership=partnership).cadence
            period = calendar.ReviewPeriod.containing(today, cadence)
            try:
                with transaction.atomic():
                    created += _plan(partnership, period)[1]
            except Exception:
                logger.exception(
                    "Review clock: planning %s of %s failed", period.label, partnership.pk
                )
