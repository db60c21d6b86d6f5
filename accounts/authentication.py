"""`Authorization: Bearer <token>` for personal API tokens.

A token is checked by one indexed query: the token by the SHA-256 of its key (a unique index),
its user joined, and whatever a subclass adds as columns of the same row (the MFA policy,
partnership/mfa.py). The query is compiled once per process (accounts/prepared.py) and then
only executed with the key's hash: building and compiling it cost several times what
PostgreSQL needs to answer it. The row is remembered in the process for the next requests
with the same token, for as long as nothing that decides authentication changed
(accounts/token_memory.py): those cost one read of the shared cache, which a subclass can
share with another (the throttle's count, partnership/mfa.py). `last_used_at` is written at
most once a minute per token, by an UPDATE that only matches while the stamp is stale, so two
workers racing write it once.
"""

import time
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import authentication, exceptions

from . import token_memory
from .models import ApiToken
from .prepared import PreparedQuery

# Writing last_used_at on every request would turn every read into a write; once a minute is enough.
LAST_USED_RESOLUTION_SECONDS = 60


def _stamp_last_used(token: ApiToken, now) -> None:
    """Records the use when the stamp is older than the resolution: a guarded UPDATE, so a
    busy token costs one write a minute (and none when another worker just wrote it)."""
    stale = token.last_used_at is None or (now - token.last_used_at).total_seconds() > (
        LAST_USED_RESOLUTION_SECONDS
    )
    if not stale:
        return
    cutoff = now - timedelta(seconds=LAST_USED_RESOLUTION_SECONDS)
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=cutoff), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"
    # Columns read with the token in the same query; a subclass adds its own by overriding
    # `extra_columns` and checks them in `check_extras`.
    _queries: dict = {}  # class -> its PreparedQuery and the names of its extra columns

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        return self.authenticate_key(key, request)

    @classmethod
    def extra_columns(cls) -> dict:
        return {}

    def check_extras(self, user, extras: dict) -> None:
        """Raise AuthenticationFailed when the extra columns refuse the token's user."""

    def read_versions(self, request, user_id) -> tuple:
        """`token_memory.read_versions(user_id)`, once per request; a subclass may read them in
        a round trip it makes anyway."""
        return token_memory.read_versions(user_id)

    @classmethod
    def _query(cls) -> tuple[PreparedQuery, tuple[str, ...]]:
        prepared = BearerTokenAuthentication._queries.get(cls)
        if prepared is None:
            extras = cls.extra_columns()
            query = PreparedQuery(
                lambda key_hash: (
                    ApiToken.objects.select_related("user")
                    .annotate(**extras)
                    .filter(key_hash=key_hash)
                    .order_by()
                ),
                key_hash=ApiToken._meta.get_field("key_hash"),
            )
            prepared = BearerTokenAuthentication._queries[cls] = (query, tuple(extras))
        return prepared

    def authenticate_key(self, key: str, request=None):
        key_hash = ApiToken.hash_key(key)
        query, extra_names = self._query()
        remembered = token_memory.recall(key_hash)
        if remembered is None:  # a first use: the row tells whose token it is
            rows = query.rows(key_hash=key_hash)
        else:
            seen = self.read_versions(request, remembered.user_id)  # the request's round trip
            if remembered.rows is None or remembered.versions != seen:
                rows = query.rows(key_hash=key_hash)  # read after the versions were seen
                remembered = token_memory.Remembered(
                    remembered.user_id, time.monotonic(), seen, rows
                )
                token_memory.remember(key_hash, remembered)
            rows = remembered.rows
        token = query.instances(rows)[0] if rows else None
        if token is not None and remembered is None:
            self.read_versions(request, token.user_id)  # the request's round trip
            remembered = token_memory.Remembered(token.user_id, time.monotonic())
            token_memory.remember(key_hash, remembered)
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        if remembered.last_used is not None:  # this process stamped it since the row was read
            token.last_used_at = remembered.last_used
        user = token.user
        extras = {name: getattr(token, name) for name in extra_names}
        now = timezone.now()
        if token.expires_at is not None and token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        self.check_extras(user, extras)
        _stamp_last_used(token, now)
        remembered.last_used = token.last_used_at
        if user.language:
            # The session's language middleware never saw this user; their choice still wins.
            translation.activate(user.language)
        return (user, token)

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """Documents the Bearer scheme in the OpenAPI schema (`/api/schema/`)."""

    target_class = BearerTokenAuthentication
    match_subclasses = True
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        scheme = build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix=self.target.keyword
        )
        return {
            **scheme,
            "description": (
                "A personal API token, created at /settings/tokens/ or with "
                "`manage.py create_api_token`: `Authorization: Bearer tdm_…`."
            ),
        }
