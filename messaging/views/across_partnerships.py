"""Hub pages across partnerships: one inbox for people in several partnerships, search,
"mark all read" and notification preferences. They start from `Thread.objects.visible_to`
(through the selectors), so they never reach beyond what the user may see."""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import FormView, TemplateView, View

from partnership.models import Partnership
from partnership.views import apply_errors, nothing_changed

from .. import selectors, services_reading
from ..forms import PreferencesForm
from ..models import Category, Delivery
from .threads import PAGE_SIZE, status_choices

DOCUMENT_RESULTS = 25


class GlobalInboxView(LoginRequiredMixin, TemplateView):
    template_name = "messaging/global_inbox.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        g = self.request.GET
        filters = {k: g.get(k, "").strip() for k in ("category", "status", "assignee")}
        if filters["assignee"] not in ("", "me", "none"):
            filters["assignee"] = ""  # a user id means nothing across partnerships
        visible = list(Partnership.objects.visible_to(user).only("pk", "title").order_by("title"))
        chosen = g.get("partnership", "")
        filters["partnership"] = chosen if chosen in {str(p.pk) for p in visible} else ""
        threads = selectors.inbox_across(user=user, **filters)
        page = Paginator(threads, PAGE_SIZE).get_page(g.get("page"))
        unread = selectors.unread_by_partnership(user=user)
        unread_partnerships = [(p, unread[p.pk]) for p in visible if p.pk in unread]
        return super().get_context_data(
            page_obj=page,
            threads=page.object_list,
            filters=filters,
            filtered=any(filters.values()),
            categories=Category.choices,
            statuses=status_choices(),
            unread_partnerships=unread_partnerships,
            partnerships=visible,
            **kwargs,
        )


class SearchView(LoginRequiredMixin, TemplateView):
    """Threads (subject, message text) and document titles in the user's partnerships."""

    template_name = "messaging/search.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        q = self.request.GET.get("q", "").strip()[:200]
        partnership_id = self.request.GET.get("partnership", "")
        try:
            partnership_id = str(uuid.UUID(partnership_id)) if partnership_id else None
        except ValueError:
            partnership_id = None
        too_short = bool(q) and len(q) < selectors.SEARCH_MIN_LENGTH
        results = selectors.search(user=user, q=q, partnership_id=partnership_id)
        page = Paginator(results["threads"], PAGE_SIZE).get_page(self.request.GET.get("page"))
        documents = list(results["documents"][: DOCUMENT_RESULTS + 1])
        return super().get_context_data(
            q=q,
            too_short=too_short,
            min_length=selectors.SEARCH_MIN_LENGTH,
            searched=len(q) >= selectors.SEARCH_MIN_LENGTH,
            partnership_id=partnership_id or "",
            partnerships=Partnership.objects.visible_to(user).only("pk", "title").order_by("title"),
            page_obj=page,
            threads=page.object_list,
            documents=documents[:DOCUMENT_RESULTS],
            more_documents=len(documents) > DOCUMENT_RESULTS,
            **kwargs,
        )


class MarkAllReadView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        n = services_reading.threads_mark_read(user=request.user)
        messages.success(
            request,
            ngettext("%(n)s thread marked as read.", "%(n)s threads marked as read.", n) % {"n": n},
        )
        return redirect("hub:inbox")


class PreferencesView(LoginRequiredMixin, FormView):
    """Per thread category: e-mail right away, a daily digest, or in Tandem only."""

    template_name = "messaging/preferences.html"
    form_class = PreferencesForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "current": selectors.preferences_for(self.request.user),
        }

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect("hub:preferences")
        try:
            choices = {c: d or Delivery.IMMEDIATE for c, d in form.cleaned_data.items()}
            services_reading.preferences_set(user=self.request.user, choices=choices)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Notification preferences saved."))
        return redirect("hub:preferences")
