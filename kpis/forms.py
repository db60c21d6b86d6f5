from django import forms
from django.utils.translation import gettext_lazy as _

from .models import KPI


class KPIForm(forms.ModelForm):
    class Meta:
        model = KPI
        fields = [
            "name",
            "description",
            "unit",
            "direction",
            "target",
            "tolerance",
            "frequency",
            "source",
            "inspection_measure",
            "weight",
            "active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("target", "tolerance", "weight"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True


class MeasurementForm(forms.Form):
    period = forms.CharField(
        label=_("Period"), max_length=20, help_text=_("e.g. 2026-03, or 2026-Q1 for a quarter")
    )
    value = forms.DecimalField(label=_("Value"), max_digits=12, decimal_places=2, localize=True)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)
