"""Celery's queues: mail, reports and the rest, routed by the settings; the embedded run consumes
all three; only a worker of the reports queue warms the report renderer at start."""

import base64
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from config.celery import app
from reviews import clock
from reviews.models import ReportFile, RoundState
from tests.deploy.queues import queues_of, routed_queues
from tests.reviews.factories import review_round

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "reviews.tasks.render_report": "reports",
    "partnership.tasks.send_queued_mail": "mail",
    "partnership.tasks.clean_sent_mail": "mail",
    "reviews.tasks.tick": "celery",
    "messaging.tasks.send_digests": "celery",
    "kpis.tasks.remind_missing_measurements": "celery",
    "partnership.tasks.purge_expired_invitations": "celery",
}


def _queue(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.fixture(scope="module")
def project_tasks() -> list[str]:
    app.loader.import_default_modules()  # the apps' tasks.py, as a worker imports them
    return [name for name in app.tasks if not name.startswith("celery.")]


def test_the_settings_route_to_three_queues():
    assert routed_queues() == {"celery", "mail", "reports"}


@pytest.mark.parametrize(("task_name", "queue"), EXPECTED.items())
def test_each_task_goes_to_its_queue(project_tasks, task_name, queue):
    assert task_name in project_tasks  # a real task of the project, not a name in a table
    assert _queue(task_name) == queue


def test_every_task_of_the_project_and_of_the_beat_lands_on_a_consumed_queue(project_tasks):
    scheduled = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert set(scheduled) <= set(project_tasks)
    assert {_queue(name) for name in project_tasks} <= routed_queues()


def test_the_embedded_run_starts_one_worker_for_every_queue():
    spec = importlib.util.spec_from_file_location("run_local", ROOT / "scripts" / "run_local.py")
    run_local = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run_local)
    commands = run_local.process_commands()
    assert set(commands) == {"web", "worker", "beat"}
    worker = commands["worker"]
    assert worker[worker.index("-Q") + 1] == "celery,mail,reports"
    assert queues_of(worker) == routed_queues()
    assert "-Q" not in commands["beat"]


# Builds real workers as `celery worker -Q … --pool=solo` builds them (not started): each fires
# worker_init and, with the solo pool, worker_process_init in the process. In a process of its
# own: Celery's Django fixup closes database connections and hooks task signals when a worker
# is made, which this test process must not see.
WORKERS = """
import json
import django
django.setup()
from config.celery import app
from reviews import clock
from reviews.models import ReportFile, RoundState
from reviews import report_render
calls = []
for name in ("prepare", "warm_up"):
    real = getattr(report_render, name)
    setattr(report_render, name, lambda real=real, name=name: calls.append(name) or real())
warmed = {}
for queues in ("mail", "celery", "celery,mail", "reports", "celery,mail,reports"):
    calls.clear()
    app.WorkController(queues=queues.split(","), pool_cls="solo", hostname="probe@test")
    warmed[queues] = list(calls)
print(json.dumps(warmed))
"""


def test_only_a_worker_of_the_reports_queue_warms_the_renderer():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", WORKERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    warmed = json.loads(done.stdout.strip().splitlines()[-1])
    both = ["prepare", "warm_up"]
    assert warmed == {
        "mail": [],
        "celery": [],
        "celery,mail": [],
        "reports": both,
        "celery,mail,reports": both,
    }


@pytest.mark.django_db
def test_the_clock_queues_a_report_it_finds_unrendered_on_the_reports_queue(world, settings):
    """The tick's catch-up (a round published while the broker was down) renders nothing on
    the default queue: it puts `render_report` on the reports queue of the real broker."""
    published = review_round(world.partnership, RoundState.PUBLISHED, facilitator=world.facilitator)
    assert not ReportFile.objects.filter(round=published).exists()  # its render never ran
    settings.CELERY_TASK_ALWAYS_EAGER = False
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    before = set(broker.lrange("reports", 0, -1))
    done = clock.finish_reports()
    queued = [m for m in broker.lrange("reports", 0, -1) if m not in before]
    try:
        assert done == {"reports": 0, "reports_queued": 1}
        [message] = queued
        message = json.loads(message)
        assert message["headers"]["task"] == "reviews.tasks.render_report"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        assert args == [published.pk]
        assert not ReportFile.objects.filter(round=published).exists()  # nothing rendered here
    finally:
        for message in queued:
            broker.lrem("reports", 0, message)
