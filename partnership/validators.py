from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PHONE_CHARACTERS = frozenset("0123456789+-() ")


def validate_phone(value: str) -> None:
    """Digits and phone punctuation, at least three digits: it must work as a tel: link."""
    if value and (set(value) - PHONE_CHARACTERS or sum(c.isdigit() for c in value) < 3):
        raise ValidationError(
            _("Enter a phone number, e.g. +31 20 123 4567."), code="invalid_phone"
        )
