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

from .. import selectors
from ..forms import InspectionAreaFormSet, InspectionForm
from ..models import DefectKind
from ..services_disputes import can_dispute
from ..services_inspections import (
    area_plan,
    defect_photo_add,
    inspection_record,
    inspection_scores,
)


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
                for area in inspection.areas.all():
                    if area.sample_short:
                        messages.warning(
                            request,
                            _(
                                "The sample of %(area)s is short: %(done)s of the %(size)s "
                                "proposed rooms were inspected, so its verdict is not "
                                "conclusive."
                            )
                            % {
                                "area": area.get_area_type_display().lower(),
                                "done": area.rooms_inspected,
                                "size": area.sample_size,
                            },
                        )
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
        return super().get_context_data(
            inspection=inspection,
            figures=inspection_scores([inspection]),
            open_dispute=inspection.disputes.filter(resolved_at__isnull=True).first(),
            can_dispute=can_dispute(self.access, inspection),
            can_add_photos=self.access.can(Action.PARTICIPATE),
            defect_kinds=DefectKind.choices,
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
            plan = area_plan(
                area_type=field("area_type"), lot_size=field("lot_size"), aql=field("aql") or None
            )
        except ValidationError:
            plan = None
        return render(request, "kpis/_plan.html", {"plan": plan})


class DefectPhotoUploadView(PartnershipScopedMixin, View):
    """POST a photo of a defect to one area of an inspection."""

    http_method_names = ["post"]
    write_action = Action.PARTICIPATE
    pk_url_kwarg = "area_id"

    def scoped_queryset(self, partnership):
        return selectors.inspection_areas_for_partnership(partnership=partnership).filter(
            inspection_id=self.kwargs["inspection_id"]
        )

    def post(self, request, partnership_id, inspection_id, area_id):
        area = self.get_object()
        upload = request.FILES.get("photo")
        try:
            if upload is None:
                raise ValidationError(_("Choose a photo."))
            defect_photo_add(
                actor=request.user,
                area=area,
                kind=request.POST.get("kind", ""),
                upload=upload,
                caption=request.POST.get("caption", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Photo added."))
        return redirect(
            "kpis:inspection_detail",
            partnership_id=self.partnership.pk,
            inspection_id=inspection_id,
        )


class DefectPhotoView(PartnershipScopedMixin, View):
    """The photo itself, only to those who see the partnership."""

    http_method_names = ["get"]
    pk_url_kwarg = "photo_id"

    def scoped_queryset(self, partnership):
        return selectors.defect_photos_for_partnership(partnership=partnership).filter(
            area__inspection_id=self.kwargs["inspection_id"]
        )

    def get(self, request, partnership_id, inspection_id, photo_id):
        from partnership.uploads import download_response

        photo = self.get_object()
        return download_response(
            photo.image,
            filename=photo.original_name,
            content_type=photo.content_type,
            inline=True,
        )
