"""Form fields and widgets that speak the browser's machine format, whatever the language.

An `<input type="number">` accepts only `4.00`, a `type="date"` only `2026-12-02`: given Django's
localised `4,00` or `02-12-2026` the browser drops the value and the field opens empty. The
browser shows these inputs in its own locale (a Dutch Chromium shows 4,00 and 02-12-2026), so
what a person reads stays Dutch. Everything a person reads elsewhere (tables, texts) keeps the
localised format.

Every form of the project takes its number, date and time fields from here; a ModelForm sets
`formfield_callback = machine_formfield` in its Meta so its model's fields do too. The guard in
tests/partnership/test_form_inputs.py fails on any form that renders a localised value in one.
"""

import datetime

from django import forms
from django.db import models

DATE_FORMAT = "%Y-%m-%d"
DATETIME_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
TIME_FORMAT = "%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATE_FORMAT)


class DateTimeInput(forms.DateTimeInput):
    """A `datetime-local` input: the wall-clock time in the current time zone, to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL_FORMAT)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=TIME_FORMAT)


class NumberInput(forms.NumberInput):
    """Never localised: `4.5`, not `4,5`, and no thousands separator."""

    @property
    def is_localized(self) -> bool:
        return False

    @is_localized.setter
    def is_localized(self, value) -> None:
        pass  # a field's `localize=True` must not turn the value into one the browser drops


def machine_number(value):
    """`4,5`, `4.5`, `1.234,5` and `1,234.5` as the number a person meant (a post without the
    browser, or a person typing in a text field): the separator that comes last is the decimal
    one, the other is a thousands separator."""
    if not isinstance(value, str):
        return value
    value = value.strip().replace(" ", "").replace("\u00a0", "")
    comma, point = value.rfind(","), value.rfind(".")
    if comma > point:
        return value.replace(".", "").replace(",", ".")
    if comma != -1:
        return value.replace(",", "")
    return value


class _MachineNumberField:
    """A number field never localised: its input renders `4.00` in every language."""

    widget = NumberInput

    def __init__(self, **kwargs):
        kwargs["localize"] = False
        kwargs.setdefault("widget", NumberInput)
        super().__init__(**kwargs)


class _MachineFractionField(_MachineNumberField):
    """...that still takes a Dutch comma (or a thousands separator) when posted."""

    def to_python(self, value):
        return super().to_python(machine_number(value))


class DecimalField(_MachineFractionField, forms.DecimalField):
    pass


class FloatField(_MachineFractionField, forms.FloatField):
    pass


class IntegerField(_MachineNumberField, forms.IntegerField):
    pass


class DateField(forms.DateField):
    widget = DateInput


class DateTimeField(forms.DateTimeField):
    """To the minute, like its input: an unchanged submit of 10:00:27 is not a change to 10:00."""

    widget = DateTimeInput

    def has_changed(self, initial, data):
        if isinstance(initial, datetime.datetime):
            initial = initial.replace(second=0, microsecond=0)
        return super().has_changed(initial, data)


class TimeField(forms.TimeField):
    widget = TimeInput

    def has_changed(self, initial, data):
        if isinstance(initial, datetime.time):
            initial = initial.replace(second=0, microsecond=0)
        return super().has_changed(initial, data)


# Most specific first: a DateTimeField is a DateField, a PositiveIntegerField an IntegerField.
_MODEL_FIELDS = (
    (models.DateTimeField, DateTimeField),
    (models.DateField, DateField),
    (models.TimeField, TimeField),
    (models.DecimalField, DecimalField),
    (models.FloatField, FloatField),
    (models.IntegerField, IntegerField),
)


def machine_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A ModelForm's `Meta.formfield_callback`: the model's number, date and time fields become
    the fields above (a model DateField is otherwise a plain text input)."""
    if not db_field.choices:
        for model_class, form_class in _MODEL_FIELDS:
            if isinstance(db_field, model_class) and not isinstance(db_field, models.AutoField):
                kwargs.setdefault("form_class", form_class)
                break
    return db_field.formfield(**kwargs)


__all__ = [
    "DateField",
    "DateInput",
    "DateTimeField",
    "DateTimeInput",
    "DecimalField",
    "FloatField",
    "IntegerField",
    "NumberInput",
    "TimeField",
    "TimeInput",
    "machine_formfield",
]
