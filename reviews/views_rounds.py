from django.views.generic import DetailView, ListView

from partnership.scoping import PartnershipScopedMixin

from . import selectors
from .models import ReviewRound


class RoundListView(PartnershipScopedMixin, ListView):
    template_name = "reviews/rounds.html"

    def scoped_queryset(self, partnership):
        return selectors.rounds_for_partnership(partnership=partnership)


class RoundDetailView(PartnershipScopedMixin, DetailView):
    template_name = "reviews/round.html"
    pk_url_kwarg = "round_id"

    def scoped_queryset(self, partnership):
        return ReviewRound.objects.filter(partnership=partnership)
