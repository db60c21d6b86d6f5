from django.shortcuts import redirect
from django.urls import reverse

# Paths a member without MFA may still reach while being led to set it up.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/api/")


def user_needs_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    from .models import Membership

    if not Membership.objects.filter(user=user, organization__require_mfa=True).exists():
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    """Members of an organisation that requires MFA are sent to set it up before anything else.

    API calls are exempt here: a token is a separate credential, created only after the web
    session passed this gate.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and user_needs_mfa(user)
        ):
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)
