"""`manage.py create_api_token EMAIL NAME [--days N | --no-expiry]`: prints a new token once."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import MAX_TOKEN_DAYS
from accounts.services import DEFAULT_TOKEN_DAYS, api_token_create


class Command(BaseCommand):
    help = (
        "Create a personal API token for a user and print it (it is shown only once). It "
        f"expires after {DEFAULT_TOKEN_DAYS} days unless --days or --no-expiry says otherwise."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address of the user the token acts as.")
        parser.add_argument("name", help="A name for the token, unique among their tokens.")
        lifetime = parser.add_mutually_exclusive_group()
        lifetime.add_argument(
            "--days",
            "--expires-days",  # its earlier name
            dest="days",
            type=int,
            default=None,
            help=f"Days until the token expires (1–{MAX_TOKEN_DAYS}; {DEFAULT_TOKEN_DAYS} "
            "when left out).",
        )
        lifetime.add_argument(
            "--no-expiry",
            action="store_true",
            help="A token that never expires (not recommended: it works until revoked).",
        )

    def handle(self, *args, email, name, days, no_expiry, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(_("No user has the e-mail address %(email)s.") % {"email": email})
        if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
            raise CommandError(_("--days must be between 1 and %(max)s.") % {"max": MAX_TOKEN_DAYS})
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token, key = api_token_create(
                user=user, name=name, expires_at=expires_at, never_expires=no_expiry
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The key alone on stdout, so scripts can capture it; the explanation goes to stderr.
        self.stderr.write(
            _("Token “%(name)s” created for %(email)s. It is shown only once:")
            % {"name": token.name, "email": user.email}
        )
        if token.expires_at is None:
            self.stderr.write(_("It never expires: revoke it at /settings/tokens/ when unused."))
        else:
            self.stderr.write(
                _("It expires on %(date)s.")
                % {"date": timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")}
            )
        self.stdout.write(key)
