"""Celery's side: the request id travels with a task, and every failure is counted.

Connected in `config/celery.py`. `before_task_publish` runs where a task is queued (a web
request, another task, beat) and writes the current request id into the message's headers;
`task_prerun` and `task_postrun` run in the worker around the task and set and clear it there,
so every line the task logs names the request that caused it. An eager task (the test suite)
runs inside its caller, whose id it keeps. `task_failure` counts into a Redis hash shared by
every worker (`metrics.task_failures_key`).
"""

import logging

from django.conf import settings

from . import logs

HEADER = "tandem_request_id"
logger = logging.getLogger(__name__)


def put_request_id_in_headers(headers=None, **_kwargs) -> None:
    """`before_task_publish`: the caller's request id rides in the message (protocol 2 headers)."""
    request_id = logs.current_request_id()
    if headers is not None and request_id and HEADER not in headers:
        headers[HEADER] = request_id


def take_request_id(task=None, **_kwargs) -> None:
    """`task_prerun`: the task's lines carry the id of the request that queued it (or none)."""
    if task is None or task.request.is_eager:
        return
    given = getattr(task.request, HEADER, None)
    logs.set_request_id(logs.clean_request_id(given) if given else None)


def drop_request_id(task=None, **_kwargs) -> None:
    """`task_postrun`: the next task of this worker starts without it."""
    if task is None or task.request.is_eager:
        return
    logs.set_request_id(None)


def count_task_failure(sender=None, **_kwargs) -> None:
    """`task_failure`: one more failure of this task, in Redis where every worker counts."""
    if not settings.REDIS_URL or sender is None:
        return
    from .metrics import redis_client, task_failures_key

    try:
        redis_client(settings.REDIS_URL).hincrby(task_failures_key(), sender.name, 1)
    except Exception as error:  # the task has failed already; counting must not fail it again
        logger.warning("Metrics: task failure of %s not counted: %r", sender.name, error)


class TaskFilter(logging.Filter):
    """The running task's id and name on every record (Celery's own task formatter did this for
    the lines of its task logger; the JSON format replaces it and does it for every logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from celery import current_task

        task = current_task._get_current_object() if current_task else None
        if task is not None and getattr(task.request, "id", None):
            record.task_id = task.request.id
            record.task_name = task.name
        return True


def structured_worker_logs(logger=None, **_kwargs) -> None:
    """`after_setup_logger` / `after_setup_task_logger`: Celery sets up the worker's own log
    handlers (and honours --loglevel); they get the request id, the task and LOG_FORMAT's
    format."""
    if logger is None:
        return
    logs.adopt_handlers(logger, json_format=settings.LOG_FORMAT == "json")
    for handler in logger.handlers:
        if not any(isinstance(f, TaskFilter) for f in handler.filters):
            handler.addFilter(TaskFilter())
