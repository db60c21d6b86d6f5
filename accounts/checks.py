"""Deployment checks of the account rules (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def signup_does_not_reveal_addresses(app_configs, **kwargs):
    """allauth keeps sign-up from telling whether an address has an account only while e-mail
    verification is mandatory; otherwise the form says "already registered"."""
    if settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory":
        return []
    return [
        Warning(
            "ACCOUNT_EMAIL_VERIFICATION is not 'mandatory', so sign-up reveals which e-mail "
            "addresses have an account.",
            hint="Leave ACCOUNT_EMAIL_VERIFICATION unset (mandatory when DEBUG is off).",
            id="accounts.W001",
        )
    ]


@register(Tags.security, deploy=True)
def session_lifetime_within_asvs(app_configs, **kwargs):
    """ASVS 3.3 level 2: at most 30 minutes idle and 12 hours in all."""
    if (
        0 < settings.SESSION_IDLE_TIMEOUT <= 30 * 60
        and 0 < settings.SESSION_ABSOLUTE_LIFETIME <= 12 * 3600
        and settings.SESSION_IDLE_TIMEOUT <= settings.SESSION_ABSOLUTE_LIFETIME
    ):
        return []
    return [
        Warning(
            "SESSION_IDLE_TIMEOUT or SESSION_ABSOLUTE_LIFETIME is outside what ASVS level 2 "
            "allows (at most 30 minutes idle and 12 hours in all).",
            id="accounts.W002",
        )
    ]
