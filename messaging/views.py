from django.views.generic import TemplateView


class InboxView(TemplateView):  # placeholder until the hub pages land
    template_name = "404.html"
