"""HTML pages of KPIs: the board, definitions, the library, a KPI's history and value entry."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from partnership.access import Action
from partnership.htmx import is_htmx
from partnership.scoping import PartnershipScopedMixin
from partnership.views import apply_errors, nothing_changed

from .. import library, selectors, services, services_norms
from ..charts import sparkline
from ..forms import KPIForm, MeasurementForm
from ..models import Frequency
from ..selectors import open_disputes
from ..services_disputes import can_dispute

BOARD_PERIODS = 12


def _can_report(access, kpi) -> bool:
    """Whether to offer value entry: the service's own rule, asked without writing."""
    try:
        services.measurement_report_require(access, kpi)
    except (PermissionDenied, ValidationError):
        return False
    return True


class KPIBoardView(PartnershipScopedMixin, TemplateView):
    template_name = "kpis/board.html"

    def get_context_data(self, **kwargs):
        rows = selectors.kpi_board(partnership=self.partnership, periods=BOARD_PERIODS)
        for row in rows:
            row.chart = sparkline(row.history, target=row.kpi.target, label=row.kpi.name)
        return super().get_context_data(
            rows=rows,
            summary=selectors.status_summary(rows),
            can_import=self.access.can(Action.PARTICIPATE),
            can_manage=self.access.can(Action.MANAGE),
            **kwargs,
        )


class KPIFormView(PartnershipScopedMixin, FormView):
    """Define a KPI (no kpi_id in the URL) or change one."""

    template_name = "kpis/kpi_form.html"
    form_class = KPIForm
    pk_url_kwarg = "kpi_id"

    def scoped_queryset(self, partnership):
        return selectors.kpis_for_partnership(partnership=partnership)

    def get_instance(self):
        if "kpi_id" not in self.kwargs:
            return None
        if not hasattr(self, "_instance"):
            self._instance = self.get_object()
        return self._instance

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_instance()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(kpi=self.get_instance(), **kwargs)

    def form_valid(self, form):
        if self.get_instance() is not None and nothing_changed(self.request, form):
            return redirect(
                "kpis:detail", partnership_id=self.partnership.pk, kpi_id=self.get_instance().pk
            )
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        proposal = None
        try:
            if self.get_instance() is None:
                kpi = services.kpi_create(
                    actor=self.request.user, partnership=self.partnership, **fields
                )
            else:
                kpi, proposal = services.kpi_update(
                    actor=self.request.user,
                    kpi=self.get_instance(),
                    reason=self.request.POST.get("norm_reason", "")[:2000],
                    **fields,
                )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        if proposal is not None:
            messages.success(
                self.request,
                _(
                    "KPI saved. The new norm is proposed to the other side and applies once "
                    "their manager accepts it."
                ),
            )
        else:
            messages.success(self.request, _("KPI saved."))
        return redirect("kpis:detail", partnership_id=self.partnership.pk, kpi_id=kpi.pk)


class KPILibraryView(PartnershipScopedMixin, TemplateView):
    template_name = "kpis/library.html"
    read_action = Action.MANAGE

    def get_context_data(self, **kwargs):
        taken = set(
            selectors.kpis_for_partnership(partnership=self.partnership).values_list(
                "name", flat=True
            )
        )
        templates = [
            (t, str(t.name) in taken) for t in library.templates_for(self.partnership.services)
        ]
        return super().get_context_data(templates=templates, **kwargs)

    def post(self, request, partnership_id):
        try:
            kpi = services.kpi_copy_from_library(
                actor=request.user, partnership=self.partnership, key=request.POST.get("key", "")
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("kpis:library", partnership_id=self.partnership.pk)
        messages.success(request, _("KPI added. Adjust the target to what you agreed."))
        return redirect("kpis:edit", partnership_id=self.partnership.pk, kpi_id=kpi.pk)


class KPIDetailView(PartnershipScopedMixin, TemplateView):
    """A KPI: its chart, value entry, the values by period and the norm with its proposals."""

    template_name = "kpis/detail.html"
    pk_url_kwarg = "kpi_id"

    def scoped_queryset(self, partnership):
        return selectors.kpis_for_partnership(partnership=partnership)

    def kpi(self):
        if not hasattr(self, "_kpi"):
            self._kpi = self.get_object()
        return self._kpi

    def get_context_data(self, **kwargs):
        kpi = self.kpi()
        rows = selectors.kpi_board(partnership=self.partnership, periods=24, kpi=kpi)
        chart = (
            sparkline(rows[0].history, target=kpi.target, width=640, height=160, label=kpi.name)
            if rows
            else ""
        )
        page = Paginator(
            selectors.measurements_for_partnership(partnership=self.partnership)
            .filter(kpi=kpi)
            .prefetch_related(open_disputes("disputes"))
            .order_by("-period_start"),
            24,
        ).get_page(self.request.GET.get("page"))
        proposals = list(selectors.norm_proposals_for_kpi(kpi=kpi)[:20])
        proposal = next((p for p in proposals if p.is_open), None)
        can_report = _can_report(self.access, kpi) and not self.partnership.is_archived
        if "form" not in kwargs and can_report:
            period = selectors.entry_period(kpi=kpi)
            kwargs["form"] = MeasurementForm(initial={"period": period.label})
        return super().get_context_data(
            kpi=kpi,
            latest=rows[0].latest if rows else None,
            chart=chart,
            page_obj=page,
            measurements=page.object_list,
            can_report=can_report,
            can_dispute=can_dispute(self.access, kpi),
            can_edit=self.access.can(Action.MANAGE),
            proposal=proposal,
            proposals=proposals,
            can_decide=services_norms.can_decide(self.access, proposal),
            can_withdraw=services_norms.can_withdraw(self.access, proposal),
            **kwargs,
        )


class MeasurementRecordView(KPIDetailView):
    """POST a value for a period. Replacing a stored value asks for confirmation first (the
    form comes back with the old value and a `replaces` version to confirm); with htmx the
    KPI's live part (chart, form, values) is swapped in place, so the page shows the new value."""

    http_method_names = ["post"]
    write_action = Action.PARTICIPATE

    def post(self, request, partnership_id, kpi_id):
        kpi = self.kpi()
        form = MeasurementForm(request.POST, request.FILES)
        saved, conflict = None, None
        if form.is_valid():
            try:
                saved = services.measurement_record(
                    actor=request.user,
                    kpi=kpi,
                    if_match=request.POST.get("replaces") or None,
                    **form.cleaned_data,
                )
            except services.OverwriteRequired as exc:
                conflict = exc
            except ValidationError as exc:
                apply_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You cannot report this KPI."))
        if saved is not None:
            form = None  # a fresh form proposing the next period without a value
        context = self.get_context_data(
            saved=saved, conflict=conflict, **({"form": form} if form is not None else {})
        )
        if form is not None and form.errors:
            context["can_report"] = True  # show the form with why it was refused
        if is_htmx(request):
            return render(request, "kpis/_detail_live.html", context)
        if saved is not None:
            messages.success(request, _("Value saved for %(period)s.") % {"period": saved.period})
            return redirect("kpis:detail", partnership_id=self.partnership.pk, kpi_id=kpi.pk)
        return self.render_to_response(context, status=200 if conflict else 400)


class NormProposalDecisionView(PartnershipScopedMixin, View):
    """Accept, reject or withdraw a norm proposal (the service decides who may)."""

    http_method_names = ["post"]
    write_action = Action.MANAGE
    pk_url_kwarg = "proposal_id"
    decision = "accept"

    def scoped_queryset(self, partnership):
        return selectors.norm_proposals_for_partnership(partnership=partnership).filter(
            kpi_id=self.kwargs["kpi_id"]
        )

    def post(self, request, partnership_id, kpi_id, proposal_id):
        proposal = self.get_object()
        reason = request.POST.get("reason", "")[:2000]
        try:
            if self.decision == "accept":
                services_norms.norm_proposal_accept(
                    actor=request.user, proposal=proposal, reason=reason
                )
                messages.success(request, _("Norm change accepted; the KPI uses the new norm."))
            elif self.decision == "reject":
                services_norms.norm_proposal_reject(
                    actor=request.user, proposal=proposal, reason=reason
                )
                messages.success(request, _("Norm change rejected; the norm stays as it was."))
            else:
                services_norms.norm_proposal_withdraw(actor=request.user, proposal=proposal)
                messages.success(request, _("Norm proposal withdrawn."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("kpis:detail", partnership_id=self.partnership.pk, kpi_id=kpi_id)


class KPIBoardExportView(PartnershipScopedMixin, View):
    """The board as CSV or XLSX (chosen by the URL's suffix)."""

    http_method_names = ["get"]
    file_format = "csv"

    def get(self, request, partnership_id):
        from django.http import HttpResponse
        from django.utils import timezone

        from ..export import board_table, to_csv, to_xlsx

        rows = selectors.kpi_board(partnership=self.partnership, periods=BOARD_PERIODS)
        header, table = board_table(rows)
        stamp = timezone.localdate().isoformat()
        if self.file_format == "xlsx":
            body = to_xlsx(header, table, title=_("KPIs"))
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body, content_type = to_csv(header, table), "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="kpis-{stamp}.{self.file_format}"'
        return response


IMPORT_SESSION_KEY = "kpis.import.pending"


class MeasurementImportView(PartnershipScopedMixin, TemplateView):
    """Upload a CSV or XLSX of values: every row checked first, then all written or none.

    Rows that would replace stored values are listed (old → new) and written only after the
    user confirms; the checked rows wait in the session meanwhile, so the file is not sent again.
    """

    template_name = "kpis/import.html"
    read_action = Action.PARTICIPATE
    write_action = Action.PARTICIPATE

    def get_context_data(self, **kwargs):
        from ..imports import headers

        return super().get_context_data(headers=headers(), board_periods=BOARD_PERIODS, **kwargs)

    def post(self, request, partnership_id):
        from ..imports import read_measurements

        pending = request.session.get(IMPORT_SESSION_KEY) or {}
        if request.POST.get("confirm") and pending.get("partnership") == str(self.partnership.pk):
            return self._write(request, pending["rows"], pending["numbers"], overwrite=True)
        upload = request.FILES.get("file")
        if upload is None:
            return self.render_to_response(
                self.get_context_data(error=_("Choose a CSV or Excel file."))
            )
        try:
            numbered = read_measurements(upload)
        except ValidationError as exc:
            return self.render_to_response(self.get_context_data(error=" ".join(exc.messages)))
        rows, numbers = [r for _n, r in numbered], [n for n, _r in numbered]
        return self._write(request, rows, numbers, overwrite=False)

    def _write(self, request, rows, numbers, *, overwrite: bool):
        from ..imports import HEADERS
        from ..services_bulk import RowErrors, measurements_bulk_check, measurements_bulk_upsert

        request.session.pop(IMPORT_SESSION_KEY, None)
        try:
            if not overwrite:
                replacing = measurements_bulk_check(
                    actor=request.user, partnership=self.partnership, rows=rows
                )
                if replacing:
                    request.session[IMPORT_SESSION_KEY] = {
                        "partnership": str(self.partnership.pk),
                        "rows": rows,
                        "numbers": numbers,
                    }
                    listed = [(numbers[r.number - 1], r) for r in replacing]
                    return self.render_to_response(
                        self.get_context_data(replacing=listed, total=len(rows))
                    )
            result = measurements_bulk_upsert(
                actor=request.user,
                partnership=self.partnership,
                rows=rows,
                overwrite=overwrite,
            )
        except RowErrors as exc:
            errors = sorted(
                (
                    numbers[number - 1],
                    str(HEADERS.get(field, field)),
                    " ".join(str(m) for m in messages_),
                )
                for number, fields in exc.rows.items()
                for field, messages_ in fields.items()
            )
            return self.render_to_response(self.get_context_data(row_errors=errors))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            return self.render_to_response(self.get_context_data(error=text))
        messages.success(
            request,
            _("Import done: %(created)s new values, %(updated)s updated.")
            % {"created": result.created, "updated": result.updated},
        )
        self._explain_hidden(request, rows)
        return redirect("kpis:board", partnership_id=self.partnership.pk)

    def _explain_hidden(self, request, rows) -> None:
        """Say why imported values for older periods do not show on the board."""
        shown = {
            p.label
            for window in selectors.board_windows(
                selectors.contract_span(partnership=self.partnership),
                BOARD_PERIODS,
                timezone.localdate(),
            ).values()
            for p in window
        }
        hidden = sorted({str(r.get("period", "")).strip() for r in rows} - shown - {""})
        if hidden:
            messages.info(
                request,
                _(
                    "Values for %(periods)s are stored but not on the board: it shows the last "
                    "%(count)s ended periods inside the contract. Open a KPI to see all its "
                    "values."
                )
                % {"periods": ", ".join(hidden[:6]), "count": BOARD_PERIODS},
            )


class MeasurementImportTemplateView(PartnershipScopedMixin, View):
    """The import template as CSV or XLSX: headers in the page's language, a row per KPI the
    user reports with the latest ended period filled in."""

    http_method_names = ["get"]
    read_action = Action.PARTICIPATE
    file_format = "csv"

    def get(self, request, partnership_id):
        from django.http import HttpResponse

        from partnership.periods import last_periods

        from ..export import to_csv, to_xlsx
        from ..imports import template_table

        kpis = [
            kpi
            for kpi in selectors.kpis_for_partnership(
                partnership=self.partnership, active_only=True
            )
            if _can_report(self.access, kpi)
        ]
        today = timezone.localdate()
        periods = {f: last_periods(f, 1, today)[-1] for f in Frequency.values}
        header, table = template_table(kpis, periods)
        name = _("import-template")
        if self.file_format == "xlsx":
            body = to_xlsx(header, table, title=_("Values"))
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body, content_type = to_csv(header, table), "text/csv; charset=utf-8"
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}.{self.file_format}"'
        return response


class MeasurementEvidenceView(PartnershipScopedMixin, View):
    """The evidence file of a value, only to those who see the partnership."""

    http_method_names = ["get"]
    pk_url_kwarg = "measurement_id"

    def scoped_queryset(self, partnership):
        return selectors.measurements_for_partnership(partnership=partnership).filter(
            kpi_id=self.kwargs["kpi_id"]
        )

    def get(self, request, partnership_id, kpi_id, measurement_id):
        from django.http import Http404

        from partnership.uploads import download_response

        measurement = self.get_object()
        if not measurement.evidence:
            raise Http404
        return download_response(
            measurement.evidence,
            filename=measurement.evidence_name,
            content_type=measurement.evidence_type,
        )
