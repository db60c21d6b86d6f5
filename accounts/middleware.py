import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from rest_framework import authentication

API_PREFIX = "/api/v1/"  # DRF views with the default authentication classes only


def is_token_api_call(request) -> bool:
    """A call of the REST API that names a Bearer token, read exactly as DRF reads it: every view
    under /api/v1/ then authenticates by the token alone (a wrong token is a 401, never a fall
    back to the session) and applies the user's language and the MFA policy itself. The
    session's middleware leaves such a call alone, so it never reads the session table, even
    when the client also sends a session cookie."""
    if not request.path.startswith(API_PREFIX):
        return False
    words = authentication.get_authorization_header(request).split()
    return bool(words) and words[0].lower() == b"bearer"


class UserLanguageMiddleware:
    """Puts a signed-in user's chosen language in front of the browser's.

    Runs before LocaleMiddleware, which reads the language cookie we set here for the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_token_api_call(request):
            return self.get_response(request)
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = language
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Adds `Permissions-Policy` (settings.PERMISSIONS_POLICY: feature -> allowed origins, an
    empty list switching the feature off) to every response, built once."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


# The session keys of SessionLifetimeMiddleware: when the user signed in, when last seen (epoch s).
SESSION_STARTED_KEY = "_tandem_signed_in_at"
SESSION_SEEN_KEY = "_tandem_seen_at"
# The last activity is stored this coarsely: a session write costs a query, one a minute is enough.
ACTIVITY_RESOLUTION_SECONDS = 60


def stamp_session_start(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: the absolute lifetime counts from this sign-in."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_SEEN_KEY] = now


class SessionLifetimeMiddleware:
    """Ends a signed-in session after SESSION_IDLE_TIMEOUT seconds without a request, and
    SESSION_ABSOLUTE_LIFETIME seconds after sign-in however busy (ASVS 3.3).

    The person is signed out and told why: a page goes to the login (which brings them back),
    an htmx request gets HX-Redirect to it, and an API call made with the session gets a JSON
    401. A Bearer API call never looks at the session (`is_token_api_call`); one with another
    Authorization scheme is simply no longer signed in by the session, and DRF goes on with it.
    The last activity is written at most once a minute, so a busy session costs one session
    write a minute, not one a request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_token_api_call(request):
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        session, now = request.session, int(time.time())
        started = session.get(SESSION_STARTED_KEY)
        seen = session.get(SESSION_SEEN_KEY)
        if not isinstance(started, int) or not isinstance(seen, int):
            # A session from before this rule (or a broken stamp): it counts from now.
            session[SESSION_STARTED_KEY] = session[SESSION_SEEN_KEY] = now
        elif now - started >= settings.SESSION_ABSOLUTE_LIFETIME:
            return self._expire(request, absolute=True)
        elif now - seen >= settings.SESSION_IDLE_TIMEOUT:
            return self._expire(request, absolute=False)
        elif now - seen >= ACTIVITY_RESOLUTION_SECONDS:
            session[SESSION_SEEN_KEY] = now
        return self.get_response(request)

    def _expire(self, request, *, absolute: bool):
        logout(request)
        if request.path.startswith("/api/") and "HTTP_AUTHORIZATION" in request.META:
            return self.get_response(request)  # another scheme decides, as for any such call
        message = _expired_message(absolute=absolute)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=401)
        messages.warning(request, message)
        login = redirect_to_login(_next_url(request))
        if request.headers.get("HX-Request") == "true":
            return HttpResponse(headers={"HX-Redirect": login["Location"]})
        return login


def _expired_message(*, absolute: bool) -> str:
    if absolute:
        hours = max(1, round(settings.SESSION_ABSOLUTE_LIFETIME / 3600))
        return ngettext(
            "Your session has expired: a sign-in lasts at most %(hours)d hour. "
            "Log in again to continue.",
            "Your session has expired: a sign-in lasts at most %(hours)d hours. "
            "Log in again to continue.",
            hours,
        ) % {"hours": hours}
    minutes = max(1, round(settings.SESSION_IDLE_TIMEOUT / 60))
    return ngettext(
        "Your session has expired after %(minutes)d minute without activity. "
        "Log in again to continue.",
        "Your session has expired after %(minutes)d minutes without activity. "
        "Log in again to continue.",
        minutes,
    ) % {"minutes": minutes}


def _next_url(request) -> str:
    """Where the login sends the person back to: this page for a GET, else the page the request
    came from (htmx names it in HX-Current-URL, a form post in Referer) when it is ours."""
    if request.method == "GET" and not request.headers.get("HX-Request"):
        return request.get_full_path()
    came_from = request.headers.get("HX-Current-URL") or request.headers.get("Referer", "")
    allowed = url_has_allowed_host_and_scheme(
        came_from, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    parts = urlsplit(came_from)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    return target if allowed and target.startswith("/") else "/"
