"""HTML pages of the cooperation indicators."""

from django.views.generic import TemplateView

from partnership.scoping import PartnershipScopedMixin

from . import selectors


class STIHomeView(PartnershipScopedMixin, TemplateView):
    template_name = "sti/home.html"

    def get_context_data(self, **kwargs):
        p = self.partnership
        return super().get_context_data(
            current_set=selectors.current_set(partnership=p),
            surveys=selectors.surveys_for_partnership(partnership=p),
            **kwargs,
        )
