"""Prometheus metrics at /metrics: request latency, the Celery queues, the mail outbox, task
failures.

- `tandem_http_request_duration_seconds` (histogram): every request, by route pattern (bounded:
  the URLconf's patterns plus `<static>` and `<unmatched>`), method and status class.
- `tandem_celery_queue_length` (gauge): messages waiting in each Celery queue, Redis `LLEN`
  read when Prometheus scrapes.
- `tandem_outbox_emails` (gauge): mail in the outbox by status (queued, requeued, failed), one
  grouped query when Prometheus scrapes.
- `tandem_celery_task_failures_total` (counter): failed tasks by task name. Each worker counts
  with `HINCRBY` into one Redis hash (`worker.count_task_failure`), so the failures of every
  worker on every machine add up; read when Prometheus scrapes.
- `tandem_metrics_source_up` (gauge): 1 when Redis and the database answered the scrape.

gunicorn runs several worker processes, each with its own memory: with
`PROMETHEUS_MULTIPROC_DIR` set, prometheus_client keeps the histogram in files there and a
scrape adds up every process's (`gunicorn.conf.py` tells it when a worker has gone). Unset
(`make run`, the test suite) the process's own registry answers.

The endpoint answers only a Bearer `METRICS_TOKEN` or a client inside
`METRICS_ALLOWED_NETWORKS`, and is a plain 404 to everyone else (and to everyone while
neither is set), so its existence is not advertised.
"""

import hmac
import ipaddress
import logging
import os

import redis
from django.conf import settings
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

logger = logging.getLogger(__name__)

REQUEST_DURATION = Histogram(
    "tandem_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status class.",
    ["route", "method", "status"],
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# kombu's Redis transport keeps a queue's messages of priority p > 0 in "<queue>\x06\x16<p>".
_PRIORITY_SEPARATOR, _PRIORITY_STEPS = "\x06\x16", (3, 6, 9)
REDIS_TIMEOUT = 2.0  # seconds; a scrape must not hang on a Redis that does not answer


def observe_request(*, route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else "other"
    REQUEST_DURATION.labels(route, method, f"{status // 100}xx").observe(seconds)


# --- Redis -----------------------------------------------------------------------------------

_clients: dict[str, redis.Redis] = {}


def redis_client(url: str) -> redis.Redis:
    """One client (and connection pool) per URL and process, with short timeouts."""
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT
        )
    return client


def task_failures_key() -> str:
    prefix = settings.CACHES["default"].get("KEY_PREFIX") or "tandem"
    return f"{prefix}:celery-task-failures"


def celery_queues() -> list[str]:
    """The queues tasks go to: the default queue, those the routes name, those declared."""
    from celery import current_app

    conf = current_app.conf
    names = {conf.task_default_queue}
    routes = conf.task_routes or {}
    if isinstance(routes, dict):
        names |= {route["queue"] for route in routes.values() if route.get("queue")}
    names |= {queue.name for queue in conf.task_queues or ()}
    return sorted(names)


# --- The scrape ------------------------------------------------------------------------------


class ScrapeCollector:
    """What is read when Prometheus scrapes: queues, outbox, task failures."""

    def collect(self):
        up = GaugeMetricFamily(
            "tandem_metrics_source_up", "1 when the source answered this scrape.", labels=["source"]
        )
        if settings.REDIS_URL:
            yield from self._from_redis(up)
        yield from self._from_database(up)
        yield up

    def _from_redis(self, up):
        queues = celery_queues()
        client = redis_client(settings.REDIS_URL)
        try:
            with client.pipeline(transaction=False) as pipe:
                for queue in queues:
                    pipe.llen(queue)
                    for step in _PRIORITY_STEPS:
                        pipe.llen(f"{queue}{_PRIORITY_SEPARATOR}{step}")
                pipe.hgetall(task_failures_key())
                *lengths, failures = pipe.execute()
        except redis.RedisError as error:
            logger.warning("Metrics: Redis did not answer: %r", error)
            up.add_metric(["redis"], 0)
            return
        up.add_metric(["redis"], 1)
        per_queue = len(_PRIORITY_STEPS) + 1
        length = GaugeMetricFamily(
            "tandem_celery_queue_length", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        for index, queue in enumerate(queues):
            length.add_metric([queue], sum(lengths[index * per_queue : (index + 1) * per_queue]))
        yield length
        failed = CounterMetricFamily(
            "tandem_celery_task_failures", "Celery tasks that failed, by task.", labels=["task"]
        )
        for task, count in sorted(failures.items()):
            failed.add_metric([task.decode()], int(count))
        yield failed

    def _from_database(self, up):
        from post_office.models import STATUS, Email

        statuses = {STATUS.queued: "queued", STATUS.requeued: "requeued", STATUS.failed: "failed"}
        try:
            rows = (
                Email.objects.filter(status__in=list(statuses))
                .values_list("status")
                .annotate(n=Count("pk"))
                .order_by()
            )
            counts = dict(rows)
        except Exception as error:
            logger.warning("Metrics: the database did not answer: %r", error)
            up.add_metric(["database"], 0)
            return
        up.add_metric(["database"], 1)
        outbox = GaugeMetricFamily(
            "tandem_outbox_emails",
            "Mail in the outbox that is not sent, by status.",
            labels=["status"],
        )
        for status, name in statuses.items():
            outbox.add_metric([name], counts.get(status, 0))
        yield outbox


class _ProcessCollectors:
    """The process's own registry (the histogram, process and Python figures), for a scrape
    without the multiprocess directory."""

    def collect(self):
        yield from REGISTRY.collect()


def render() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ProcessCollectors())
    registry.register(ScrapeCollector())
    return generate_latest(registry)


# --- Who may read them -----------------------------------------------------------------------


def _bearer_matches(request) -> bool:
    expected = settings.METRICS_TOKEN
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def client_address(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The client's address as the sign-in limits read it (accounts, allauth): the proxy's
    `X-Forwarded-For` entry only with TRUST_PROXY_HEADERS, else the peer. Without trusted
    proxy headers a request that passed a proxy (it carries `X-Forwarded-For`) has no address
    here: its peer is the proxy, whose network would let every client of the proxy in."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if settings.TRUST_PROXY_HEADERS and forwarded:
        entries = [entry.strip() for entry in forwarded.split(",")]
        count = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 1)
        text = entries[-count] if len(entries) >= count else ""
    elif forwarded:
        return None
    else:
        text = request.META.get("REMOTE_ADDR", "")
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _network_allows(request) -> bool:
    networks = settings.METRICS_ALLOWED_NETWORKS
    if not networks:
        return False
    address = client_address(request)
    return address is not None and any(
        address.version == net.version and address in net for net in networks
    )


def may_read_metrics(request) -> bool:
    return _bearer_matches(request) or _network_allows(request)


def metrics_view(request):
    if not may_read_metrics(request):
        raise Http404  # before the method is looked at: nothing tells that /metrics exists
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    return HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
