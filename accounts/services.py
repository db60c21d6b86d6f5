from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User

# The first characters of a key, kept in clear so a person can tell their tokens apart.
KEY_HINT_LENGTH = 8
# A token expires after this many days unless its creator chooses another expiry, or none.
DEFAULT_TOKEN_DAYS = 90


@transaction.atomic
def user_update_profile(*, user: User, full_name: str, phone: str, language: str) -> User:
    user.full_name = full_name.strip()
    user.phone = phone.strip()
    user.language = language
    user.save(update_fields=["full_name", "phone", "language"])
    return user


def _duplicate_name_error() -> ValidationError:
    return ValidationError(
        {"name": _("You already have a token with this name. Revoke it or choose another name.")}
    )


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_at: datetime | None = None, never_expires: bool = False
) -> tuple[ApiToken, str]:
    """Create a personal API token. Returns the token and its plain key, which is not stored:
    show it once.

    It expires at `expires_at`, or DEFAULT_TOKEN_DAYS from now when that is not given; a token
    that never expires is an explicit choice (`never_expires=True`)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Enter a name.")})
    if never_expires and expires_at is not None:
        raise ValidationError({"expires_at": _("Choose an expiry or no expiry, not both.")})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry must be in the future.")})
    if expires_at is None and not never_expires:
        expires_at = timezone.now() + timedelta(days=DEFAULT_TOKEN_DAYS)
    # Mirrors the database constraint: a name stays taken until its token is revoked.
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise _duplicate_name_error()
    key = ApiToken.generate_key()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                key_hash=ApiToken.hash_key(key),
                key_hint=key[:KEY_HINT_LENGTH],
                expires_at=expires_at,
            )
    except IntegrityError as exc:  # a concurrent request took the name
        raise _duplicate_name_error() from exc
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revoke one of the user's own tokens; revoking twice changes nothing."""
    if token.user_id != user.pk:
        raise PermissionDenied
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked
