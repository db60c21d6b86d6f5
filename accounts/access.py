"""Who may read the API's schema and documentation: anyone while DEBUG is on, otherwise only a
signed-in user (session or Bearer token). The schema lists every route and field, which helps an
attacker more than a newcomer; in production the people who need it have an account."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from rest_framework.permissions import BasePermission


class SignedInUnlessDebug(BasePermission):
    """DRF permission: a signed-out request gets 401 (with `WWW-Authenticate: Bearer`)."""

    def has_permission(self, request, view) -> bool:
        return settings.DEBUG or bool(request.user and request.user.is_authenticated)


def login_required_unless_debug(view):
    """For the HTML docs: a signed-out browser is sent to the login, which brings it back."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if settings.DEBUG or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        return redirect_to_login(request.get_full_path())

    return wrapped
