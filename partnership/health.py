from celery import current_app
from django.db import connection
from django.http import JsonResponse


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:
        return False


def _broker_ok() -> bool:
    # The project's app (config.celery, loaded with the settings) is Celery's current app; the
    # ground floor does not import config.
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def healthz(request):
    """Liveness for load balancers and compose: the database and the Celery broker."""
    state = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(state.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({k: "ok" if v else "down" for k, v in state.items()})
    return JsonResponse(body, status=200 if healthy else 503)
