"""Log lines an operator can search: one JSON object a line, and the request id on every line.

The request id lives in a context variable: the request middleware sets it for the request's
lifetime, the Celery hooks (`partnership.observability.worker`) for a task's, and
`RequestIdFilter` copies it onto every record a handler writes, so any line logged while a
request or task runs names it, whichever logger wrote it. `LOG_FORMAT` picks `JSONFormatter`
or `TextFormatter` for the console handler (config/settings.py).
"""

import contextvars
import datetime
import json
import logging
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "tandem_request_id", default=None
)

# An incoming X-Request-ID (from a balancer or a client) is kept when it looks like an id;
# anything else, a log-injection attempt included, is replaced by a new one.
_SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def current_request_id() -> str | None:
    return _request_id.get()


def clean_request_id(value: str | None) -> str:
    """`value` when it is a sane id, else a new random one."""
    if value and _SANE_ID.fullmatch(value):
        return value
    return uuid.uuid4().hex


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


@contextmanager
def request_id_context(value: str | None) -> Iterator[None]:
    token = _request_id.set(value)
    try:
        yield
    finally:
        _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request id on every record (None outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            record.request_id = _request_id.get()
        return True


# Attributes every LogRecord has; whatever else a record carries came from `extra=`.
_RECORD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message",
    "asctime",
    "request_id",
    "taskName",
}
# Extras never written: Django's request loggers pass the HttpRequest itself, whose text holds
# the query string (tokens in links); Celery's worker passes `data` with a task's arguments
# (bodies are not logged). The message of either says what happened.
_NEVER_WRITTEN = frozenset({"request", "data"})


def _jsonable(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return str(value)


class JSONFormatter(logging.Formatter):
    """One JSON object a line: timestamp (UTC, ISO 8601), level, logger, message, request_id,
    every `extra=` field, and the traceback as `exception` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "timestamp": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for key, value in record.__dict__.items():
            if key not in _RECORD_FIELDS and key not in _NEVER_WRITTEN and key not in entry:
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a person at a terminal (DEBUG): time, level, logger, request id, message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_id = request_id or "-"
        try:
            return super().format(record)
        finally:
            record.request_id = request_id


def adopt_handlers(logger: logging.Logger, *, json_format: bool) -> None:
    """Give handlers another library set up (Celery's worker logging) the request id and, for
    `LOG_FORMAT=json`, the JSON format."""
    for handler in logger.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(RequestIdFilter())
        handler.setFormatter(JSONFormatter() if json_format else TextFormatter())
