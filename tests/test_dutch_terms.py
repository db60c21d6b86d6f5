"""One Dutch word for one thing: our catalogue uses allauth's terms where both speak of it.

allauth's own Dutch catalogue (its login, MFA and account pages) says "twee-factor-authenticatie";
a page of ours next to it must not call the same thing "tweestapsverificatie".
"""

from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext

ROOT = Path(__file__).resolve().parent.parent
# Our word on the left must not appear; allauth's msgid whose translation is the word to use.
TERMS = {"tweestapsverificatie": "Two-Factor Authentication"}


def test_the_dutch_catalogue_uses_allauths_terms():
    catalogue = (ROOT / "locale/nl/LC_MESSAGES/django.po").read_text(encoding="utf-8").lower()
    with translation.override("nl"):
        for avoided, allauth_msgid in TERMS.items():
            assert avoided not in catalogue
            term = gettext(allauth_msgid)  # allauth's catalogue, ours does not translate it
            assert term == "Twee-factor-authenticatie"
            assert gettext("Two-factor authentication") == term  # ours, the same word
            assert term.lower() in gettext("Require two-factor authentication").lower()
