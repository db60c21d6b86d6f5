"""The Celery app for the worker that `test_celery_worker.py` starts in a subprocess.

It is the project's app, with one change: tasks the worker queues itself (sending the outbox's
notification e-mails) go to the test's own queue, so they are handled by this worker and never
linger in a shared queue of the test Redis.
"""

import os

from config.celery import app

app.conf.task_default_queue = os.environ["TANDEM_TEST_QUEUE"]
app.conf.task_routes = None  # the mail outbox's sends too, not to the shared "mail" queue

__all__ = ["app"]
