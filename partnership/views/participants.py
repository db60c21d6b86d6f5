"""HTML pages of a partnership's participants: the list with adding one, the invitation of a new
organisation sent again, a participant's title, removing one."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, View

from .. import selectors, services, services_orgs
from ..forms import ParticipantAddForm, ParticipantTitleForm
from ..models import Invitation, Participant
from ..scoping import PartnershipScopedMixin
from .base import apply_errors, nothing_changed


class ParticipantListView(PartnershipScopedMixin, FormView):
    template_name = "partnership/participants.html"
    form_class = ParticipantAddForm
    shows_form_on_get = False  # everyone reads the list; only managers see and post the form

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "partnership": self.partnership, "sides": self.sides}

    @cached_property
    def sides(self) -> tuple[str, ...]:
        """The sides whose people this user looks after here (none unless a manager)."""
        return services.manageable_sides(actor=self.request.user, partnership=self.partnership)

    def get_context_data(self, **kwargs):
        if self.access.is_manager:
            kwargs["open_invitations"] = selectors.open_invitations_for_partnership(
                partnership=self.partnership
            )
        people = list(selectors.participants_with_former(partnership=self.partnership))
        return super().get_context_data(
            participants=[p for p in people if not p.is_former],
            former_participants=[p for p in people if p.is_former],
            manageable_sides=self.sides,
            **kwargs,
        )

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            added = services.participant_add_by_email(
                actor=self.request.user,
                partnership=self.partnership,
                email=d["email"],
                side=d["side"],
                title=d["title"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "user" in exc.error_dict:  # the person: by address
                exc = ValidationError({"email": exc.error_dict["user"]})
            apply_errors(form, exc)
            return self.form_invalid(form)
        if isinstance(added, Invitation):
            messages.success(
                self.request,
                _("Invitation sent to %(email)s. They join as facilitator when they accept it.")
                % {"email": added.email},
            )
        else:
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
        if nothing_changed(self.request, form):
            return redirect("partnership:participants", partnership_id=self.partnership.pk)
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
        participant = self.get_object()
        services.participant_remove(actor=request.user, participant=participant)
        if Participant.including_former.filter(pk=participant.pk).exists():
            messages.success(
                request,
                _(
                    "%(name)s is now a former participant: their ratings stay, their access "
                    "ends. Add them again to re-activate them."
                )
                % {"name": participant.user.display_name},
            )
        else:
            messages.success(request, _("Participant removed."))
        return redirect("partnership:participants", partnership_id=self.partnership.pk)
