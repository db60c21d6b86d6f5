"""Query-string filters of the API: an unknown or empty value is a 400 on that parameter."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .api_input import StrictFilterSet
from .models import Partnership, Phase, Service
from .selectors import filter_services_contains


class PartnershipFilter(StrictFilterSet):
    phase = django_filters.ChoiceFilter(
        choices=Phase.choices, label=_("Only partnerships in this phase.")
    )
    service = django_filters.ChoiceFilter(
        choices=Service.choices,
        method="filter_service",
        label=_("Only partnerships that include this service."),
    )

    class Meta:
        model = Partnership
        fields = ["phase", "service"]

    def filter_service(self, queryset, name, value):
        return filter_services_contains(queryset, value) if value else queryset
