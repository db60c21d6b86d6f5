"""HTML pages of a partnership: the list, creating one, the overview, editing, phase, checklist
and history."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView, TemplateView, View

from .. import selectors, services
from ..access import Action
from ..forms import PartnershipCreateForm, PartnershipForm, PhaseForm
from ..models import Phase, Service
from ..panels import overview_panels
from ..phases import checklist_for
from ..scoping import PartnershipScopedMixin
from .base import apply_errors, nothing_changed


class PartnershipListView(LoginRequiredMixin, ListView):
    template_name = "partnership/partnership_list.html"
    paginate_by = 25
    context_object_name = "partnerships"

    def get_queryset(self):
        g = self.request.GET
        return selectors.partnerships_for_user(
            user=self.request.user,
            phase=g.get("phase", ""),
            service=g.get("service", ""),
            q=g.get("q", "").strip(),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            phases=Phase.choices, service_choices=Service.choices, filters=self.request.GET
        )
        return context


class PartnershipCreateView(LoginRequiredMixin, FormView):
    template_name = "partnership/partnership_form.html"
    form_class = PartnershipCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        d = form.cleaned_data
        mine, other = d["my_organization"], d.get("other_organization")
        client, supplier = (mine, other) if d["my_side"] == "client" else (other, mine)
        try:
            partnership = services.partnership_create(
                actor=self.request.user,
                client=client,
                supplier=supplier,
                title=d["title"],
                services=d["services"],
                phase=d["phase"],
                actor_title=d["actor_title"],
                new_org_name=d["new_org_name"],
                new_org_email=d["new_org_email"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Partnership created."))
        if other is None:
            messages.info(
                self.request,
                _("We sent an invitation to %(email)s.") % {"email": d["new_org_email"]},
            )
        return redirect(partnership)


class PartnershipOverviewView(PartnershipScopedMixin, TemplateView):
    template_name = "partnership/overview.html"

    def get_context_data(self, **kwargs):
        partnership = selectors.partnership_overview(partnership=self.partnership)
        plan = partnership.communication_plan
        contacts = list(plan.contacts.all())
        return super().get_context_data(
            partnership=partnership,
            plan=plan,
            client_contacts=[c for c in contacts if c.side == "client"],
            supplier_contacts=[c for c in contacts if c.side == "supplier"],
            checklist=checklist_for(partnership),
            panels=overview_panels(partnership, self.access),
            phase_form=PhaseForm(initial={"phase": partnership.phase}),
            **kwargs,
        )


class PartnershipEditView(PartnershipScopedMixin, FormView):
    template_name = "partnership/partnership_edit.html"
    form_class = PartnershipForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.partnership}

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect(self.partnership)
        try:
            services.partnership_update(
                actor=self.request.user,
                partnership=self.partnership,
                **{f: form.cleaned_data[f] for f in form.Meta.fields},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Changes saved."))
        return redirect(self.partnership)


class PhaseSetView(PartnershipScopedMixin, View):
    http_method_names = ["post"]

    def action_for_method(self, method):
        # Managers may reopen an archived partnership, so this bypasses the read-only archive rule.
        return Action.READ

    def post(self, request, partnership_id):
        if not self.access.is_manager:
            raise PermissionDenied
        form = PhaseForm(request.POST)
        if form.is_valid():
            services.partnership_set_phase(
                actor=request.user, partnership=self.partnership, phase=form.cleaned_data["phase"]
            )
            messages.success(request, _("Phase changed."))
        else:
            messages.error(request, _("Choose a valid phase."))
        return redirect(self.partnership)


class ChecklistToggleView(PartnershipScopedMixin, View):
    http_method_names = ["post"]

    def post(self, request, partnership_id, checklist_key):
        try:
            services.checklist_item_toggle(
                actor=request.user,
                partnership=self.partnership,
                key=checklist_key,
                done=request.POST.get("done") == "1",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(self.partnership)


class HistoryView(PartnershipScopedMixin, TemplateView):
    template_name = "partnership/history.html"

    def get_context_data(self, **kwargs):
        from ..history import history_for_partnership

        page = Paginator(history_for_partnership(partnership=self.partnership), 50).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page_obj=page, entries=page.object_list, **kwargs)
