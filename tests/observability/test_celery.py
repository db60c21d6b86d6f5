"""The request id travels from the request that queues a task into the worker's log lines, and
every failed task is counted where /metrics reads it."""

import json
import os
import subprocess
import uuid
from pathlib import Path

import pytest
import redis
from celery import current_app
from django.conf import settings as django_settings

from partnership.observability import logs, metrics, worker
from tests.reviews.test_celery_worker import (
    CELERY,
    ROOT,
    database_url,
    forget_queue,
    stop_worker,
    wait_for,
)


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": django_settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        *(str(CELERY), "-A", "tests.observability.worker_app", "worker", "--pool=solo"),
        *("-Q", queue, "--without-heartbeat", "--without-mingle", "--without-gossip"),
        "--loglevel=INFO",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def test_publishing_puts_the_current_request_id_in_the_headers():
    headers: dict = {}
    with logs.request_id_context("req-1"):
        worker.put_request_id_in_headers(headers=headers)
    assert headers == {worker.HEADER: "req-1"}
    outside: dict = {}
    worker.put_request_id_in_headers(headers=outside)
    assert outside == {}  # beat or a shell queues without one


def _worker_lines(log) -> list[dict]:
    lines = []
    for text in log.read_text(errors="replace").splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return lines


@pytest.mark.django_db
def test_a_real_worker_logs_with_the_request_id_and_counts_failures(settings, tmp_path):
    """One worker process against the test Redis, consuming a queue of its own."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    key = metrics.task_failures_key()
    shared = redis.Redis.from_url(django_settings.REDIS_URL)
    before = int(shared.hget(key, "tests.observability.fail") or 0)
    queue = f"tandem-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    process = start_worker(queue, log)
    try:
        with logs.request_id_context("req-from-the-web-7"):
            current_app.send_task("tests.observability.log_a_line", ["marker-1"], queue=queue)
        current_app.send_task("tests.observability.fail", queue=queue)  # outside any request

        def both_done():
            messages = [line["message"] for line in _worker_lines(log)]
            return any("inside the task: marker-1" in m for m in messages) and any(
                "tests.observability.fail" in m and "raised unexpected" in m for m in messages
            )

        assert wait_for(both_done), log.read_text(errors="replace")[-4000:]
    finally:
        stop_worker(process)
        forget_queue(queue)
    lines = _worker_lines(log)
    (inside,) = [line for line in lines if line["message"] == "inside the task: marker-1"]
    assert inside["request_id"] == "req-from-the-web-7"
    assert inside["logger"] == "tests.observability.task"
    assert inside["task_name"] == "tests.observability.log_a_line" and inside["task_id"]
    # Celery's own line about the failure, written by the worker: no id, the task had none.
    (failed,) = [line for line in lines if "raised unexpected" in line["message"]]
    assert failed["request_id"] is None and "RuntimeError" in failed["message"]
    assert int(shared.hget(key, "tests.observability.fail")) == before + 1
