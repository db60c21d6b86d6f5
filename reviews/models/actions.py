"""Improvement actions: agreed between the two sides, one owner each, reminded by the clock."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from partnership.models import Partnership, Side

from .links import LinkedRecord
from .rounds import ReviewRound
from .sessions import AgendaItem


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


class ActionItem(LinkedRecord):
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
    # Where the action came from besides its KPI or dispute (`LinkedRecord`).
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
