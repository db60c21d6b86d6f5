"""HTML pages of inspections: the list, the entry form (fast on a tablet), the detail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from partnership.access import Action
from partnership.scoping import PartnershipScopedMixin

from . import selectors
from .forms import InspectionAreaFormSet, InspectionForm
from .services_inspections import inspection_record, inspection_scores, plan_area


class InspectionListView(PartnershipScopedMixin, TemplateView):
    template_name = "kpis/inspections.html"

    def get_context_data(self, **kwargs):
        page = Paginator(
            selectors.inspections_for_partnership(partnership=self.partnership), 25
        ).get_page(self.request.GET.get("page"))
        for inspection in page.object_list:
            inspection.figures = inspection_scores([inspection])
        return super().get_context_data(
            page_obj=page,
            inspections=page.object_list,
            can_record=self.access.can(Action.PARTICIPATE),
            **kwargs,
        )


class InspectionCreateView(PartnershipScopedMixin, View):
    template_name = "kpis/inspection_form.html"
    read_action = Action.PARTICIPATE
    write_action = Action.PARTICIPATE

    def _render(self, request, form, formset):
        return render(
            request,
            self.template_name,
            {
                "partnership": self.partnership,
                "access": self.access,
                "form": form,
                "formset": formset,
            },
        )

    def get(self, request, partnership_id):
        kind = "dks" if self.access.side == "supplier" else "kms"
        form = InspectionForm(initial={"kind": kind, "date": timezone.localdate()})
        return self._render(request, form, InspectionAreaFormSet(prefix="areas"))

    def post(self, request, partnership_id):
        form = InspectionForm(request.POST)
        formset = InspectionAreaFormSet(request.POST, prefix="areas")
        if form.is_valid() and formset.is_valid():
            areas = [f.cleaned_data for f in formset.forms if f.has_changed() and f.cleaned_data]
            try:
                inspection = inspection_record(
                    actor=request.user,
                    partnership=self.partnership,
                    areas=areas,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except PermissionDenied as exc:
                form.add_error("kind", str(exc) or _("You cannot record this kind."))
            else:
                messages.success(request, _("Inspection recorded."))
                return redirect(
                    "kpis:inspection_detail",
                    partnership_id=self.partnership.pk,
                    inspection_id=inspection.pk,
                )
        return self._render(request, form, formset)


class InspectionDetailView(PartnershipScopedMixin, TemplateView):
    template_name = "kpis/inspection_detail.html"
    pk_url_kwarg = "inspection_id"

    def scoped_queryset(self, partnership):
        return selectors.inspections_for_partnership(partnership=partnership)

    def get_context_data(self, **kwargs):
        inspection = self.get_object()
        reporter = {"dks": "supplier", "kms": "client"}.get(inspection.kind)
        return super().get_context_data(
            inspection=inspection,
            figures=inspection_scores([inspection]),
            open_dispute=inspection.disputes.filter(resolved_at__isnull=True).first(),
            can_dispute=self.access.can(Action.PARTICIPATE) and self.access.side != reporter,
            **kwargs,
        )


class SamplingPlanView(PartnershipScopedMixin, View):
    """htmx: the sample size Tandem proposes for an area type, lot size and AQL."""

    http_method_names = ["get"]

    def get(self, request, partnership_id):
        # The form's rows send prefixed names (areas-0-lot_size); take the field by its suffix.
        def field(name):
            return next((v for k, v in request.GET.items() if k.endswith(name)), "")

        try:
            plan = plan_area(
                area_type=field("area_type"), lot_size=field("lot_size"), aql=field("aql") or None
            )
        except ValidationError:
            plan = None
        return render(request, "kpis/_plan.html", {"plan": plan})
