"""Every form of the project renders its number, date and time inputs in the browser's machine
format, in Dutch as in English. A browser drops a `value` it cannot parse (`4,00` in a number
input, `02-12-2026` in a date input) and the field opens empty: editing a KPI meant retyping its
norm. The forms are found by walking the apps' `forms*.py` modules, so a new form is checked
without being listed here."""

import datetime
import importlib
import inspect
import pkgutil
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.conf import settings
from django.forms.widgets import Input
from django.utils import timezone, translation

from partnership import inputs
from tests.messaging.factories import ThreadFactory

APPS = ("accounts", "partnership", "kpis", "sti", "reviews", "messaging")

# What a machine-format input's value looks like; the browser shows it in its own locale.
MACHINE = {
    "number": re.compile(r"-?\d+(\.\d+)?"),
    "date": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "datetime-local": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "time": re.compile(r"\d{2}:\d{2}"),
}
# The input each kind of field must be (a ModelForm's default date widget is a text input).
EXPECTED_TYPE = (
    (forms.DateTimeField, "datetime-local"),
    (forms.DateField, "date"),
    (forms.TimeField, "time"),
    (forms.DecimalField, "number"),
    (forms.FloatField, "number"),
    (forms.IntegerField, "number"),
)
SAMPLE = (  # values a localised widget would write with a comma or a Dutch date order
    (forms.DateTimeField, datetime.datetime(2026, 12, 2, 9, 30, 27, tzinfo=datetime.UTC)),
    (forms.DateField, datetime.date(2026, 12, 2)),
    (forms.TimeField, datetime.time(9, 30, 27)),
    (forms.DecimalField, Decimal("1234.50")),
    (forms.FloatField, 1234.5),
    (forms.IntegerField, 1234),
)


def form_classes() -> list[type]:
    found = []
    for app in APPS:
        package = importlib.import_module(app)
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("forms"):
                continue
            module = importlib.import_module(f"{app}.{info.name}")
            for obj in vars(module).values():
                if (
                    inspect.isclass(obj)
                    and issubclass(obj, forms.BaseForm)
                    and obj.__module__ == module.__name__
                ):
                    found.append(obj)
    return found


FORMS = form_classes()


def constructor_samples(world) -> dict:
    """A value for every keyword a form's constructor requires, from the shared world."""
    return {
        "partnership": world.partnership,
        "user": world.manager,
        "thread": ThreadFactory(partnership=world.partnership, created_by=world.manager),
        "side": "client",
        "sides": ("client", "facilitator"),
        "taken": set(),
        "current": {},
        "plan": world.partnership.communication_plan,
    }


def build(form_class, world, **kwargs):
    samples = constructor_samples(world)
    for name, param in inspect.signature(form_class.__init__).parameters.items():
        if param.kind is param.KEYWORD_ONLY and param.default is param.empty:
            assert name in samples, (
                f"{form_class.__name__} needs `{name}`: add a sample to constructor_samples"
            )
            kwargs[name] = samples[name]
    return form_class(**kwargs)


def sample_initial(form) -> dict:
    initial = {}
    for name, field in form.fields.items():
        for field_class, value in SAMPLE:
            if isinstance(field, field_class):
                initial[name] = value
                break
    return initial


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs: dict[str, dict] = {}

    def handle_starttag(self, tag, attrs):
        if tag == "input":
            attrs = dict(attrs)
            self.inputs[attrs.get("name")] = attrs


def rendered_inputs(form) -> dict[str, dict]:
    parser = _Inputs()
    parser.feed(str(form))
    return parser.inputs


def test_the_walk_finds_the_forms():
    names = {f.__name__ for f in FORMS}
    assert {"KPIForm", "InspectionForm", "ContractForm", "SessionPlanForm", "SurveyForm"} <= names


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_number_and_date_input_renders_the_machine_format(world, language):
    problems = []
    with translation.override(language), timezone.override("Europe/Amsterdam"):
        for form_class in FORMS:
            form = build(form_class, world)
            form = build(form_class, world, initial=sample_initial(form))
            rendered = rendered_inputs(form)
            for name, field in form.fields.items():
                if field.widget.is_hidden or not isinstance(field.widget, Input):
                    continue
                expected = next((t for c, t in EXPECTED_TYPE if isinstance(field, c)), None)
                attrs = rendered.get(form.add_prefix(name), {})
                where = f"{form_class.__module__}.{form_class.__name__}.{name}"
                if expected and attrs.get("type") != expected:
                    problems.append(f"{where}: type={attrs.get('type')!r}, expected {expected!r}")
                kind = attrs.get("type")
                if kind in MACHINE and not MACHINE[kind].fullmatch(attrs.get("value") or "0"):
                    problems.append(f"{where}: {kind} input with value={attrs.get('value')!r}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("4,5", Decimal("4.5")),
        ("4.5", Decimal("4.5")),
        ("1.234,5", Decimal("1234.5")),
        ("1,234.5", Decimal("1234.5")),
        (" 4,00 ", Decimal("4.00")),
        ("-0,25", Decimal("-0.25")),
    ],
)
def test_a_decimal_field_takes_a_dutch_comma_and_a_point(typed, meant):
    field = inputs.DecimalField(max_digits=12, decimal_places=2)
    with translation.override("nl"):
        assert field.clean(typed) == meant
        assert inputs.FloatField().clean(typed) == float(meant)


@pytest.mark.parametrize("typed", ["4,5,6", "vier", "4.5.6"])
def test_a_decimal_field_refuses_what_is_not_a_number(typed):
    with translation.override("nl"), pytest.raises(forms.ValidationError):
        inputs.DecimalField(max_digits=12, decimal_places=2).clean(typed)


def test_a_time_to_the_minute_is_unchanged_against_a_stored_time_with_seconds():
    stored = datetime.datetime(2026, 12, 2, 9, 30, 27, tzinfo=datetime.UTC)
    with timezone.override("Europe/Amsterdam"):
        assert not inputs.DateTimeField().has_changed(stored, "2026-12-02T10:30")
        assert inputs.DateTimeField().has_changed(stored, "2026-12-02T10:31")
        assert not inputs.TimeField().has_changed(datetime.time(9, 30, 27), "09:30")
