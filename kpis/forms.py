from django import forms
from django.utils.translation import gettext_lazy as _

from partnership import inputs

from .models import KPI, KPI_FIELDS, AreaType, InspectionKind

# The AQLs a facility contract realistically agrees on (all are in ISO 2859-1's series).
AQL_CHOICES = ("1.0", "1.5", "2.5", "4.0", "6.5", "10")


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = list(KPI_FIELDS)
        formfield_callback = inputs.machine_formfield
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class MeasurementForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=20, help_text=_("e.g. 2026-03, or 2026-Q1 for a quarter")
    )
    value = inputs.DecimalField(label=_("Value"), max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
    evidence = forms.FileField(
        label=_("Evidence (optional)"),
        required=False,
        help_text=_("A PDF or photo that backs the value."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"}
        ),
    )


class InspectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InspectionKind.choices)
    date = inputs.DateField(label=_("Date"))
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InspectionAreaForm(forms.Form):
    area_type = forms.ChoiceField(label=_("Area type"), choices=AreaType.choices)
    lot_size = inputs.IntegerField(label=_("Rooms of this type"), min_value=2)
    aql = forms.ChoiceField(
        label=_("AQL"),
        required=False,
        choices=[("", _("Usual for the area type"))] + [(str(a), str(a)) for a in AQL_CHOICES],
    )
    rooms_inspected = inputs.IntegerField(label=_("Rooms inspected"), min_value=1)
    elements_checked = inputs.IntegerField(label=_("Elements checked"), min_value=1)
    defects_dirt = inputs.IntegerField(label=_("Dirt"), min_value=0, initial=0)
    defects_method = inputs.IntegerField(label=_("Method"), min_value=0, initial=0)
    defects_material = inputs.IntegerField(label=_("Material"), min_value=0, initial=0)

    KEY_FIELDS = ("lot_size", "rooms_inspected", "elements_checked")

    def has_changed(self) -> bool:
        """A row counts as filled in once a number is typed: the area type select always
        sends a value, so it cannot tell an unused row from a used one."""
        return any((self.data.get(self.add_prefix(f)) or "").strip() for f in self.KEY_FIELDS)


InspectionAreaFormSet = forms.formset_factory(
    InspectionAreaForm, extra=3, min_num=1, validate_min=True, max_num=20
)
