"""Where an organisation's "require two-factor authentication" policy meets allauth and the API."""

from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from accounts.authentication import BearerTokenAuthentication

from .middleware import needs_mfa_expression
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
    """A token stops working while its owner does not meet their organisation's MFA policy.

    The policy is a column of the token's own query (`needs_mfa`), not a second query."""

    @classmethod
    def extra_columns(cls) -> dict:
        return {"needs_mfa": needs_mfa_expression("user_id")}

    def check_extras(self, user, extras: dict) -> None:
        if extras["needs_mfa"]:
            raise exceptions.AuthenticationFailed(
                _(
                    "Your organisation requires two-factor authentication. "
                    "Set it up in Tandem first."
                )
            )
