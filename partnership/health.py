"""`/healthz` says the process answers (liveness); `/readyz` says it can serve (readiness).

A liveness probe that checks the database restarts every web node when the database blinks,
which cures nothing; so `/healthz` checks nothing and costs nothing. `/readyz` asks what a
request needs — the database, Redis (the Celery broker when there is no Redis) and the file
storage — all at once, each given `CHECK_TIMEOUT` seconds, and answers 503 naming what is down,
so the balancer sends no traffic to a node that could not serve it.
"""

import logging
from concurrent.futures import ThreadPoolExecutor, wait

from celery import current_app
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

logger = logging.getLogger(__name__)

CHECK_TIMEOUT = 2.0  # seconds per dependency
# A name the storage is asked about: whether it exists does not matter, only that it answers.
STORAGE_PROBE = "readyz-probe"
# The checks run side by side, so /readyz takes as long as the slowest. A check that hangs
# keeps its thread; with all of them hung the next probes wait in the queue and time out (down).
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="readyz")


def _database() -> None:
    # In a thread of its own, so on a connection of its own, closed again: it proves a new
    # connection can be made now, and leaves nothing open between probes.
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()


def _redis() -> None:
    from .observability.metrics import redis_client

    redis_client(settings.REDIS_URL).ping()


def _broker() -> None:
    # The project's app (config.celery, loaded with the settings) is Celery's current app; the
    # ground floor does not import config.
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=CHECK_TIMEOUT)  # one try


def _storage() -> None:
    default_storage.exists(STORAGE_PROBE)


def dependency_checks() -> dict:
    checks = {"database": _database}
    if settings.REDIS_URL:
        checks["redis"] = _redis
    else:
        checks["broker"] = _broker
    checks["storage"] = _storage
    return checks


def healthz(request):
    """Liveness: the process answers. Nothing else is asked."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: 200 when every dependency answers, else 503 naming those that did not."""
    futures = {name: _pool.submit(check) for name, check in dependency_checks().items()}
    wait(futures.values(), timeout=CHECK_TIMEOUT)
    state = {}
    for name, future in futures.items():
        if not future.done():
            logger.warning("Readiness: %s did not answer within %s s", name, CHECK_TIMEOUT)
        elif future.exception() is not None:
            logger.warning("Readiness: %s is down: %r", name, future.exception())
        state[name] = "ok" if future.done() and future.exception() is None else "down"
    ready = all(value == "ok" for value in state.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **state}, status=200 if ready else 503
    )
