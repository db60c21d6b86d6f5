"""Django's password validators with messages of our own.

Django 5.2's Dutch catalogue lacks its too-short error (it reaches a Dutch user in English) and
addresses people as "u"; Tandem says "je" and explains why a password is refused. The rules are
Django's: at least 12 characters (ASVS 2.1.1), not in its list of 20,000 breached passwords
(ASVS 2.1.7), not close to the person's name or address, not only digits.
"""

from django.contrib.auth import password_validation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def __init__(self, min_length: int = 12):
        super().__init__(min_length=min_length)

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Your password must be at least %(min_length)d character long; a few words in a "
            "row are easy to remember.",
            "Your password must be at least %(min_length)d characters long; a few words in a "
            "row are easy to remember.",
            self.min_length,
        ) % {"min_length": self.min_length}


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return _(
            "This password is on a list of commonly used and leaked passwords. Choose another one."
        )

    def get_help_text(self) -> str:
        return _("Your password can’t be a commonly used or leaked password.")


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def __init__(self, user_attributes=("email", "full_name"), max_similarity: float = 0.7):
        super().__init__(user_attributes=user_attributes, max_similarity=max_similarity)

    def get_error_message(self) -> str:
        return _("This password is too similar to your %(verbose_name)s.")

    def get_help_text(self) -> str:
        return _("Your password can’t be too similar to your name or e-mail address.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return _("This password is only digits.")

    def get_help_text(self) -> str:
        return _("Your password can’t be only digits.")
