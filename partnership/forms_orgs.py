"""Forms of the organisation pages: create, settings, member roles and invitations."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Role


class OrganizationCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_(
            "Used in web addresses and to find your organisation when a partner creates a "
            "partnership. Leave empty to derive it from the name."
        ),
    )


class OrganizationSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    require_mfa = forms.BooleanField(
        label=_("Require two-factor authentication"),
        required=False,
        help_text=_(
            "Members without an authenticator app are asked to set one up before they can continue."
        ),
    )


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)
