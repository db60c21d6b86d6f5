"""HTML pages of a partnership's contracts: the list, one contract, creating or editing one,
deleting one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, View

from .. import selectors, services
from ..forms import ContractForm
from ..models import Contract
from ..scoping import PartnershipScopedMixin
from .base import apply_errors, nothing_changed


class ContractListView(PartnershipScopedMixin, ListView):
    template_name = "partnership/contracts.html"
    context_object_name = "contracts"

    def scoped_queryset(self, partnership):
        return selectors.contracts_for_partnership(partnership=partnership)


class ContractDetailView(PartnershipScopedMixin, DetailView):
    template_name = "partnership/contract_detail.html"
    context_object_name = "contract"
    pk_url_kwarg = "contract_id"

    def scoped_queryset(self, partnership):
        return selectors.contracts_for_partnership(partnership=partnership)


class ContractFormView(PartnershipScopedMixin, FormView):
    """Create (no contract_id in the URL) or edit a contract."""

    template_name = "partnership/contract_form.html"
    form_class = ContractForm
    pk_url_kwarg = "contract_id"

    def scoped_queryset(self, partnership):
        return selectors.contracts_for_partnership(partnership=partnership)

    def get_instance(self):
        if "contract_id" not in self.kwargs:
            return None
        if not hasattr(self, "_instance"):
            self._instance = self.get_object()
        return self._instance

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": self.get_instance() or Contract(partnership=self.partnership),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(contract=self.get_instance(), **kwargs)

    def form_valid(self, form):
        contract = self.get_instance()
        if contract is not None and nothing_changed(self.request, form):
            return redirect(
                "partnership:contract_detail",
                partnership_id=self.partnership.pk,
                contract_id=contract.pk,
            )
        fields = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            if self.get_instance() is None:
                contract = services.contract_create(
                    actor=self.request.user, partnership=self.partnership, **fields
                )
            else:
                contract = services.contract_update(
                    actor=self.request.user, contract=self.get_instance(), **fields
                )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Contract saved."))
        return redirect(
            "partnership:contract_detail",
            partnership_id=self.partnership.pk,
            contract_id=contract.pk,
        )


class ContractDeleteView(PartnershipScopedMixin, View):
    http_method_names = ["post"]
    pk_url_kwarg = "contract_id"

    def scoped_queryset(self, partnership):
        return selectors.contracts_for_partnership(partnership=partnership)

    def post(self, request, partnership_id, contract_id):
        services.contract_delete(actor=request.user, contract=self.get_object())
        messages.success(request, _("Contract deleted."))
        return redirect("partnership:contracts", partnership_id=self.partnership.pk)
