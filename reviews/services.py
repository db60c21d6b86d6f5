"""Review rounds: open, close, discuss, publish, reopen. Keyword-only, one transaction each.

Every transition locks the round's row, checks its state and records a `RoundEvent`; the
database refuses any other change of state (see the trigger in the migrations), so a double
click, a second worker or a hand racing the clock cannot move a round twice. `actor=None` is the
clock. `now` is taken from the clock unless given (tests and the demo pass their own).

The settings and the planning of rounds are in `reviews.services_planning`; their services are
re-exported here, so `services.round_plan` is the same function.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action
from partnership.notifications import Notice, enqueue_after_commit, notify, notify_many
from sti import selectors as sti_selectors
from sti import services_surveys as surveys
from sti.models import SurveyState

from . import selectors
from .models import ReminderKind, ReviewRound, RoundEvent, RoundReminder, RoundState
from .services_planning import (  # noqa: F401  the public names are re-exported
    ROUND_PHASES,
    _link_survey,
    _now,
    _require,
    round_plan,
    rounds_plan_due,
    settings_for,
    settings_update,
)

OTHER_ROUND_OPEN = _("Another round of this partnership is still open.")


def _lock(review_round: ReviewRound) -> ReviewRound:
    return (
        ReviewRound.objects.select_for_update(of=("self",))
        .select_related("partnership", "survey")
        .get(pk=review_round.pk)
    )


def _move(review_round: ReviewRound, to: str, *, actor, now, reason: str = "", **fields) -> None:
    """Move a locked round one step and record it; the database checks the step."""
    before = review_round.state
    review_round.state = to
    for name, value in fields.items():
        setattr(review_round, name, value)
    try:
        with transaction.atomic():
            review_round.save()
    except IntegrityError as exc:
        if "round_one_open_per_partnership" in str(exc):
            raise ValidationError(OTHER_ROUND_OPEN) from None
        raise ValidationError(
            _("This round cannot go from %(from)s to %(to)s.")
            % {"from": RoundState(before).label, "to": RoundState(to).label}
        ) from None
    RoundEvent.objects.create(
        round=review_round, from_state=before, to_state=to, actor=actor, reason=reason, at=now
    )


@transaction.atomic
def round_open(
    *, review_round: ReviewRound, actor=None, now: datetime.datetime | None = None
) -> ReviewRound:
    """Open the questionnaire: the survey opens and everyone who rates is told."""
    _require(actor, review_round.partnership, Action.MANAGE)
    now = _now(now)
    review_round = _lock(review_round)
    if review_round.state != RoundState.SCHEDULED:
        raise ValidationError(_("Only a scheduled round can be opened."))
    if review_round.closes_at <= now:
        raise ValidationError(
            {"closes_at": _("The closing time has already passed; plan a later one first.")}
        )
    others_open = ReviewRound.objects.filter(
        partnership_id=review_round.partnership_id, state=RoundState.OPEN
    ).exclude(pk=review_round.pk)
    if others_open.exists():
        raise ValidationError(OTHER_ROUND_OPEN)
    _move(
        review_round,
        RoundState.OPEN,
        actor=actor,
        now=now,
        opened_at=now,
        opens_at=min(review_round.opens_at, now),
    )
    survey = _link_survey(review_round)
    if survey is not None and survey.state == SurveyState.SCHEDULED:
        # A survey planned by hand may have had another window: the round's window wins.
        survey.opens_at, survey.closes_at = review_round.opens_at, review_round.closes_at
        survey.save(update_fields=["opens_at", "closes_at"])
        surveys.survey_open(survey=survey, actor=None)  # tells everyone who rates
    elif survey is None:
        managers = sti_selectors.managers_of(partnership=review_round.partnership)
        notify_many([opened_without_survey_notice(review_round, managers)])
    return review_round


def opened_without_survey_notice(review_round: ReviewRound, users) -> Notice:
    return Notice(
        users=users,
        kind="reviews.round_opened_without_survey",
        title=_("Review round %(period)s opened without a questionnaire"),
        body=_(
            "There is no indicator set signed off by both sides, so nobody rates this round. "
            "The KPIs, the hub figures and the actions are still reviewed."
        ),
        params={"period": review_round.label},
        url=review_round.get_absolute_url(),
        partnership=review_round.partnership,
    )


@transaction.atomic
def round_close(
    *, review_round: ReviewRound, actor=None, now: datetime.datetime | None = None
) -> ReviewRound:
    """Close the questionnaire: results open, the agenda is proposed, the facilitator is asked."""
    from .agenda import agenda_propose

    _require(actor, review_round.partnership, Action.MANAGE)
    now = _now(now)
    review_round = _lock(review_round)
    if review_round.state != RoundState.OPEN:
        raise ValidationError(_("Only an open round can be closed."))
    _move(review_round, RoundState.CLOSED, actor=actor, now=now, closed_at=now)
    survey = review_round.survey
    if survey is not None and survey.state == SurveyState.OPEN:
        surveys.survey_close(survey=survey, actor=None)  # unseals and tells both sides
    agenda_propose(review_round=review_round, now=now)
    _ask_to_plan(review_round)
    return review_round


def round_follow_survey_open(*, survey, actor=None) -> ReviewRound | None:
    """A survey opened by hand opens the scheduled round that drives it (sti tells us)."""
    review_round = ReviewRound.objects.filter(survey=survey, state=RoundState.SCHEDULED).first()
    if review_round is None:
        return None
    return round_open(review_round=review_round, actor=actor)


def round_follow_survey_close(*, survey, actor=None) -> ReviewRound | None:
    """A survey closed by hand closes the open round that drives it: results, agenda and the
    request to plan the session follow, as when the round itself is closed."""
    review_round = ReviewRound.objects.filter(survey=survey, state=RoundState.OPEN).first()
    if review_round is None:
        return None
    return round_close(review_round=review_round, actor=actor)


def _ask_to_plan(review_round: ReviewRound) -> None:
    """Ask the facilitator (without one: the managers) to plan the session, once each."""
    partnership = review_round.partnership
    people = list(selectors.facilitators(partnership=partnership))
    if not people:
        people = list(sti_selectors.managers_of(partnership=partnership))
    claimed = reminders_claim(
        review_round=review_round, users=people, kind=ReminderKind.PLAN_SESSION
    )
    notify_many([plan_session_notice(review_round, claimed)])


def plan_session_notice(review_round: ReviewRound, users) -> Notice:
    partnership = review_round.partnership
    return Notice(
        users=users,
        kind="reviews.plan_session",
        title=_("Plan the session of review round %(period)s"),
        body=_(
            "The questionnaire of %(partnership)s has closed and the results are in. "
            "Plan the session and check the proposed agenda."
        ),
        params={"period": review_round.label, "partnership": partnership.title},
        url=review_round.get_absolute_url(),
        partnership=partnership,
    )


def closing_notice(review_round: ReviewRound, kind: str, users) -> Notice:
    """The reminder to rate before the questionnaire closes (3 days and 1 day before)."""
    return Notice(
        users=users,
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
        url=sti_selectors.survey_url(review_round.survey),
        partnership=review_round.partnership,
    )


def reminders_claim(*, review_round: ReviewRound, users, kind: str) -> list:
    """Claim one reminder row per user; returns the users whose row this call created.

    The round's row is locked by the caller or by the transition, and the unique constraint
    backs it up: two workers never both claim the same reminder.
    """
    users = {u.pk: u for u in users}
    if not users:
        return []
    taken = set(
        RoundReminder.objects.filter(round=review_round, kind=kind, user_id__in=users).values_list(
            "user_id", flat=True
        )
    )
    fresh = [u for pk, u in users.items() if pk not in taken]
    RoundReminder.objects.bulk_create(
        [RoundReminder(round=review_round, user=u, kind=kind) for u in fresh]
    )
    return fresh


@transaction.atomic
def round_finish(
    *, review_round: ReviewRound, actor, now: datetime.datetime | None = None
) -> ReviewRound:
    """The session has been held: minutes and actions are recorded (closed → discussed)."""
    _require(actor, review_round.partnership, Action.FACILITATE, Action.MANAGE)
    now = _now(now)
    review_round = _lock(review_round)
    if review_round.state != RoundState.CLOSED:
        raise ValidationError(_("Only a closed round can be marked as discussed."))
    session = getattr(review_round, "session", None)
    if session is None:
        raise ValidationError(_("Plan the session before marking the round as discussed."))
    if session.starts_at > now:
        raise ValidationError(
            _("The session is planned for %(start)s: mark the round as discussed once it is held.")
            % {
                "start": formats.date_format(
                    timezone.localtime(session.starts_at), "DATETIME_FORMAT"
                )
            }
        )
    _move(review_round, RoundState.DISCUSSED, actor=actor, now=now, discussed_at=now)
    if session.held_at is None:
        session.held_at = session.starts_at
        session.save(update_fields=["held_at", "updated_at"])
    return review_round


@transaction.atomic
def round_publish(
    *, review_round: ReviewRound, actor, now: datetime.datetime | None = None
) -> ReviewRound:
    """Freeze the report and share it; the PDFs are rendered by a worker (or the next tick)."""
    from . import report
    from .tasks import render_report

    _require(actor, review_round.partnership, Action.FACILITATE, Action.MANAGE)
    now = _now(now)
    review_round = _lock(review_round)
    if review_round.state != RoundState.DISCUSSED:
        raise ValidationError(_("Only a discussed round can be published."))
    snapshot = report.compile_report(review_round=review_round, now=now)
    _move(
        review_round,
        RoundState.PUBLISHED,
        actor=actor,
        now=now,
        published_at=now,
        report_snapshot=snapshot,
        report_edition=review_round.report_edition + 1,
        report_notified_at=None,
    )
    enqueue_after_commit(render_report, review_round.pk)
    return review_round


REOPEN_TO = {RoundState.PUBLISHED: RoundState.DISCUSSED, RoundState.DISCUSSED: RoundState.CLOSED}


@transaction.atomic
def round_reopen(
    *, review_round: ReviewRound, actor, reason: str, now: datetime.datetime | None = None
) -> ReviewRound:
    """Take a round one step back, with a reason on record (published → discussed → closed).

    A closed questionnaire is never reopened: its answers are frozen once results are read.
    """
    _require(actor, review_round.partnership, Action.FACILITATE, Action.MANAGE)
    now = _now(now)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the round is reopened.")})
    review_round = _lock(review_round)
    to = REOPEN_TO.get(review_round.state)
    if to is None:
        raise ValidationError(_("Only a discussed or published round can be reopened."))
    cleared = {"published_at": None} if to == RoundState.DISCUSSED else {"discussed_at": None}
    _move(
        review_round,
        to,
        actor=actor,
        now=now,
        reason=reason,
        reopen_count=review_round.reopen_count + 1,
        **cleared,
    )
    notify(
        users=selectors.people_to_inform(partnership=review_round.partnership),
        kind="reviews.round_reopened",
        title=_("Review round %(period)s was reopened"),
        body=_("Reason: %(reason)s"),
        params={"period": review_round.label, "reason": reason},
        url=review_round.get_absolute_url(),
        partnership=review_round.partnership,
        email=False,
    )
    return review_round


def report_notify(*, review_round: ReviewRound, now: datetime.datetime | None = None) -> bool:
    """Tell both sides the published report is there, once per publication."""
    now = _now(now)
    with transaction.atomic():
        claimed = ReviewRound.objects.filter(
            pk=review_round.pk, state=RoundState.PUBLISHED, report_notified_at__isnull=True
        ).update(report_notified_at=now)
        if not claimed:
            return False
        notify(
            users=selectors.people_to_inform(partnership=review_round.partnership),
            kind="reviews.report_published",
            title=_("The report of review round %(period)s is published"),
            body=_("Read the report of %(partnership)s: grades, KPIs, decisions and actions."),
            params={"period": review_round.label, "partnership": review_round.partnership.title},
            url=review_round.get_absolute_url(),
            partnership=review_round.partnership,
        )
    return True
