from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from .inputs import machine_formfield
from .models import (
    Contact,
    Contract,
    EscalationStep,
    MeetingCadence,
    Organization,
    Partnership,
    Phase,
    Role,
    Service,
    Side,
)
from .validators import validate_phone

User = get_user_model()


class PartnershipCreateForm(forms.Form):
    my_organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        label=_("Your organisation"),
    )
    my_side = forms.ChoiceField(
        label=_("Your organisation is the"),
        choices=[(Side.CLIENT, _("client")), (Side.SUPPLIER, _("supplier"))],
    )
    other_slug = forms.SlugField(
        required=False,
        label=_("Other party's short name on Tandem"),
        help_text=_(
            "Ask the other organisation for it (shown on its organisation page), "
            "or invite a new organisation below."
        ),
    )
    new_org_name = forms.CharField(
        label=_("New organisation's name"), required=False, max_length=200
    )
    new_org_email = forms.EmailField(label=_("Its contact's e-mail address"), required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    services = forms.MultipleChoiceField(
        label=_("Services"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices, initial=Phase.KICKOFF)
    actor_title = forms.CharField(
        label=_("Your title in this partnership"),
        required=False,
        max_length=100,
        help_text=_("e.g. contract manager, project leader"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mine = Organization.objects.filter(
            memberships__user=user, memberships__role__in=[Role.ADMIN, Role.MANAGER]
        )
        self.fields["my_organization"].queryset = mine
        if mine.count() == 1:
            self.fields["my_organization"].initial = mine.first()

    def clean_other_slug(self):
        slug = self.cleaned_data["other_slug"]
        if not slug:
            return None
        other = Organization.objects.filter(slug=slug).first()
        if other is None:
            raise forms.ValidationError(_("No organisation has this short name."))
        return other

    def clean(self):
        data = super().clean()
        other, name, email = (
            data.get("other_slug"),
            data.get("new_org_name"),
            data.get("new_org_email"),
        )
        data["other_organization"] = other
        if other is None and not (name and email):
            raise forms.ValidationError(
                _("Choose the other party, or enter the name and e-mail of a new organisation.")
            )
        if other is not None and (name or email):
            raise forms.ValidationError(
                _("Either choose an existing organisation or invite a new one, not both.")
            )
        if other is not None and other == data.get("my_organization"):
            self.add_error("other_slug", _("The other party must be another organisation."))
        return data


class PartnershipForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("Services"),
        choices=Service.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Partnership
        formfield_callback = machine_formfield
        fields = ["title", "services", "core_values", "culture", "future_vision"]
        widgets = {
            "core_values": forms.Textarea(attrs={"rows": 3}),
            "culture": forms.Textarea(attrs={"rows": 3}),
            "future_vision": forms.Textarea(attrs={"rows": 3}),
        }


class PhaseForm(forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "reference",
            "title",
            "start_date",
            "end_date",
            "value",
            "pilot_evaluation_date",
            "scope_of_services",
            "quality_agreements",
            "speed_agreements",
            "delivery_agreements",
        ]
        formfield_callback = machine_formfield
        widgets = {
            "scope_of_services": forms.Textarea(attrs={"rows": 3}),
            "quality_agreements": forms.Textarea(attrs={"rows": 3}),
            "speed_agreements": forms.Textarea(attrs={"rows": 3}),
            "delivery_agreements": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        pilot = data.get("pilot_evaluation_date")
        if start and pilot and pilot < start:
            self.add_error(
                "pilot_evaluation_date", _("The pilot evaluation cannot be before the start.")
            )
        return data


class ParticipantAddForm(forms.Form):
    """Add a member of your own side by address, or invite a facilitator. Who the address
    belongs to is decided by `services.participant_add_by_email`, so the form says nothing about
    who has an account elsewhere."""

    email = forms.EmailField(label=_("E-mail address"))
    side = forms.ChoiceField(label=_("Side"))
    title = forms.CharField(label=_("Title"), required=False, max_length=100)

    def __init__(self, *args, partnership, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        labels = {
            Side.CLIENT: _("%(org)s (client)") % {"org": partnership.client.name},
            Side.SUPPLIER: _("%(org)s (supplier)") % {"org": partnership.supplier.name},
            Side.FACILITATOR: _("Facilitator (invited by e-mail)"),
        }
        self.fields["side"].choices = [(side, labels[side]) for side in sides]
        self.fields["side"].help_text = _(
            "You add people of your own organisation. A facilitator gets an invitation and "
            "joins when they accept it."
        )


class ParticipantTitleForm(forms.Form):
    title = forms.CharField(label=_("Title"), required=False, max_length=100)


class CommunicationPlanForm(forms.Form):
    emergency_number = forms.CharField(
        validators=[validate_phone],
        label=_("24/7 emergency number"),
        max_length=40,
        required=False,
    )
    emergency_instructions = forms.CharField(
        label=_("When to call the emergency number"),
        max_length=300,
        required=False,
    )
    channels = forms.CharField(
        label=_("Channels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Which channel is for what, e.g. the hub for questions, phone for urgent matters."
        ),
    )


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        formfield_callback = machine_formfield
        fields = ["side", "name", "role", "phone", "email", "availability", "order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = _("Lower numbers are listed first.")

    def clean_order(self):
        return self.cleaned_data.get("order") or 0


class MeetingForm(forms.ModelForm):
    class Meta:
        model = MeetingCadence
        formfield_callback = machine_formfield
        fields = ["level", "frequency", "participants", "purpose"]


class EscalationStepForm(forms.ModelForm):
    class Meta:
        model = EscalationStep
        formfield_callback = machine_formfield
        fields = ["level", "client_contact", "supplier_contact", "when"]

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean_level(self):
        level = self.cleaned_data["level"]
        clash = EscalationStep.objects.filter(plan=self.plan, level=level).exclude(
            pk=self.instance.pk
        )
        if self.plan is not None and clash.exists():
            raise forms.ValidationError(_("There is already a step with this number."))
        return level


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


PLAN_PARTS = {
    "contacts": (Contact, ContactForm, _("contact")),
    "meetings": (MeetingCadence, MeetingForm, _("meeting")),
    "escalation": (EscalationStep, EscalationStepForm, _("escalation step")),
}
