"""Disputes: the other side contests a value or an inspection, both sides talk it through, and
a manager closes it with a note that stays with the history."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for
from partnership.deferred_text import Phrase
from partnership.models import Side
from partnership.notifications import notify

from .models import Dispute, DisputeComment, Inspection, InspectionKind, Measurement, Source


def reporting_side(subject) -> str | None:
    """Which side produced a figure (a KPI's values, a measurement, an inspection); None when
    either side may have."""
    if isinstance(subject, Inspection):
        return {InspectionKind.DKS: Side.SUPPLIER, InspectionKind.KMS: Side.CLIENT}.get(
            subject.kind
        )
    kpi = subject.kpi if isinstance(subject, Measurement) else subject
    return {Source.SUPPLIER: Side.SUPPLIER, Source.CLIENT: Side.CLIENT}.get(kpi.source)


def can_dispute(access, subject) -> bool:
    """The side that did not produce a figure may dispute it."""
    return access.can(Action.PARTICIPATE) and access.side != reporting_side(subject)


def _subject(subject: Measurement | Inspection) -> Phrase:
    """What is disputed, rendered in each reader's language and number format."""
    if isinstance(subject, Measurement):
        return Phrase(
            _("%(kpi)s: %(value)s (%(period)s)"),
            kpi=subject.kpi.name,
            value=subject.value,
            period=subject.period.label,
        )
    return Phrase(
        _("%(kind)s of %(date)s"), kind=InspectionKind(subject.kind).label, date=subject.date
    )


def _people(partnership, exclude=None):
    participants = partnership.participants.filter(
        side__in=[Side.CLIENT, Side.SUPPLIER]
    ).select_related("user")
    return [p.user for p in participants if p.user != exclude]


@transaction.atomic
def dispute_raise(*, actor, subject: Measurement | Inspection, reason: str) -> Dispute:
    partnership = (
        subject.kpi.partnership if isinstance(subject, Measurement) else subject.partnership
    )
    access = access_for(actor, partnership)
    if access.side is None or not access.can(Action.PARTICIPATE):
        raise PermissionDenied
    if access.side == reporting_side(subject):
        raise PermissionDenied(_("Only the other side can dispute this."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why you dispute this.")})
    open_disputes = Dispute.objects.filter(resolved_at__isnull=True)
    if isinstance(subject, Measurement):
        open_disputes = open_disputes.filter(measurement=subject)
    else:
        open_disputes = open_disputes.filter(inspection=subject)
    if open_disputes.exists():
        raise ValidationError({"reason": _("This is already disputed.")})
    dispute = Dispute.objects.create(
        partnership=partnership,
        raised_by=actor,
        side=access.side,
        reason=reason.strip(),
        **(
            {"measurement": subject}
            if isinstance(subject, Measurement)
            else {"inspection": subject}
        ),
    )
    notify(
        users=_people(partnership, exclude=actor),
        kind="kpis.dispute",
        partnership=partnership,
        title=_("%(who)s disputes %(subject)s"),
        params={"who": actor.display_name, "subject": _subject(subject)},
        url=dispute_url(dispute),
    )
    return dispute


def dispute_url(dispute: Dispute) -> str:
    from django.urls import reverse

    return reverse(
        "kpis:dispute_detail",
        kwargs={"partnership_id": dispute.partnership_id, "dispute_id": dispute.pk},
    )


@transaction.atomic
def dispute_comment(*, actor, dispute: Dispute, text: str) -> DisputeComment:
    access = access_for(actor, dispute.partnership)
    if access.side is None or not access.can(Action.PARTICIPATE):
        raise PermissionDenied
    if not text.strip():
        raise ValidationError({"text": _("Write a comment.")})
    return DisputeComment.objects.create(
        dispute=dispute, author=actor, side=access.side, text=text.strip()
    )


@transaction.atomic
def dispute_resolve(*, actor, dispute: Dispute, resolution: str) -> Dispute:
    access = access_for(actor, dispute.partnership)
    if access.side is None or not access.can(Action.MANAGE):
        raise PermissionDenied
    locked = Dispute.objects.select_for_update().get(pk=dispute.pk)
    if not locked.is_open:
        raise ValidationError(_("This dispute has already been resolved."))
    if not resolution.strip():
        raise ValidationError({"resolution": _("Write how it was resolved.")})
    locked.resolved_at, locked.resolved_by = timezone.now(), actor
    locked.resolution = resolution.strip()
    locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    notify(
        users=_people(locked.partnership, exclude=actor),
        kind="kpis.dispute_resolved",
        partnership=locked.partnership,
        title=_("Dispute about %(subject)s resolved"),
        params={"subject": _subject(locked.measurement or locked.inspection)},
        url=dispute_url(locked),
    )
    return locked
