from django.views.generic import ListView

from partnership.scoping import PartnershipScopedMixin

from . import selectors


class ActionListView(PartnershipScopedMixin, ListView):
    template_name = "reviews/actions.html"

    def scoped_queryset(self, partnership):
        return selectors.actions_for_partnership(partnership=partnership)
