"""The audit trail of one partnership, gathered from django-simple-history's tables."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from heapq import merge

from django.utils import formats, timezone
from django.utils.translation import gettext

from .models import (
    CommunicationPlan,
    Contact,
    Contract,
    EscalationStep,
    MeetingCadence,
    Participant,
    Partnership,
    Service,
)
from .phases import checklist_labels

HISTORY_LIMIT = 500


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    what: str
    object_label: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[tuple[str, object, object]]


# Feature apps add their audited models: fn(partnership) -> [(model, historical queryset)].
_EXTRA_SOURCES: list = []


def register_history_source(source) -> None:
    if source not in _EXTRA_SOURCES:
        _EXTRA_SOURCES.append(source)


def _sources(partnership: Partnership):
    plan_id = CommunicationPlan.objects.filter(partnership=partnership).values("pk")
    extra = [pair for source in _EXTRA_SOURCES for pair in source(partnership)]
    return extra + [
        (Partnership, Partnership.history.filter(id=partnership.pk)),
        (Contract, Contract.history.filter(partnership_id=partnership.pk)),
        (Participant, Participant.history.filter(partnership_id=partnership.pk)),
        (CommunicationPlan, CommunicationPlan.history.filter(partnership_id=partnership.pk)),
        (Contact, Contact.history.filter(plan_id__in=plan_id)),
        (MeetingCadence, MeetingCadence.history.filter(plan_id__in=plan_id)),
        (EscalationStep, EscalationStep.history.filter(plan_id__in=plan_id)),
    ]


def _changes(record, model) -> list[tuple[str, object, object]]:
    previous = record.prev_record
    if previous is None:
        return []
    delta = record.diff_against(previous)
    fields = {f.name: f for f in model._meta.fields}
    return [
        (
            str(fields[c.field].verbose_name) if c.field in fields else c.field,
            _display(fields.get(c.field), c.old),
            _display(fields.get(c.field), c.new),
        )
        for c in delta.changes
    ]


def _display(field, value):
    """A stored value as people read it: the label of a choice, not its code; moments, dates,
    numbers and yes/no in the reader's language and time zone (the template truncates what it
    shows, which would otherwise print a datetime's `str`)."""
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, Decimal | float):
        return formats.number_format(value, use_l10n=True)
    if isinstance(value, list):
        name = field.name if field is not None else ""
        labels = {"services": dict(Service.choices), "checklist_done": checklist_labels()}
        return ", ".join(str(labels.get(name, {}).get(v, v)) for v in value)
    return value


def history_for_partnership(*, partnership: Partnership) -> list[HistoryEntry]:
    """Newest first, across the partnership and everything the audit trail covers."""
    streams = []
    for model, qs in _sources(partnership):
        records = qs.select_related("history_user").order_by("-history_date")[:HISTORY_LIMIT]
        streams.append(
            [
                HistoryEntry(
                    when=r.history_date,
                    who=r.history_user,
                    what=str(model._meta.verbose_name),
                    object_label=str(r.instance),
                    kind=r.history_type,
                    changes=_changes(r, model) if r.history_type == "~" else [],
                )
                for r in records
            ]
        )
    merged = merge(*streams, key=lambda e: e.when, reverse=True)
    return list(merged)[:HISTORY_LIMIT]
