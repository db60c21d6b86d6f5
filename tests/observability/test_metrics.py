"""/metrics: hidden without its token or network; latency by route, queues, outbox, failures."""

import ipaddress
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
import redis
from django.conf import settings as django_settings
from django.urls import reverse
from post_office.models import STATUS, Email
from prometheus_client.parser import text_string_to_metric_families

from partnership.observability import metrics
from tests import factories as f

TOKEN = "metrics-token-for-the-tests-0123456789"  # noqa: S105
ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics, by (name, sorted labels)."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    assert not response.cookies  # no session, no CSRF cookie
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def _count(samples, route: str, status: str = "2xx") -> float:
    labels = (("method", "GET"), ("route", route), ("status", status))
    return samples.get(("tandem_http_request_duration_seconds_count", labels), 0)


# --- who may read them -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer wrong-token", f"Token {TOKEN}", f"Bearer {TOKEN}x", "Bearer "],
)
def test_metrics_are_a_404_without_the_token(client, token, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 404
    assert b"tandem_" not in response.content


def test_metrics_answer_the_token(client, token):
    assert ("tandem_metrics_source_up", (("source", "database"),)) in scrape(client)


def test_metrics_are_off_while_neither_token_nor_network_is_set(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    for authorization in ("Bearer ", "Bearer"):
        assert client.get("/metrics", headers={"Authorization": authorization}).status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_a_post_without_the_token_is_a_404_not_a_405(client, token):
    assert client.post("/metrics").status_code == 404
    response = client.post("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 405


@pytest.mark.parametrize(
    ("remote", "forwarded", "trust", "allowed"),
    [
        ("10.1.2.3", None, False, True),  # a scraper inside the network
        ("192.168.1.5", None, False, False),  # outside
        ("::ffff:10.1.2.3", None, False, True),  # the same address written as IPv6
        ("fd00::7", None, False, True),
        # Without trusted proxy headers the peer of a forwarded request is the proxy: refused
        # even when the proxy sits inside the network.
        ("10.0.0.1", "203.0.113.9", False, False),
        ("10.0.0.1", "10.1.2.3", False, False),
        # Behind a trusted proxy the client is its last X-Forwarded-For entry.
        ("10.0.0.1", "10.1.2.3", True, True),
        ("10.0.0.1", "10.1.2.3, 203.0.113.9", True, False),  # a forged first entry is ignored
        ("10.0.0.1", "203.0.113.9, 10.1.2.3", True, True),
        ("10.0.0.1", "not-an-address", True, False),
    ],
)
def test_metrics_answer_a_client_inside_the_allowed_networks(
    client, settings, remote, forwarded, trust, allowed
):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = [
        ipaddress.ip_network("10.1.0.0/16"),
        ipaddress.ip_network("fd00::/8"),
    ]
    settings.TRUST_PROXY_HEADERS = trust
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    response = client.get("/metrics", REMOTE_ADDR=remote, headers=headers)
    assert response.status_code == (200 if allowed else 404)


def test_probes_and_metrics_are_open_to_a_member_short_of_the_mfa_policy(client, token):
    strict = f.OrganizationFactory(name="Strict", slug="strict", require_mfa=True)
    client.force_login(f.member(strict, "member"))
    assert client.get("/").status_code == 302  # everything else sends them to the TOTP setup
    assert client.get("/readyz").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


# --- what they say ---------------------------------------------------------------------------


def test_the_latency_histogram_counts_the_route_just_requested(client, token, world):
    route = "partnerships/<uuid:partnership_id>/"
    before = scrape(client)
    client.force_login(world.manager)
    for _ in range(2):
        page = client.get(reverse("partnership:overview", args=[world.partnership.pk]))
        assert page.status_code == 200
    client.get("/no/such/page/")
    after = scrape(client)
    assert _count(after, route) == _count(before, route) + 2
    assert _count(after, "<unmatched>", "4xx") == _count(before, "<unmatched>", "4xx") + 1
    labels = {dict(key[1]).get("route") for key in after}
    assert str(world.partnership.pk) not in "".join(filter(None, labels))  # patterns, not paths


@pytest.fixture
def queues():
    client = redis.Redis.from_url(django_settings.REDIS_URL)
    names = [f"{q}{p}" for q in ("celery", "mail", "reports") for p in ("", "\x06\x163")]
    client.delete(*names)
    yield client
    client.delete(*names)


def test_queue_lengths_are_what_waits_in_redis(client, token, queues):
    queues.lpush("mail", *[b"message"] * 3)
    queues.lpush("reports", b"message")
    queues.lpush("reports\x06\x163", b"a priority message")  # kombu's list for priority 3
    samples = scrape(client)
    length = {
        dict(labels)["queue"]: value
        for (name, labels), value in samples.items()
        if name == "tandem_celery_queue_length"
    }
    assert length == {"celery": 0, "mail": 3, "reports": 2}


MAIL = {"from_email": "noreply@tandem.test", "to": ["a@b.test"], "subject": "s"}


def test_the_outbox_backlog_counts_waiting_and_failed_mail(client, token):
    def backlog():
        samples = scrape(client)
        return {
            status: samples[("tandem_outbox_emails", (("status", status),))]
            for status in ("queued", "requeued", "failed")
        }

    before = backlog()
    for status, count in [(STATUS.queued, 2), (STATUS.requeued, 1), (STATUS.failed, 3)]:
        for _ in range(count):
            Email.objects.create(**MAIL, status=status)
    Email.objects.create(**MAIL, status=STATUS.sent)  # not a backlog
    after = backlog()
    assert {k: after[k] - before[k] for k in after} == {"queued": 2, "requeued": 1, "failed": 3}


def test_task_failures_are_read_from_the_shared_redis_hash(client, token):
    key = metrics.task_failures_key()
    shared = redis.Redis.from_url(django_settings.REDIS_URL)
    shared.delete(key)
    try:
        shared.hincrby(key, "kpis.tasks.remind_missing_measurements", 2)  # two workers' counts
        shared.hincrby(key, "reviews.tasks.tick", 1)
        samples = scrape(client)
    finally:
        shared.delete(key)
    total = "tandem_celery_task_failures_total"
    assert samples[(total, (("task", "kpis.tasks.remind_missing_measurements"),))] == 2
    assert samples[(total, (("task", "reviews.tasks.tick"),))] == 1


def test_a_redis_that_does_not_answer_leaves_the_rest_of_the_scrape(client, token, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/6"
    samples = scrape(client)
    assert samples[("tandem_metrics_source_up", (("source", "redis"),))] == 0
    assert samples[("tandem_metrics_source_up", (("source", "database"),))] == 1
    assert not any(name == "tandem_celery_queue_length" for name, _labels in samples)


# --- several gunicorn workers ----------------------------------------------------------------


def test_the_multiprocess_directory_adds_up_every_process(client, token, tmp_path, monkeypatch):
    """Two processes each answer a request with PROMETHEUS_MULTIPROC_DIR set; a scrape in this
    process, reading the directory, counts both."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    program = (
        "import django; django.setup(); from django.test import Client; "
        "assert Client().get('/healthz', HTTP_HOST='localhost').status_code == 200"
    )
    for _ in range(2):
        subprocess.run([sys.executable, "-c", program], env=env, cwd=ROOT, check=True, timeout=120)
    assert len(list(tmp_path.glob("histogram_*.db"))) == 2  # one file per process
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    assert _count(scrape(client), "healthz") == 2


def test_gunicorn_empties_the_directory_on_start_and_marks_exited_workers(tmp_path, monkeypatch):
    conf: dict = {}
    exec((ROOT / "gunicorn.conf.py").read_text(), conf)  # noqa: S102 - the repository's own file
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    (tmp_path / "histogram_4242.db").write_bytes(b"stale")
    (tmp_path / "gauge_livesum_4243.db").write_bytes(b"a worker's live gauge")
    conf["child_exit"](None, SimpleNamespace(pid=4243))
    assert not (tmp_path / "gauge_livesum_4243.db").exists()
    conf["on_starting"](None)
    assert list(tmp_path.iterdir()) == []
