"""HTML pages of an organisation: list, create, members, invitations and settings.

Every page under /orgs/<slug>/ subclasses `OrganizationScopedMixin`: a non-member gets 404 on
every route and method, a member without the admin role gets 403 on every change.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from .. import services_orgs
from ..forms_orgs import (
    InvitationForm,
    MembershipRoleForm,
    OrganizationCreateForm,
    OrganizationSettingsForm,
)
from ..models import Invitation, Membership, Partnership, Role
from ..scoping import OrganizationScopedMixin
from .base import apply_errors, nothing_changed

ADMIN_ONLY = (Role.ADMIN,)
PAGE_SIZE = 50


def _error_message(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


class OrganizationListView(LoginRequiredMixin, TemplateView):
    template_name = "orgs/list.html"

    def get_context_data(self, **kwargs):
        memberships = (
            Membership.objects.filter(user=self.request.user)
            .select_related("organization")
            .annotate(member_count=Count("organization__memberships"))
            .order_by("organization__name")
        )
        return super().get_context_data(memberships=memberships, **kwargs)


class OrganizationCreateView(LoginRequiredMixin, FormView):
    template_name = "orgs/create.html"
    form_class = OrganizationCreateForm

    def form_valid(self, form):
        try:
            organization = services_orgs.organization_create(
                actor=self.request.user,
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Organisation %(name)s created. You are its admin.") % {"name": organization.name},
        )
        return redirect("orgs:detail", slug=organization.slug)


class OrganizationDetailView(OrganizationScopedMixin, TemplateView):
    template_name = "orgs/detail.html"
    http_method_names = ["get", "head", "options"]

    def get_context_data(self, **kwargs):
        org = self.organization
        members = Membership.objects.filter(organization=org).aggregate(
            total=Count("pk"), admins=Count("pk", filter=Q(role=Role.ADMIN))
        )
        partnership_count = Partnership.objects.filter(Q(client=org) | Q(supplier=org)).count()
        pending = Invitation.objects.filter(organization=org).pending().count()
        return super().get_context_data(
            member_count=members["total"],
            admin_count=members["admins"],
            partnership_count=partnership_count,
            pending_invitation_count=pending,
            **kwargs,
        )


class MemberListView(OrganizationScopedMixin, TemplateView):
    """Every member may see who else is in the organisation; only admins change it."""

    template_name = "orgs/members.html"
    http_method_names = ["get", "head", "options"]

    def scoped_queryset(self, organization):
        return (
            Membership.objects.filter(organization=organization)
            .select_related("user")
            .order_by("user__full_name", "user__email")
        )

    def get_context_data(self, **kwargs):
        page = Paginator(self.get_queryset(), PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page, memberships=page.object_list, role_choices=Role.choices, **kwargs
        )


class _MembershipChangeView(OrganizationScopedMixin, View):
    read_roles = ADMIN_ONLY
    http_method_names = ["post"]
    pk_url_kwarg = "membership_id"

    def scoped_queryset(self, organization):
        return Membership.objects.filter(organization=organization).select_related(
            "user", "organization"
        )


class MembershipRoleView(_MembershipChangeView):
    def post(self, request, slug, membership_id):
        membership = self.get_object()
        form = MembershipRoleForm(request.POST, initial={"role": membership.role})
        if not form.is_valid():
            messages.error(request, _("Choose a valid role."))
            return redirect("orgs:members", slug=self.organization.slug)
        if nothing_changed(request, form):
            return redirect("orgs:members", slug=self.organization.slug)
        try:
            services_orgs.membership_change_role(
                actor=request.user, membership=membership, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user.display_name, "role": membership.get_role_display()},
            )
        return redirect("orgs:members", slug=self.organization.slug)


class MembershipRemoveView(_MembershipChangeView):
    def post(self, request, slug, membership_id):
        membership = self.get_object()
        try:
            services_orgs.membership_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            _error_message(request, exc)
            return redirect("orgs:members", slug=self.organization.slug)
        if membership.user_id == request.user.pk:
            messages.success(request, _("You left %(org)s.") % {"org": self.organization.name})
            return redirect("orgs:list")
        messages.success(
            request,
            _("%(name)s was removed from %(org)s.")
            % {"name": membership.user.display_name, "org": self.organization.name},
        )
        return redirect("orgs:members", slug=self.organization.slug)


class InvitationListView(OrganizationScopedMixin, FormView):
    """The organisation's invitations with their status, and the form to send a new one."""

    template_name = "orgs/invitations.html"
    form_class = InvitationForm
    read_roles = ADMIN_ONLY

    def scoped_queryset(self, organization):
        return Invitation.objects.filter(organization=organization).select_related(
            "invited_by", "accepted_by", "partnership"
        )

    def get_context_data(self, **kwargs):
        page = Paginator(self.get_queryset(), PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page_obj=page, invitations=page.object_list, **kwargs)

    def form_valid(self, form):
        try:
            invitation = services_orgs.invitation_send(
                actor=self.request.user,
                organization=self.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
        )
        return redirect("orgs:invitations", slug=self.organization.slug)


class _InvitationChangeView(OrganizationScopedMixin, View):
    read_roles = ADMIN_ONLY
    http_method_names = ["post"]
    pk_url_kwarg = "invitation_id"

    def scoped_queryset(self, organization):
        return Invitation.objects.filter(organization=organization).select_related("organization")


class InvitationRevokeView(_InvitationChangeView):
    def post(self, request, slug, invitation_id):
        invitation = self.get_object()
        try:
            services_orgs.invitation_revoke(actor=request.user, invitation=invitation)
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            messages.success(
                request,
                _("The invitation for %(email)s was withdrawn.") % {"email": invitation.email},
            )
        return redirect("orgs:invitations", slug=self.organization.slug)


class InvitationResendView(_InvitationChangeView):
    def post(self, request, slug, invitation_id):
        invitation = self.get_object()
        try:
            services_orgs.invitation_resend(actor=request.user, invitation=invitation)
        except ValidationError as exc:
            _error_message(request, exc)
        else:
            messages.success(
                request,
                _("A new link was sent to %(email)s; the previous link no longer works.")
                % {"email": invitation.email},
            )
        return redirect("orgs:invitations", slug=self.organization.slug)


class OrganizationSettingsView(OrganizationScopedMixin, FormView):
    template_name = "orgs/settings.html"
    form_class = OrganizationSettingsForm
    read_roles = ADMIN_ONLY

    def get_initial(self):
        return {"name": self.organization.name, "require_mfa": self.organization.require_mfa}

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect("orgs:settings", slug=self.organization.slug)
        switched_on = form.cleaned_data["require_mfa"] and not self.organization.require_mfa
        try:
            services_orgs.organization_update(
                actor=self.request.user,
                organization=self.organization,
                name=form.cleaned_data["name"],
                require_mfa=form.cleaned_data["require_mfa"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Changes saved."))
        if switched_on:
            messages.info(
                self.request,
                _(
                    "Members without two-factor authentication will be asked to set it up "
                    "the next time they open a page."
                ),
            )
        return redirect("orgs:settings", slug=self.organization.slug)
