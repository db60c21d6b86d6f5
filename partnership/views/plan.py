"""The communication plan: who to call, when we meet, how we escalate."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from .. import selectors, services
from ..forms import PLAN_PARTS, CommunicationPlanForm, EscalationStepForm
from ..scoping import PartnershipScopedMixin
from .base import apply_errors, nothing_changed


class CommunicationPlanView(PartnershipScopedMixin, TemplateView):
    template_name = "partnership/communication_plan.html"

    def get_context_data(self, **kwargs):
        partnership = selectors.partnership_overview(partnership=self.partnership)
        plan = partnership.communication_plan
        contacts = list(plan.contacts.all())
        return super().get_context_data(
            partnership=partnership,
            plan=plan,
            client_contacts=[c for c in contacts if c.side == "client"],
            supplier_contacts=[c for c in contacts if c.side == "supplier"],
            **kwargs,
        )


class CommunicationPlanEditView(PartnershipScopedMixin, FormView):
    template_name = "partnership/communication_plan_edit.html"
    form_class = CommunicationPlanForm

    def get_initial(self):
        plan = self.partnership.communication_plan
        return {
            "emergency_number": plan.emergency_number,
            "emergency_instructions": plan.emergency_instructions,
            "channels": plan.channels,
        }

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect("partnership:plan", partnership_id=self.partnership.pk)
        try:
            services.communication_plan_update(
                actor=self.request.user, partnership=self.partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Communication plan saved."))
        return redirect("partnership:plan", partnership_id=self.partnership.pk)


class _PlanPartMixin(PartnershipScopedMixin):
    """Contacts, meetings and escalation steps share one create/edit/delete flow."""

    pk_url_kwarg = "item_id"

    def part(self):
        try:
            return PLAN_PARTS[self.kwargs["plan_part"]]
        except KeyError as exc:
            raise Http404 from exc

    def scoped_queryset(self, partnership):
        model = self.part()[0]
        return model.objects.filter(plan__partnership=partnership)

    def get_instance(self):
        if "item_id" not in self.kwargs:
            return None
        if not hasattr(self, "_instance"):
            self._instance = self.get_object()
        return self._instance


class PlanPartFormView(_PlanPartMixin, FormView):
    template_name = "partnership/plan_part_form.html"

    def get_form_class(self):
        return self.part()[1]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        model = self.part()[0]
        kwargs["instance"] = self.get_instance() or model(plan=self.partnership.communication_plan)
        if self.get_form_class() is EscalationStepForm:
            kwargs["plan"] = self.partnership.communication_plan
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            part_label=self.part()[2], item=self.get_instance(), **kwargs
        )

    def form_valid(self, form):
        if self.get_instance() is not None and nothing_changed(self.request, form):
            return redirect("partnership:plan", partnership_id=self.partnership.pk)
        try:
            services.plan_child_save(
                actor=self.request.user, partnership=self.partnership, instance=form.instance
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Communication plan saved."))
        return redirect("partnership:plan", partnership_id=self.partnership.pk)


class PlanPartDeleteView(_PlanPartMixin, View):
    http_method_names = ["post"]

    def post(self, request, partnership_id, plan_part, item_id):
        services.plan_child_delete(
            actor=request.user, partnership=self.partnership, instance=self.get_instance()
        )
        messages.success(request, _("Removed."))
        return redirect("partnership:plan", partnership_id=self.partnership.pk)
