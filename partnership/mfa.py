"""Where an organisation's "require two-factor authentication" policy meets allauth and the API."""

from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from accounts.authentication import BearerTokenAuthentication

from .middleware import user_needs_mfa
from .models import Membership


class MFAAdapter(DefaultMFAAdapter):
    """Members of an organisation that requires two-factor authentication cannot switch it off."""

    def can_delete_authenticator(self, authenticator) -> bool:
        from allauth.mfa.models import Authenticator

        if authenticator.type == Authenticator.Type.TOTP:
            required = Membership.objects.filter(
                user_id=authenticator.user_id, organization__require_mfa=True
            ).exists()
            if required:
                return False
        return super().can_delete_authenticator(authenticator)


class PolicyBearerTokenAuthentication(BearerTokenAuthentication):
    """A token stops working while its owner does not meet their organisation's MFA policy."""

    def authenticate_key(self, key: str):
        user, token = super().authenticate_key(key)
        if user_needs_mfa(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "Your organisation requires two-factor authentication. "
                    "Set it up in Tandem first."
                )
            )
        return user, token
