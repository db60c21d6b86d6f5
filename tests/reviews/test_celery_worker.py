"""A real Celery worker against the test Redis runs `reviews.tasks.tick` end to end."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from reviews import calendar, services, tasks
from reviews.models import ReviewRound, RoundState
from sti.models import Survey, SurveyState
from tests.sti import factories as sti_f

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")
TIMEOUT = 120  # seconds; a loaded machine needs a while to start Django in the worker


def database_url() -> str:
    """The URL of the database this test runs in (`test_<name>_<pid>`, see tests/conftest.py)."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(queue: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
        "TANDEM_TEST_QUEUE": queue,
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(CELERY),
        "-A",
        "tests.reviews.worker_app",
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "-Q",
        queue,
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=INFO",
    ]
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def forget_queue(queue: str) -> None:
    """Remove the test queue and kombu's bindings of it from the shared test Redis."""
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL)
    keys = [queue, *client.keys(f"_kombu.binding*{queue}")]
    client.delete(*keys)


def wait_for(condition, timeout: float = TIMEOUT) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_tick_end_to_end(world, settings, tmp_path):
    assert settings.REDIS_URL.startswith("redis://"), "the suite runs against a real Redis"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    sti_f.adopted_set(world.partnership)
    now = timezone.now()
    # The worker runs on the real clock: plan last quarter's round and move its window to now.
    last_quarter = calendar.ReviewPeriod.containing(calendar.local_date(now)).previous()
    due = services.round_plan(partnership=world.partnership, period=last_quarter)
    window = {
        "opens_at": now - datetime.timedelta(hours=1),
        "closes_at": now + datetime.timedelta(days=10),
    }
    ReviewRound.objects.filter(pk=due.pk).update(**window)
    Survey.objects.filter(pk=due.survey_id).update(**window)
    queue = f"tandem-test-{uuid.uuid4().hex}"
    log = tmp_path / "worker.log"
    worker = start_worker(queue, log)
    try:
        tasks.tick.apply_async(queue=queue)

        def opened():
            due.refresh_from_db()
            return due.state == RoundState.OPEN

        assert wait_for(opened), log.read_text(errors="replace")[-4000:]
        # The notification e-mails were queued by the worker and sent by it (console backend).
        assert wait_for(lambda: log.read_text(errors="replace").count("To: ") >= 3), log.read_text(
            errors="replace"
        )[-4000:]
    finally:
        stop_worker(worker)
        forget_queue(queue)

    due.refresh_from_db()
    assert due.opened_at is not None and due.events.get().actor is None
    assert due.survey.state == SurveyState.OPEN
    current = calendar.ReviewPeriod.containing(calendar.local_date(now))
    assert ReviewRound.objects.filter(
        partnership=world.partnership, period_start=current.start
    ).exists()  # the worker's tick also planned this quarter's round
    output = log.read_text(errors="replace")
    assert "reviews.tasks.tick" in output and "succeeded" in output
    recipients = {"manager@hospital.test", "member@hospital.test", "lead@cleaner.test"}
    assert all(f"To: {email}" in output for email in recipients), output[-4000:]
    assert worker.returncode is not None
