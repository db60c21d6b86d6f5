"""Review rounds: the quarterly look back, its facilitated session, its actions and its report.

A round belongs to one partnership and one review period (a quarter by default). It points at
the `sti.Survey` of its last quarter and drives it. Its life is

    scheduled → open → closed → discussed → published

and the database guards it: a check ties every state to the moments it passed through, and on
PostgreSQL and SQLite a trigger refuses any other change of state than one step forward, or one
step back through an explicit reopen (which raises `reopen_count`; the service records who and why).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from partnership.models import Partnership, Side


class Cadence(models.IntegerChoices):
    QUARTERLY = 3, _("Every quarter")
    HALF_YEARLY = 6, _("Every half year")
    YEARLY = 12, _("Every year")


class ReviewSettings(models.Model):
    """How often a partnership looks back, and when its questionnaire window opens."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="review_settings",
        verbose_name=_("partnership"),
    )
    cadence = models.PositiveSmallIntegerField(
        _("cadence"), choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    open_after_working_days = models.PositiveSmallIntegerField(
        _("opens after (working days)"),
        default=1,
        help_text=_("1: the first working day after the period ends."),
    )
    open_days = models.PositiveSmallIntegerField(
        _("open for (days)"), default=14, help_text=_("How many days the questionnaire stays open.")
    )
    automatic = models.BooleanField(
        _("run rounds automatically"),
        default=True,
        help_text=_("Off: rounds are still planned, but a manager opens and closes them by hand."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("review settings")
        verbose_name_plural = _("review settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(open_after_working_days__gte=1, open_after_working_days__lte=20),
                name="review_settings_open_after_1_to_20",
            ),
            models.CheckConstraint(
                condition=Q(open_days__gte=3, open_days__lte=60),
                name="review_settings_open_days_3_to_60",
            ),
            models.CheckConstraint(
                condition=Q(cadence__in=[3, 6, 12]), name="review_settings_cadence_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.partnership)


class RoundState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    OPEN = "open", pgettext_lazy("round state", "Open")
    CLOSED = "closed", pgettext_lazy("round state", "Closed")
    DISCUSSED = "discussed", _("Discussed")
    PUBLISHED = "published", _("Published")


STATE_ORDER = [s.value for s in RoundState]


class ReviewRoundQuerySet(models.QuerySet):
    def for_partnership(self, partnership):
        return self.filter(partnership=partnership)

    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class ReviewRound(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="review_rounds",
        verbose_name=_("partnership"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))  # the last day of the period
    survey = models.OneToOneField(
        "sti.Survey",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_round",
        verbose_name=_("survey"),
    )
    state = models.CharField(
        _("state"), max_length=12, choices=RoundState.choices, default=RoundState.SCHEDULED
    )
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    discussed_at = models.DateTimeField(_("discussed"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The compiled report, frozen when the round is published (see reviews.report).
    report_snapshot = models.JSONField(_("report contents"), null=True, blank=True, editable=False)
    report_edition = models.PositiveSmallIntegerField(
        _("report edition"), default=0, editable=False
    )
    report_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")
        ordering = ["partnership", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_start"], name="round_one_per_period"
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(state="open"),
                name="round_one_open_per_partnership",
            ),
            models.CheckConstraint(condition=Q(state__in=STATE_ORDER), name="round_state_valid"),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")), name="round_period_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=F("opens_at")), name="round_closes_after_opens"
            ),
            # Every state carries the moments it passed through: no state is reached by a jump.
            models.CheckConstraint(
                condition=Q(state="scheduled") | Q(opened_at__isnull=False),
                name="round_past_scheduled_was_opened",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["scheduled", "open"]) | Q(closed_at__isnull=False),
                name="round_past_open_was_closed",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["scheduled", "open", "closed"])
                | Q(discussed_at__isnull=False),
                name="round_past_closed_was_discussed",
            ),
            models.CheckConstraint(
                condition=~Q(state="published")
                | Q(published_at__isnull=False, report_snapshot__isnull=False),
                name="round_published_has_report",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "reviews:round", kwargs={"partnership_id": self.partnership_id, "round_id": self.pk}
        )

    @property
    def label(self) -> str:
        from .calendar import period_label

        return period_label(self.period_start, self.period_end)

    def state_index(self) -> int:
        return STATE_ORDER.index(self.state)

    def reached(self, state: str) -> bool:
        return self.state_index() >= STATE_ORDER.index(state)

    @property
    def results_open(self) -> bool:
        """STI results of the round can be read (the questionnaire has closed)."""
        return self.reached(RoundState.CLOSED)


class RoundEvent(models.Model):
    """The audit trail of a round's states: who (or the clock) moved it, when, and why."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="events", verbose_name=_("round")
    )
    from_state = models.CharField(_("from"), max_length=12, choices=RoundState.choices)
    to_state = models.CharField(_("to"), max_length=12, choices=RoundState.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("round event")
        verbose_name_plural = _("round events")
        ordering = ["round", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.round}: {self.from_state} → {self.to_state}"

    @property
    def is_reopen(self) -> bool:
        return STATE_ORDER.index(self.to_state) < STATE_ORDER.index(self.from_state)


class ReminderKind(models.TextChoices):
    CLOSING_3_DAYS = "closing_3", _("Closes in 3 days")
    CLOSING_1_DAY = "closing_1", _("Closes tomorrow")
    PLAN_SESSION = "plan_session", _("Plan the session")


class RoundReminder(models.Model):
    """One reminder sent to one person about one round: its row is the claim to send it once."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("round")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("round reminder")
        verbose_name_plural = _("round reminders")
        constraints = [
            models.UniqueConstraint(fields=["round", "user", "kind"], name="round_reminder_once")
        ]

    def __str__(self) -> str:
        return f"{self.round} – {self.kind} – {self.user}"


class Session(models.Model):
    """The facilitated session of a round: when and where, and the invitation sent for it."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    round = models.OneToOneField(
        ReviewRound, on_delete=models.CASCADE, related_name="session", verbose_name=_("round")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    location = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), max_length=500, blank=True)
    note = models.TextField(_("note for the participants"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("planned by"),
    )
    # Raised each time the invitation changes, so calendars replace the earlier one.
    sequence = models.PositiveIntegerField(default=0, editable=False)
    invited_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(location="", video_url=""), name="session_has_place_or_link"
            ),
        ]

    def __str__(self) -> str:
        return str(self.round)


class AgendaKind(models.TextChoices):
    INDICATOR = "indicator", _("Indicator")
    GAP = "gap", _("Perception gap")
    KPI = "kpi", _("KPI")
    DISPUTE = "dispute", _("Dispute")
    ACTION = "action", _("Action")
    HUB = "hub", _("Hub figures")
    OTHER = "other", _("Other")


class AgendaItem(models.Model):
    """One point of the session's agenda: proposed from the round, edited by the facilitator."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="agenda", verbose_name=_("round")
    )
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(
        _("kind"), max_length=12, choices=AgendaKind.choices, default=AgendaKind.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True)
    # What the item is about, when it came from the round (at most one is set).
    indicator = models.ForeignKey(
        "sti.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
    )
    kpi = models.ForeignKey(
        "kpis.KPI",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    dispute = models.ForeignKey(
        "kpis.Dispute",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispute"),
    )
    action = models.ForeignKey(
        "reviews.ActionItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action"),
    )
    minutes = models.TextField(_("minutes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["round", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AgendaKind.values), name="agenda_item_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Decision(models.Model):
    """What the session agreed, optionally under one agenda item."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("round")
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("agenda item"),
    )
    text = models.TextField(_("decision"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["round", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("action status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


OPEN_ACTION_STATUSES = (ActionStatus.OPEN, ActionStatus.IN_PROGRESS)


class ActionOrigin(models.TextChoices):
    SESSION = "session", _("Session")
    KPI = "kpi", _("KPI")
    DISPUTE = "dispute", _("Dispute")
    THREAD = "thread", _("Hub thread")
    MANUAL = "manual", _("Manual")


class ActionItemQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def overdue(self, today):
        return self.open().filter(due_date__lt=today)

    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class ActionItem(models.Model):
    """An improvement action agreed between the two sides, with one owner and a due date."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="review_actions",
        verbose_name=_("partnership"),
    )
    round = models.ForeignKey(
        ReviewRound,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("round"),
    )
    agenda_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("agenda item"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="review_actions",
        verbose_name=_("owner"),
    )
    owner_side = models.CharField(_("owner's side"), max_length=16, choices=Side.choices)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    origin = models.CharField(
        _("origin"), max_length=12, choices=ActionOrigin.choices, default=ActionOrigin.MANUAL
    )
    kpi = models.ForeignKey(
        "kpis.KPI",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    dispute = models.ForeignKey(
        "kpis.Dispute",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dispute"),
    )
    thread = models.ForeignKey(
        "messaging.Thread",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("hub thread"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values), name="action_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(origin__in=ActionOrigin.values), name="action_origin_valid"
            ),
            models.CheckConstraint(
                condition=Q(owner_side__in=[Side.CLIENT, Side.SUPPLIER]),
                name="action_owner_client_or_supplier",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["done", "dropped"], completed_at__isnull=False)
                | Q(status__in=["open", "in_progress"], completed_at__isnull=True),
                name="action_completed_when_finished",
            ),
        ]
        indexes = [models.Index(fields=["partnership", "status", "due_date"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse(
            "reviews:action", kwargs={"partnership_id": self.partnership_id, "action_id": self.pk}
        )

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    def is_overdue(self, today) -> bool:
        return self.is_open and self.due_date < today


class ActionReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due in 2 days")
    OVERDUE = "overdue", _("Overdue")


class ActionReminder(models.Model):
    """A reminder sent to an action's owner; one per kind and due date (a new date, a new one)."""

    action = models.ForeignKey(
        ActionItem, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("action")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ActionReminderKind.choices)
    due_date = models.DateField(_("due date"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("action reminder")
        verbose_name_plural = _("action reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "due_date"], name="action_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} – {self.kind}"


class ReportFile(models.Model):
    """The frozen PDF of a published round in one language, with its hash."""

    round = models.ForeignKey(
        ReviewRound, on_delete=models.CASCADE, related_name="report_files", verbose_name=_("round")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # Raised by each publication: a reopened and republished round keeps the earlier report.
    edition = models.PositiveSmallIntegerField(_("edition"), default=1)
    file = models.FileField(_("file"), upload_to="reports/%Y/%m/")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        ordering = ["round", "-edition", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "edition", "language"], name="report_file_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.round} ({self.language}, {self.edition})"
