"""Review rounds: the period a partnership looks back on, its clock's reminders and its report.

A round belongs to one partnership and one review period (a quarter by default). It points at
the `sti.Survey` of its last quarter and drives it. Its life is

    scheduled → open → closed → discussed → published

and the database guards it: a check ties every state to the moments it passed through, and on
PostgreSQL and SQLite a trigger refuses any other change of state than one step forward, or one
step back through an explicit reopen (which raises `reopen_count`; the service records who and why).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from partnership.models import Partnership


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
        from ..calendar import period_label

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
