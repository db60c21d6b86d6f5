"""Text stored untranslated and rendered later, in the reader's language and number format.

A notification is written by one person (or the clock) and read by another, possibly in another
language and long after. So `notify` stores the message as its source text (the msgid) and its
parameters as typed JSON, and the text is rendered when it is read or e-mailed:

- `text_store(value)`: a lazy translation (`gettext_lazy`, `pgettext_lazy`) becomes its msgid
  (`pgettext`'s context kept as gettext itself keeps it, "context\\x04msgid"); plain text is
  kept as it is (a partnership's title, a person's name).
- `params_store(params)`: numbers, dates and times, and lazy labels are tagged so they can be
  localised at reading time; plain values stay plain.
- `Phrase(text, **params)`: a parameter that is itself a message with parameters (a dispute's
  subject: "%(kpi)s: %(value)s (%(period)s)"), rendered the same way.
- `text_render(text, params)`: the text in the active language, every parameter formatted with
  `django.utils.formats.localize` ("0,00" in Dutch, "0.00" in English), dates and times in the
  current time zone.

Rows stored before this (their text already rendered) have no parameters and render as they are.
"""

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.utils import formats, timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext

logger = logging.getLogger(__name__)

CONTEXT_SEPARATOR = "\x04"  # how gettext itself joins a context to its msgid


def _msgid(value: Promise) -> str | None:
    """The source text of a lazy gettext/pgettext string, None for any other lazy object."""
    try:
        _unpickle, (func, args, kwargs, *_types) = value.__reduce__()
    except (TypeError, ValueError):
        return None
    if kwargs:
        return None
    if func is gettext and len(args) == 1:
        return str(args[0])
    if func is pgettext and len(args) == 2:
        return f"{args[0]}{CONTEXT_SEPARATOR}{args[1]}"
    return None


def text_store(value) -> str:
    """What to store for a text: the msgid of a lazy translation, or the plain text itself."""
    if isinstance(value, Promise):
        msgid = _msgid(value)
        if msgid is not None:
            return msgid
        logger.warning("Stored a lazy text other than gettext/pgettext rendered: %r", value)
    return str(value) if value is not None else ""


def translate(text: str) -> str:
    if CONTEXT_SEPARATOR in text:
        context, msgid = text.split(CONTEXT_SEPARATOR, 1)
        return pgettext(context, msgid)
    return gettext(text) if text else ""


class Phrase:
    """A message used as another message's parameter; rendered in the reader's language too."""

    def __init__(self, text, **params):
        self.text, self.params = text, params

    def __str__(self) -> str:
        return text_render(text_store(self.text), params_store(self.params))


def _value_store(value):
    # bool before int: a bool is an int to Python.
    if value is None or isinstance(value, (bool, str)):
        return value if value is not None else ""
    if isinstance(value, Promise):
        msgid = _msgid(value)
        return {"type": "text", "value": msgid} if msgid is not None else str(value)
    if isinstance(value, Phrase):
        return {
            "type": "phrase",
            "value": text_store(value.text),
            "params": params_store(value.params),
        }
    if isinstance(value, int):
        return value
    if isinstance(value, (Decimal, float)):
        return {"type": "number", "value": str(value)}
    if isinstance(value, datetime.datetime):
        return {"type": "datetime", "value": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"type": "date", "value": value.isoformat()}
    return str(value)


def params_store(params: dict | None) -> dict:
    """The parameters as JSON that keeps their type (see the module's docstring)."""
    return {str(key): _value_store(value) for key, value in (params or {}).items()}


def _value_render(value) -> str:
    if not isinstance(value, dict):
        return formats.localize(value) if isinstance(value, int) else str(value)
    kind, raw = value.get("type"), value.get("value", "")
    try:
        if kind == "text":
            return translate(raw)
        if kind == "phrase":
            return text_render(raw, value.get("params"))
        if kind == "number":
            return formats.localize(Decimal(raw))
        if kind == "date":
            return formats.localize(parse_date(raw))
        if kind == "datetime":
            moment = parse_datetime(raw)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.localize(moment)
    except (InvalidOperation, TypeError, ValueError):
        pass
    return str(raw)


def text_render(text: str, params: dict | None = None) -> str:
    """The stored text in the active language, its parameters in that language's format."""
    translated = translate(text)
    if not params:
        return translated
    values = {key: _value_render(value) for key, value in params.items()}
    try:
        return translated % values
    except (KeyError, TypeError, ValueError):
        # A catalogue entry that lost a placeholder must not hide the message: use the source.
        logger.warning("Translation of %r does not fit its parameters", text)
        try:
            return translate_source(text) % values
        except (KeyError, TypeError, ValueError):
            return translate_source(text)


def translate_source(text: str) -> str:
    return text.split(CONTEXT_SEPARATOR, 1)[-1]
