"""`manage.py create_api_token EMAIL NAME [--expires-days N]`: prints a new token once."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.forms import MAX_TOKEN_DAYS
from accounts.services import api_token_create


class Command(BaseCommand):
    help = "Create a personal API token for a user and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("email", help="E-mail address of the user the token acts as.")
        parser.add_argument("name", help="A name for the token, unique among their tokens.")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help=f"Days until the token expires (1–{MAX_TOKEN_DAYS}); no expiry when left out.",
        )

    def handle(self, *args, email, name, expires_days, **options):
        user = get_user_model().objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(_("No user has the e-mail address %(email)s.") % {"email": email})
        if expires_days is not None and not 1 <= expires_days <= MAX_TOKEN_DAYS:
            raise CommandError(
                _("--expires-days must be between 1 and %(max)s.") % {"max": MAX_TOKEN_DAYS}
            )
        expires_at = timezone.now() + timedelta(days=expires_days) if expires_days else None
        try:
            token, key = api_token_create(user=user, name=name, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        # The key alone on stdout, so scripts can capture it; the explanation goes to stderr.
        self.stderr.write(
            _("Token “%(name)s” created for %(email)s. It is shown only once:")
            % {"name": token.name, "email": user.email}
        )
        self.stdout.write(key)
