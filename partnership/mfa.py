"""Where an organisation's "require two-factor authentication" policy meets allauth and the API."""

from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from accounts import token_memory
from accounts.authentication import BearerTokenAuthentication

from .api_throttle import count_and_read
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

    The policy is a column of the token's own query (`needs_mfa`), not a second query. The
    versions that say whether a remembered token is still good are read in the throttle's
    round trip, which counts the request then."""

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

    def read_versions(self, request, user_id) -> tuple:
        values = count_and_read(request, user_id, token_memory.version_keys(user_id))
        if values is None:
            return super().read_versions(request, user_id)
        return token_memory.versions(values)


def connect_token_signals() -> None:
    """What the MFA column reads decides authentication too: a membership, an authenticator
    (per user), an organisation's policy (for everyone; rare)."""
    from allauth.mfa.models import Authenticator
    from django.db.models.signals import post_delete, post_save

    from .models import Organization

    def on_users_row(sender, instance, **kwargs):
        token_memory.changed(instance.user_id)

    def on_organization(sender, instance, **kwargs):
        token_memory.changed()

    for signal in (post_save, post_delete):
        for model in (Membership, Authenticator):
            signal.connect(
                on_users_row, sender=model, weak=False, dispatch_uid=f"mfa.{model}.{signal}"
            )
        signal.connect(
            on_organization, sender=Organization, weak=False, dispatch_uid=f"mfa.org.{signal}"
        )
