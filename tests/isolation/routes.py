"""Walk the whole URLconf (HTML pages and the DRF routers) and describe every route.

Nothing here lists routes by hand: whatever `config.urls` includes, now or after a later issue,
is found here, so a new route is tested for tenant isolation the moment it exists.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Routes that are legitimately outside the tenant-isolation check. Matched against the route's full
# name (namespaces included) by prefix; everything else in the URLconf is in scope.
EXEMPT_NAME_PREFIXES = {
    # Django admin: staff-only by design (non-staff are sent to the admin login), and its
    # object_id / content_type_id / app_label kwargs are database ids of any model, not tenant URLs.
    "admin:": "Django admin, guarded by is_staff, not part of the tenant model",
    # allauth's account pages act only on request.user; `key` / `uidb36` are one-time secrets from
    # an e-mail, not ids of tenant objects.
    "account_": "allauth account pages (login, e-mail confirmation, password reset keys)",
    # allauth's MFA pages act only on request.user's own authenticators.
    "mfa_": "allauth two-factor pages of the signed-in user",
    # drf-spectacular's schema and Swagger UI describe the API; they contain no tenant data.
    "api-schema": "OpenAPI schema (drf-spectacular), no tenant data",
    "api-docs": "Swagger UI (drf-spectacular), no tenant data",
}

# Views that serve files from disk by path (static/media helpers); exempt wherever they are mounted.
EXEMPT_CALLBACKS = {
    "django.views.static.serve": "media/static file serving, not tenant data",
    "django.contrib.staticfiles.views.serve": "static files (DEBUG only), not tenant data",
}

API_PREFIX = "api/v1/"


@dataclass(frozen=True)
class Route:
    name: str | None  # full name with namespaces, e.g. "partnership:contract_detail"
    namespace: str | None  # e.g. "partnership", "admin"; kept for unnamed patterns
    pattern: str  # the full pattern text, for messages
    kwargs: tuple[str, ...]  # URL kwargs in the order they appear in the URL
    positional: bool  # the pattern captures unnamed groups (cannot be reversed with kwargs)
    callback_path: str
    basename: str | None  # DRF router basename, when the route comes from a router

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith(API_PREFIX)

    @property
    def exempt_reason(self) -> str | None:
        if self.callback_path in EXEMPT_CALLBACKS:
            return EXEMPT_CALLBACKS[self.callback_path]
        # An unnamed pattern is matched by its namespace ("admin:" covers admin's unnamed ones).
        name = self.name or (f"{self.namespace}:" if self.namespace else "")
        for prefix, reason in EXEMPT_NAME_PREFIXES.items():
            if name and name.startswith(prefix):
                return reason
        return None

    @property
    def label(self) -> str:
        """A readable test id: the name, plus a marker for DRF's `.json` format-suffix variant."""
        name = self.name or f"<unnamed {self.pattern}>"
        return f"{name}[.format]" if "format" in self.kwargs else name


def _pattern_kwargs(pattern) -> tuple[tuple[str, ...], bool]:
    """Named kwargs a single pattern level captures, and whether it has unnamed groups."""
    converters = getattr(pattern, "converters", None)
    if converters:  # RoutePattern: path("<int:x>/")
        return tuple(converters), False
    regex = pattern.regex
    named = tuple(sorted(regex.groupindex, key=regex.groupindex.get))
    return named, regex.groups > len(named)


def _callback_path(callback) -> str:
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    target = view_class or callback
    return f"{target.__module__}.{target.__qualname__}"


def iter_routes(patterns=None, prefix: str = "", namespace: str | None = None, inherited=()):
    """Yield a Route for every URLPattern reachable from the root URLconf, recursively."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        kwargs, positional = _pattern_kwargs(entry.pattern)
        text = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner_ns = namespace
            if entry.namespace:
                inner_ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _iter_resolver(entry, text, inner_ns, inherited + kwargs, positional)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name and namespace:
                name = f"{namespace}:{name}"
            initkwargs = getattr(entry.callback, "initkwargs", {}) or {}
            yield Route(
                name=name,
                namespace=namespace,
                pattern=text,
                kwargs=inherited + kwargs,
                positional=positional,
                callback_path=_callback_path(entry.callback),
                basename=initkwargs.get("basename"),
            )
        else:  # pragma: no cover - Django has only these two kinds
            raise AssertionError(f"Unknown URLconf entry {entry!r}")


def _iter_resolver(resolver, text, namespace, inherited, positional) -> Iterator[Route]:
    if positional:
        raise AssertionError(f"include() at {text!r} captures unnamed groups; name them.")
    yield from iter_routes(resolver.url_patterns, text, namespace, inherited)


def discover() -> list[Route]:
    return list(iter_routes())


def in_scope(routes: list[Route]) -> list[Route]:
    return [r for r in routes if r.exempt_reason is None]
