from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AreaType


class RoomForm(forms.Form):
    """A room as text; `services.clean_room` checks it (the import's rules, one place)."""

    code = forms.CharField(label=_("Room code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    area_type = forms.ChoiceField(label=_("Area type"), choices=AreaType.choices)
    floor_area = forms.CharField(
        label=_("Floor area (m²)"), max_length=20, help_text=_("For example 12,5.")
    )
    cleaning_frequency = forms.CharField(
        label=_("Cleanings per week"),
        max_length=20,
        required=False,
        help_text=_("Optional; 0,2 is about once a month."),
    )
    site = forms.CharField(label=_("Site code"), max_length=40)
    building = forms.CharField(label=_("Building code"), max_length=40)
    floor = forms.CharField(
        label=_("Floor"), max_length=20, help_text=_("As the CAFM system writes it: 0, 1, -1, BG.")
    )

    @staticmethod
    def initial_for(room) -> dict:
        def text(value):
            return "" if value is None else f"{value.normalize():f}".replace(".", ",")

        return {
            "code": room.code,
            "name": room.name,
            "area_type": room.area_type,
            "floor_area": text(room.floor_area),
            "cleaning_frequency": text(room.cleaning_frequency),
            "site": room.floor.building.site.code,
            "building": room.floor.building.code,
            "floor": room.floor.code,
        }
