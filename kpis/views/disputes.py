"""HTML pages of disputes: raise one on a value or an inspection, the thread, resolving it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from partnership.access import Action
from partnership.scoping import PartnershipScopedMixin

from .. import selectors
from ..services_disputes import dispute_comment, dispute_raise, dispute_resolve, dispute_url


def _report(request, exc) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(request, text or _("You cannot do this here."))


class _RaiseBase(PartnershipScopedMixin, View):
    http_method_names = ["post"]
    write_action = Action.PARTICIPATE

    def post(self, request, *args, **kwargs):
        subject = self.get_object()
        try:
            dispute = dispute_raise(
                actor=request.user, subject=subject, reason=request.POST.get("reason", "")
            )
        except (ValidationError, PermissionDenied) as exc:
            _report(request, exc)
            return redirect(self.back_url(subject))
        messages.success(request, _("Dispute raised. The other side has been notified."))
        return redirect(dispute_url(dispute))


class MeasurementDisputeView(_RaiseBase):
    pk_url_kwarg = "measurement_id"

    def scoped_queryset(self, partnership):
        return selectors.measurements_for_partnership(partnership=partnership).filter(
            kpi_id=self.kwargs["kpi_id"]
        )

    def back_url(self, measurement):
        from django.urls import reverse

        return reverse(
            "kpis:detail",
            kwargs={"partnership_id": self.partnership.pk, "kpi_id": measurement.kpi_id},
        )


class InspectionDisputeView(_RaiseBase):
    pk_url_kwarg = "inspection_id"

    def scoped_queryset(self, partnership):
        return selectors.inspections_for_partnership(partnership=partnership)

    def back_url(self, inspection):
        from django.urls import reverse

        return reverse(
            "kpis:inspection_detail",
            kwargs={"partnership_id": self.partnership.pk, "inspection_id": inspection.pk},
        )


class DisputeListView(PartnershipScopedMixin, TemplateView):
    template_name = "kpis/disputes.html"

    def get_context_data(self, **kwargs):
        page = Paginator(
            selectors.disputes_for_partnership(partnership=self.partnership), 25
        ).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, disputes=page.object_list, **kwargs)


class DisputeDetailView(PartnershipScopedMixin, TemplateView):
    template_name = "kpis/dispute_detail.html"
    pk_url_kwarg = "dispute_id"

    def scoped_queryset(self, partnership):
        return selectors.disputes_for_partnership(partnership=partnership)

    def get_context_data(self, **kwargs):
        dispute = self.get_object()
        return super().get_context_data(
            dispute=dispute,
            comments=dispute.comments.select_related("author"),
            can_comment=self.access.can(Action.PARTICIPATE),
            can_resolve=self.access.can(Action.MANAGE),
            **kwargs,
        )


class DisputeActionView(PartnershipScopedMixin, View):
    """POST a comment (`action=comment`) or the resolution (`action=resolve`)."""

    http_method_names = ["post"]
    write_action = Action.PARTICIPATE
    pk_url_kwarg = "dispute_id"
    action = "comment"

    def scoped_queryset(self, partnership):
        return selectors.disputes_for_partnership(partnership=partnership)

    def post(self, request, partnership_id, dispute_id):
        dispute = self.get_object()
        try:
            if self.action == "resolve":
                dispute_resolve(
                    actor=request.user,
                    dispute=dispute,
                    resolution=request.POST.get("resolution", ""),
                )
                messages.success(request, _("Dispute resolved."))
            else:
                dispute_comment(
                    actor=request.user, dispute=dispute, text=request.POST.get("text", "")
                )
        except (ValidationError, PermissionDenied) as exc:
            _report(request, exc)
        return redirect(dispute_url(dispute))
