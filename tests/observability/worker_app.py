"""The Celery app of the worker that `test_celery.py` starts in a subprocess: the project's app
(with its signal hooks) and two tasks of the test's own, one that logs and one that fails."""

import logging

from config.celery import app

logger = logging.getLogger("tests.observability.task")


@app.task(name="tests.observability.log_a_line")
def log_a_line(marker: str) -> None:
    logger.info("inside the task: %s", marker)


@app.task(name="tests.observability.fail")
def fail() -> None:
    raise RuntimeError("this task fails on purpose")


__all__ = ["app"]
