from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, User
from .services import DEFAULT_TOKEN_DAYS

MAX_TOKEN_DAYS = 365


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "phone", "language"]


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. the system that uses it."),
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        required=False,
        initial=DEFAULT_TOKEN_DAYS,
        min_value=1,
        max_value=MAX_TOKEN_DAYS,
        help_text=format_lazy(
            _("From 1 to 365 days; {days} when left empty."), days=DEFAULT_TOKEN_DAYS
        ),
    )
    never_expires = forms.BooleanField(
        label=_("Never expires"),
        required=False,
        help_text=_(
            "Not recommended: a token that never expires works until you revoke it, also in "
            "the hands of someone who found it."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("never_expires"):
            cleaned["expires_in_days"] = None  # the explicit choice wins over the prefilled days
        elif cleaned.get("expires_in_days") is None and "expires_in_days" not in self.errors:
            cleaned["expires_in_days"] = DEFAULT_TOKEN_DAYS
        return cleaned


class SignupExtraForm(forms.Form):
    """What allauth's signup form asks beyond e-mail and password: the name others will see."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        help_text=_("Shown to the people you work with."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data["full_name"].strip()
        user.save(update_fields=["full_name"])
