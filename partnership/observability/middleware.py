"""One log line per request, with the request id that every other line of the request carries.

`RequestLogMiddleware` is the first middleware, so it times and logs every answer: pages, API
calls with a Bearer token (which the session's middleware steps aside for), redirects to HTTPS,
static files and 404s. It writes what a request was about, never what it said: the route's
pattern (`partnerships/<uuid:partnership_id>/`, not the path with its ids), never the query
string, a header or a body.
"""

import functools
import logging
import re
import time

from django.core.signals import request_finished
from django.dispatch import receiver
from django.utils.functional import empty

from . import logs, metrics

logger = logging.getLogger("tandem.request")

REQUEST_ID_HEADER = "X-Request-ID"
# What the probes ask all day long: logged at DEBUG while they answer 2xx, so the request log
# is not mostly probes. A failing probe is logged like any request.
QUIET_ROUTES = frozenset({"healthz", "readyz", "metrics"})
UNMATCHED, STATIC = "<unmatched>", "<static>"


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        from django.conf import settings

        self.static_prefix = settings.STATIC_URL or "/static/"

    def __call__(self, request):
        request_id = logs.clean_request_id(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        # Kept until the response is closed (`request_finished`), not just until this returns:
        # Django logs a 4xx or 5xx answer ("Not Found: …") after the last middleware.
        logs.set_request_id(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        self._record(request, response.status_code, time.perf_counter() - started)
        return response

    def _record(self, request, status: int, seconds: float) -> None:
        route = self._route(request)
        metrics.observe_request(route=route, method=request.method, status=status, seconds=seconds)
        level = logging.INFO
        if status < 300 and route in QUIET_ROUTES:
            level = logging.DEBUG
        if not logger.isEnabledFor(level):
            return
        match = getattr(request, "resolver_match", None)
        partnership_id = match.kwargs.get("partnership_id") if match else None
        duration_ms = round(seconds * 1000, 1)
        logger.log(
            level,
            "%s %s %s %sms",
            request.method,
            route,
            status,
            duration_ms,
            extra={
                "method": request.method,
                "route": route,
                "status": status,
                "duration_ms": duration_ms,
                "user_id": _user_id(request),
                "partnership_id": str(partnership_id) if partnership_id else None,
            },
        )

    def _route(self, request) -> str:
        match = getattr(request, "resolver_match", None)
        if match is not None:
            return readable_route(match.route)
        if request.path.startswith(self.static_prefix):
            return STATIC
        return UNMATCHED


_NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


@functools.lru_cache(maxsize=2048)
def readable_route(route: str) -> str:
    """The pattern as a person reads it: DRF's router writes regular expressions
    (`partnerships/(?P<partnership_id>[^/.]+)/$`), which become `partnerships/<partnership_id>/`
    like the path() routes around them."""
    return _NAMED_GROUP.sub(r"<\1>", route).removesuffix("$").replace("\\.", ".")


def _user_id(request):
    """The signed-in user's id, if the request worked out who that is; the log never makes it
    find out (that would read the session, and a page that did not need the user costs no
    query). Pages always do (the language middleware); a Bearer API call does in DRF, which
    sets the user on the request."""
    user = request.__dict__.get("user")
    if user is None or getattr(user, "_wrapped", None) is empty:
        return None
    return user.pk if user.is_authenticated else None


@receiver(request_finished, dispatch_uid="partnership.observability.forget_request_id")
def _forget_request_id(**_kwargs) -> None:
    """The response is closed: what this thread logs next belongs to no request."""
    logs.set_request_id(None)
