"""Cooperation-satisfaction indicators: the agreed set, the quarterly surveys and the ratings.

An indicator set is versioned: version 1 is drafted in the kick-off workshop, and once a manager
of *each* side has signed it off it becomes the set surveys use. Changing it later drafts a new
version next to the current one; past surveys keep pointing at the version they used.

Ratings are sealed while their survey is open: only the respondent reads their own answers.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from partnership.models import Partnership, Side
from partnership.periods import QUARTERLY, Period

RATING_SIDES = (Side.CLIENT, Side.SUPPLIER)


class RatedSide(models.TextChoices):
    BOTH = "both", _("Both sides")
    CLIENT = "client", _("Only the client")
    SUPPLIER = "supplier", _("Only the supplier")


class STISettings(models.Model):
    """Per-partnership choices about how results are shown."""

    partnership = models.OneToOneField(
        Partnership,
        on_delete=models.CASCADE,
        related_name="sti_settings",
        verbose_name=_("partnership"),
    )
    show_rater_names = models.BooleanField(
        _("show rater names to the other side"),
        default=False,
        help_text=_(
            "Off: the other side reads motivations without names. "
            "Your own side and the facilitator always see who wrote what."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("STI settings")
        verbose_name_plural = _("STI settings")

    def __str__(self) -> str:
        return str(self.partnership)


class IndicatorSet(models.Model):
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="indicator_sets",
        verbose_name=_("partnership"),
    )
    version = models.PositiveIntegerField(_("version"))
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    adopted_at = models.DateTimeField(_("adopted"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator set")
        verbose_name_plural = _("indicator sets")
        ordering = ["partnership", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "version"], name="indicator_set_version_unique"
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(adopted_at__isnull=True),
                name="indicator_set_one_draft",
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(adopted_at__isnull=False, superseded_at__isnull=True),
                name="indicator_set_one_current",
            ),
            models.CheckConstraint(
                condition=Q(superseded_at__isnull=True) | Q(adopted_at__isnull=False),
                name="indicator_set_superseded_after_adopted",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="indicator_set_version_gte_1"),
        ]

    def __str__(self) -> str:
        return _("Indicator set version %(version)s") % {"version": self.version}

    @property
    def is_draft(self) -> bool:
        return self.adopted_at is None

    @property
    def is_current(self) -> bool:
        return self.adopted_at is not None and self.superseded_at is None

    @property
    def status_label(self) -> str:
        if self.is_draft:
            return _("Draft")
        return _("In use") if self.is_current else _("Superseded")


class Indicator(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet,
        on_delete=models.CASCADE,
        related_name="indicators",
        verbose_name=_("indicator set"),
    )
    # Stays the same when a new version copies the indicator, so results line up across versions.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    library_key = models.CharField(_("from the library"), max_length=40, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=80)
    meaning = models.TextField(
        _("what it means here"),
        blank=True,
        help_text=_("What this indicator means in this partnership."),
    )
    behaviours = models.TextField(
        _("behaviours that show it"), blank=True, help_text=_("One behaviour per line.")
    )
    rated_side = models.CharField(
        _("who is rated"), max_length=10, choices=RatedSide.choices, default=RatedSide.BOTH
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["indicator_set", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "name"], name="indicator_name_unique_in_set"
            ),
            models.UniqueConstraint(
                fields=["indicator_set", "lineage"], name="indicator_lineage_unique_in_set"
            ),
            models.CheckConstraint(
                condition=Q(rated_side__in=RatedSide.values), name="indicator_rated_side_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def rates(self, side: str) -> bool:
        """Whether `side` is rated on this indicator."""
        return self.rated_side in (RatedSide.BOTH, side)

    @property
    def behaviour_list(self) -> list[str]:
        return [line.strip(" -•\t") for line in self.behaviours.splitlines() if line.strip()]


class SignOff(models.Model):
    indicator_set = models.ForeignKey(
        IndicatorSet,
        on_delete=models.CASCADE,
        related_name="sign_offs",
        verbose_name=_("indicator set"),
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["indicator_set", "side"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "side"], name="sign_off_once_per_side"
            ),
            models.CheckConstraint(
                condition=Q(side__in=RATING_SIDES), name="sign_off_side_client_or_supplier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_set} – {self.get_side_display()}"


class SurveyState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    # A state, not the verb: msgid "Open" alone is the button "Openen".
    OPEN = "open", pgettext_lazy("survey state", "Open")
    CLOSED = "closed", pgettext_lazy("survey state", "Closed")


class Survey(models.Model):
    """The questionnaire window of one quarter, using one version of the indicator set."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="surveys", verbose_name=_("partnership")
    )
    indicator_set = models.ForeignKey(
        IndicatorSet,
        on_delete=models.PROTECT,
        related_name="surveys",
        verbose_name=_("indicator set"),
    )
    period_start = models.DateField(_("quarter"))
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    state = models.CharField(
        _("state"), max_length=10, choices=SurveyState.choices, default=SurveyState.SCHEDULED
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Figures kept when the survey closes, so dashboards do not recompute them.
    grade_to_supplier = models.DecimalField(
        _("grade given to the supplier"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    grade_to_client = models.DecimalField(
        _("grade given to the client"), max_digits=4, decimal_places=2, null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["partnership", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "period_start"], name="survey_one_per_quarter"
            ),
            models.UniqueConstraint(
                fields=["partnership"],
                condition=Q(state="open"),
                name="survey_one_open_per_partnership",
            ),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="survey_closes_after_opens"
            ),
            models.CheckConstraint(
                condition=Q(state__in=SurveyState.values), name="survey_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_start__day=1, period_start__month__in=[1, 4, 7, 10]),
                name="survey_period_is_quarter",
            ),
        ]

    def __str__(self) -> str:
        return self.period.label

    @property
    def period(self) -> Period:
        return Period(self.period_start, QUARTERLY)

    @property
    def is_open(self) -> bool:
        return self.state == SurveyState.OPEN

    @property
    def is_closed(self) -> bool:
        return self.state == SurveyState.CLOSED


class Response(models.Model):
    """One participant's answers in one survey. Drafts and submissions alike are theirs alone."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="responses", verbose_name=_("survey")
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="sti_responses",
        verbose_name=_("respondent"),
    )
    side = models.CharField(_("side"), max_length=16, choices=Side.choices)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["survey", "side", "respondent__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "respondent"], name="response_one_per_respondent"
            ),
            models.CheckConstraint(
                condition=Q(side__in=RATING_SIDES), name="response_side_client_or_supplier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} – {self.respondent}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Rating(models.Model):
    """A score of one side on one indicator: the other side's (a rating) or one's own (self)."""

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("response")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="ratings", verbose_name=_("indicator")
    )
    rated_side = models.CharField(_("rated side"), max_length=16, choices=Side.choices)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    motivation = models.TextField(_("motivation"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["response", "indicator__position", "rated_side"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "indicator", "rated_side"], name="rating_once_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=10),
                name="rating_score_1_to_10",
            ),
            models.CheckConstraint(
                condition=Q(rated_side__in=RATING_SIDES), name="rating_side_client_or_supplier"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} → {self.get_rated_side_display()}"
