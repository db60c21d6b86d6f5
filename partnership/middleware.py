"""Organisations may require two-factor authentication of their members.

A signed-in member of such an organisation who has no authenticator app is sent to allauth's TOTP
setup before they reach anything else. What stays reachable is what they need to get there (or to
leave): the account pages (login, logout, e-mail, MFA setup), static files, the probes (health,
readiness), the metrics and the language switches.
"""

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.middleware import is_token_api_call

from .htmx import is_htmx

MFA_EXEMPT_PREFIXES = (
    "/accounts/",
    "/static/",
    "/healthz",
    "/readyz",
    "/metrics",
    "/i18n/",
    "/settings/language/",
)


def _memberships_short_of_mfa():
    """Memberships of MFA-requiring organisations whose member has no TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    from .models import Membership

    has_totp = Authenticator.objects.filter(
        user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP
    )
    return Membership.objects.filter(organization__require_mfa=True).filter(~Exists(has_totp))


def user_needs_mfa(user) -> bool:
    """One query: is `user` in an MFA-requiring organisation without a TOTP authenticator?"""
    return _memberships_short_of_mfa().filter(user=user).exists()


def needs_mfa_expression(user_field: str) -> Exists:
    """`user_needs_mfa` as a column of another query, for the user its `user_field` names (the
    Bearer token's query reads it with the token: partnership/mfa.py)."""
    return Exists(_memberships_short_of_mfa().filter(user_id=OuterRef(user_field)))


def _organizations_requiring_mfa(user) -> list[str]:
    """Names of the organisations whose requirement `user` does not meet yet (one query)."""
    from allauth.mfa.models import Authenticator

    from .models import Organization

    has_totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP)
    return list(
        Organization.objects.filter(memberships__user=user, require_mfa=True)
        .filter(~Exists(has_totp))
        .order_by("name")
        .values_list("name", flat=True)
    )


class RequireMFAMiddleware:
    """Send members of an MFA-requiring organisation to TOTP setup until they have it.

    The setup page (or allauth's password confirmation in front of it) tells them why. API calls
    made with the browser session get a 403 instead of a redirect; a Bearer token is
    authenticated later, by DRF, which applies the policy itself (partnership/mfa.py).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_token_api_call(request):  # the token's authentication applies the policy
            return self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        if request.path.startswith(MFA_EXEMPT_PREFIXES):
            if request.method == "GET" and self._is_setup_step(request):
                self._explain(request, user)
            return self.get_response(request)
        if user_needs_mfa(user):
            return self._refuse(request)
        return self.get_response(request)

    @staticmethod
    def _is_setup_step(request) -> bool:
        # When allauth first asks for the password again, the message rides along to that page.
        return request.path == reverse("mfa_activate_totp")

    @staticmethod
    def _explain(request, user) -> None:
        names = _organizations_requiring_mfa(user)
        if names:
            messages.warning(
                request,
                _(
                    "Two-factor authentication is required by %(orgs)s. Set up an "
                    "authenticator app to continue."
                )
                % {"orgs": ", ".join(names)},
            )

    @staticmethod
    def _refuse(request):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Set up two-factor authentication in the web app first.")},
                status=403,
            )
        setup_url = reverse("mfa_activate_totp")
        if is_htmx(request):
            return HttpResponse(headers={"HX-Redirect": setup_url})
        return redirect(setup_url)
