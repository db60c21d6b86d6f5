"""HTML pages of the tenancy core: dashboard, partnerships, participants, contracts, history."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from .. import selectors, services, services_orgs
from ..access import Action
from ..forms import (
    ContractForm,
    ParticipantAddForm,
    ParticipantTitleForm,
    PartnershipCreateForm,
    PartnershipForm,
    PhaseForm,
)
from ..models import Contract, Invitation, Membership, Participant, Phase, Role, Service
from ..panels import card_panels, overview_panels
from ..phases import checklist_for
from ..scoping import PartnershipScopedMixin


def apply_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, next to the field when it names one."""
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, error)


DASHBOARD_CARDS = 12


@login_required
def dashboard(request):
    visible = selectors.partnerships_for_user(user=request.user)
    total = visible.count()
    # The dashboard shows the first cards; the full, filterable list is one click away.
    partnerships = list(visible[:DASHBOARD_CARDS])
    sides = selectors.my_sides(user=request.user, partnerships=partnerships)
    extras = card_panels(partnerships, user=request.user)
    rows = [
        {
            "partnership": p,
            "side": sides.get(p.pk),
            "other": p.supplier if sides.get(p.pk) == "client" else p.client,
            "panels": extras.get(p.pk, []),
        }
        for p in partnerships
    ]
    can_create = Membership.objects.filter(
        user=request.user, role__in=[Role.ADMIN, Role.MANAGER]
    ).exists()
    has_org = can_create or Membership.objects.filter(user=request.user).exists()
    return render(
        request,
        "partnership/dashboard.html",
        {"rows": rows, "can_create": can_create, "has_org": has_org, "total": total},
    )


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


class ParticipantListView(PartnershipScopedMixin, FormView):
    template_name = "partnership/participants.html"
    form_class = ParticipantAddForm
    shows_form_on_get = False  # everyone reads the list; only managers see and post the form

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership": self.partnership}

    def get_context_data(self, **kwargs):
        if self.access.is_manager:
            kwargs["open_invitations"] = selectors.open_invitations_for_partnership(
                partnership=self.partnership
            )
        return super().get_context_data(
            participants=selectors.participants_for_partnership(partnership=self.partnership),
            **kwargs,
        )

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            services.participant_add(
                actor=self.request.user,
                partnership=self.partnership,
                user=d["user"],
                side=d["side"],
                title=d["title"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Participant added."))
        return redirect("partnership:participants", partnership_id=self.partnership.pk)


class PartnershipInvitationResendView(PartnershipScopedMixin, View):
    """Resend the invitation that brings a new organisation into this partnership."""

    http_method_names = ["post"]
    pk_url_kwarg = "invitation_id"

    def scoped_queryset(self, partnership):
        return selectors.open_invitations_for_partnership(partnership=partnership)

    def post(self, request, partnership_id, invitation_id):
        invitation = self.get_object()
        try:
            services_orgs.partnership_invitation_resend(actor=request.user, invitation=invitation)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Invitation sent again to %(email)s.") % {"email": invitation.email}
            )
        return redirect("partnership:participants", partnership_id=self.partnership.pk)


class ParticipantEditView(PartnershipScopedMixin, FormView):
    template_name = "partnership/participant_edit.html"
    form_class = ParticipantTitleForm
    pk_url_kwarg = "participant_id"

    def scoped_queryset(self, partnership):
        return selectors.participants_for_partnership(partnership=partnership)

    def get_initial(self):
        return {"title": self.get_object().title}

    def get_context_data(self, **kwargs):
        return super().get_context_data(participant=self.get_object(), **kwargs)

    def form_valid(self, form):
        services.participant_update(
            actor=self.request.user, participant=self.get_object(), title=form.cleaned_data["title"]
        )
        messages.success(self.request, _("Changes saved."))
        return redirect("partnership:participants", partnership_id=self.partnership.pk)


class ParticipantRemoveView(PartnershipScopedMixin, View):
    http_method_names = ["post"]
    pk_url_kwarg = "participant_id"

    def scoped_queryset(self, partnership):
        return Participant.objects.filter(partnership=partnership)

    def post(self, request, partnership_id, participant_id):
        services.participant_remove(actor=request.user, participant=self.get_object())
        messages.success(request, _("Participant removed."))
        return redirect("partnership:participants", partnership_id=self.partnership.pk)


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


class HistoryView(PartnershipScopedMixin, TemplateView):
    template_name = "partnership/history.html"

    def get_context_data(self, **kwargs):
        from ..history import history_for_partnership

        page = Paginator(history_for_partnership(partnership=self.partnership), 50).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(page_obj=page, entries=page.object_list, **kwargs)


# --- Invitations (the link in the e-mail) ----------------------------------------------------


def invitation_accept(request, token):
    invitation = (
        Invitation.objects.select_related("organization", "partnership", "invited_by")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        request.session.pop("pending_invitation", None)
        raise Http404
    if request.user.is_authenticated and request.user.email.lower() != invitation.email.lower():
        # The link belongs to someone else: to a signed-in stranger it does not exist.
        request.session.pop("pending_invitation", None)
        raise Http404
    if not request.user.is_authenticated:
        if invitation.status == "pending":
            request.session["pending_invitation"] = token
        return render(request, "partnership/invitation_anonymous.html", {"invitation": invitation})
    if request.method == "POST":
        request.session.pop("pending_invitation", None)
        try:
            services_orgs.invitation_accept(user=request.user, token=token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("partnership:dashboard")
        messages.success(request, _("Welcome to %(org)s.") % {"org": invitation.organization.name})
        if invitation.partnership_id:
            return redirect(invitation.partnership)
        return redirect("partnership:dashboard")
    if invitation.status != "pending":
        request.session.pop("pending_invitation", None)
    return render(request, "partnership/invitation_accept.html", {"invitation": invitation})


# --- Notifications ---------------------------------------------------------------------------


@login_required
def notification_list(request):
    page = Paginator(selectors.notifications_for_user(user=request.user), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request, "partnership/notifications.html", {"page_obj": page, "notifications": page}
    )


@login_required
def notification_read(request, notification_id):
    from ..models import Notification
    from ..notifications import notification_mark_read

    # Look the notification up before checking the method: someone else's is simply not there.
    notification = Notification.objects.filter(user=request.user, pk=notification_id).first()
    if notification is None:
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect(reverse("partnership:notifications"))


@login_required
@require_POST
def notification_read_all(request):
    from ..notifications import notification_mark_read

    notification_mark_read(user=request.user)
    messages.success(request, _("All notifications marked as read."))
    return redirect("partnership:notifications")
