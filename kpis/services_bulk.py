"""Bulk upsert of measurements for integrations: every row checked first, then all or nothing.

An ERP or CAFM system pushes many values at once and may push the same batch again, so a row is
an upsert on (KPI, period). Every row is validated before anything is written; one bad row means
nothing is written and every bad row is reported by its number (1 = the first row sent). The
writes themselves go through `measurement_record`, the one service that records a value.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from partnership.access import Action, access_for
from partnership.models import Partnership

from . import selectors
from .models import KPI, Frequency, Measurement
from .services import (
    measurement_record,
    measurement_report_require,
    period_ended_require,
    value_parse,
)

MAX_ROWS = 1000


class RowErrors(ValidationError):
    """Some rows are wrong; `rows` maps a row number to that row's field errors."""

    def __init__(self, rows: dict[int, dict[str, list]]):
        self.rows = rows
        super().__init__(_("Some rows are invalid; nothing was written."))


@dataclass(frozen=True)
class BulkResult:
    created: int
    updated: int


@dataclass(frozen=True)
class _Row:
    number: int
    kpi: KPI
    period_start: object
    value: Decimal
    note: str


class _KPIIndex:
    """The partnership's KPIs by id and by name, loaded once: a row's KPI never leaves it."""

    def __init__(self, partnership: Partnership):
        self.kpis = list(selectors.kpis_for_partnership(partnership=partnership))
        self.by_id = {kpi.pk: kpi for kpi in self.kpis}
        self.by_name = {kpi.name: kpi for kpi in self.kpis}

    def find(self, ref) -> KPI | None:
        if isinstance(ref, bool):
            return None
        if isinstance(ref, int):
            return self.by_id.get(ref)
        if isinstance(ref, str):
            ref = ref.strip()
            if ref.isdigit() and int(ref) in self.by_id:
                return self.by_id[int(ref)]
            return self.by_name.get(ref)
        return None


def _period_error(kpi: KPI):
    example = "2026-03" if kpi.frequency == Frequency.MONTHLY else "2026-Q1"
    return _("Enter a period like %(example)s.") % {"example": example}


@dataclass(frozen=True)
class Replacement:
    """A row that would replace a stored value: which row, and the old and new value."""

    number: int
    kpi: KPI
    period_label: str
    old: Decimal
    new: Decimal


def _row_kpi(row, *, access, index: _KPIIndex) -> tuple[KPI | None, dict]:
    """The row's KPI if this actor may report it now, or the row's errors."""
    kpi = index.find(row["kpi"])
    if kpi is None:
        return None, {"kpi": [_("Unknown KPI.")]}
    try:
        measurement_report_require(access, kpi)
    except PermissionDenied as exc:
        return None, {"kpi": [str(exc) or _("You may not report this KPI.")]}
    except ValidationError as exc:
        return None, exc.message_dict
    if not kpi.active:
        return None, {"kpi": [_("This KPI is no longer active.")]}
    return kpi, {}


def _row_value(raw) -> tuple[Decimal | None, list]:
    try:
        return value_parse(raw), []
    except ValidationError as exc:
        return None, exc.message_dict["value"]


def _check_row(row, number: int, *, access, index: _KPIIndex) -> tuple[_Row | None, dict]:
    """One row parsed, or its field errors: the checks of `measurement_record`, without writing."""
    if not isinstance(row, dict):
        return None, {"non_field_errors": [_("Each row must be an object.")]}
    errors = {
        field: [_("This field is required.")]
        for field in ("kpi", "period", "value")
        if row.get(field) in (None, "")
    }
    if errors:
        return None, errors
    kpi, errors = _row_kpi(row, access=access, index=index)
    if kpi is None:
        return None, errors
    period_start = None
    try:
        period = kpi.period(row["period"])
        period_start = period.start
        period_ended_require(period)
    except (ValueError, TypeError):
        errors["period"] = [_period_error(kpi)]
    except ValidationError as exc:
        errors["period"] = exc.message_dict["period"]
    value, value_errors = _row_value(row["value"])
    if value_errors:
        errors["value"] = value_errors
    note = row.get("note") or ""
    if not isinstance(note, str):
        errors["note"] = [_("Enter text.")]
    if errors:
        return None, errors
    return _Row(number, kpi, period_start, value, note), {}


def _validate(rows: list, *, access, partnership: Partnership) -> list[_Row]:
    index = _KPIIndex(partnership)
    parsed, errors, seen = [], {}, {}
    for number, row in enumerate(rows, start=1):
        checked, row_errors = _check_row(row, number, access=access, index=index)
        if checked is not None:
            pair = (checked.kpi.pk, checked.period_start)
            if pair in seen:
                row_errors = {
                    "period": [
                        _("Row %(row)s already gives a value for this KPI and period.")
                        % {"row": seen[pair]}
                    ]
                }
            seen.setdefault(pair, number)
        if row_errors:
            errors[number] = row_errors
        else:
            parsed.append(checked)
    if errors:
        raise RowErrors(errors)
    return parsed


def _existing(rows: list[_Row]) -> dict[tuple[int, object], Measurement]:
    found = Measurement.objects.filter(
        kpi__in={row.kpi.pk for row in rows},
        period_start__in={row.period_start for row in rows},
    )
    return {(m.kpi_id, m.period_start): m for m in found}


def _checked(*, actor, partnership: Partnership, rows: list):
    access = access_for(actor, partnership)
    if access.side is None or not access.can(Action.PARTICIPATE):
        raise PermissionDenied
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"measurements": _("Send at least one row.")})
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            {"measurements": _("Send at most %(max)s rows at a time.") % {"max": MAX_ROWS}}
        )
    parsed = _validate(rows, access=access, partnership=partnership)
    return parsed, _existing(parsed)


def _replacements(parsed: list[_Row], existing: dict) -> list[Replacement]:
    """The rows whose period already has another value (the same value again is no change)."""
    found = []
    for row in parsed:
        stored = existing.get((row.kpi.pk, row.period_start))
        if stored is not None and stored.value != row.value:
            found.append(
                Replacement(row.number, row.kpi, stored.period.label, stored.value, row.value)
            )
    return found


def measurements_bulk_check(*, actor, partnership: Partnership, rows: list) -> list[Replacement]:
    """Validate without writing: RowErrors for bad rows, else the values the rows would replace."""
    parsed, existing = _checked(actor=actor, partnership=partnership, rows=rows)
    return _replacements(parsed, existing)


def overwrite_message(replacement: Replacement) -> str:
    return _(
        "%(period)s already has the value %(old)s; this row would replace it with %(new)s."
    ) % {
        "period": replacement.period_label,
        "old": number_format(replacement.old, 2),
        "new": number_format(replacement.new, 2),
    }


@transaction.atomic
def measurements_bulk_upsert(
    *, actor, partnership: Partnership, rows: list, overwrite: bool = False
) -> BulkResult:
    """Record many values at once; nothing written on any error.

    A row that would replace a stored value with another one is an error unless `overwrite`;
    a row that repeats the stored value is accepted (so sending a batch again changes nothing).
    """
    parsed, existing = _checked(actor=actor, partnership=partnership, rows=rows)
    if not overwrite and (replacing := _replacements(parsed, existing)):
        raise RowErrors({r.number: {"period": [overwrite_message(r)]} for r in replacing})
    for row in parsed:
        stored = existing.get((row.kpi.pk, row.period_start))
        try:
            measurement_record(
                actor=actor,
                kpi=row.kpi,
                period=row.period_start,
                value=row.value,
                note=row.note,
                overwrite=overwrite,
                if_match=None if overwrite or stored is None else stored.version,
            )
        except ValidationError as exc:  # changed since validation (e.g. a concurrent edit)
            raise RowErrors({row.number: exc.message_dict}) from exc
    updated = sum((row.kpi.pk, row.period_start) in existing for row in parsed)
    return BulkResult(created=len(parsed) - updated, updated=updated)
