"""The facilitated session of a round: when and where, its agenda with the minutes, and what it
decided."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .links import LinkedRecord
from .rounds import ReviewRound


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


class AgendaItem(LinkedRecord):
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
    # What the item is about, when it came from the round: at most one of these, the KPI and
    # the dispute of `LinkedRecord` included.
    indicator = models.ForeignKey(
        "sti.Indicator",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("indicator"),
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
