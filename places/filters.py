"""The query string of the places API's list: `type`, `building`, `q` and `retired`.

Without `retired` the list holds the rooms in use (the API's scoped queryset says so); the
filters narrow it. Each filter is strict (`StrictFilterSet`): sent empty, or with a value it
does not know, it is a 400 on that parameter rather than no filter at all.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnership.api_input import BooleanFilter, StrictFilterSet

from .models import AreaType, Room


class RoomFilter(StrictFilterSet):
    type = django_filters.ChoiceFilter(
        field_name="area_type",
        choices=AreaType.choices,
        help_text=_("Only rooms of this area type."),
    )
    building = django_filters.CharFilter(
        field_name="floor__building__code",
        max_length=40,
        help_text=_("Only rooms in the building with this code."),
    )
    q = django_filters.CharFilter(
        method="search",
        max_length=200,
        help_text=_("Rooms whose code or name contains this text (ignoring case)."),
    )
    retired = BooleanFilter(
        method="by_retirement",
        help_text=_(
            "false (the default): the rooms in use; true: only the retired ones, which keep "
            "their history."
        ),
    )

    class Meta:
        model = Room
        fields = ["type", "building", "q", "retired"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def by_retirement(self, queryset, name, value):
        return queryset.filter(retired_at__isnull=not value)
