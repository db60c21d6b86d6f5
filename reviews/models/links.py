"""What a review's record is about elsewhere in the partnership: a KPI, a dispute."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LinkedRecord(models.Model):
    """The KPI and the dispute an agenda item or an action is about. Links, not parts: when the
    KPI or the dispute goes, the record stays and the link is emptied."""

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

    class Meta:
        abstract = True
