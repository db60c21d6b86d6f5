"""The indicator workshop: a set version, its indicators, the sign-offs of both sides.

Reading a set needs READ; everything that changes one needs MANAGE (the services check it too).
A change to a draft voids its sign-offs (the service does it); the pages say so beforehand.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from partnership.access import Action
from partnership.models import Side
from partnership.scoping import PartnershipScopedMixin
from partnership.views import apply_errors, nothing_changed

from .. import library, selectors, services
from ..forms import IndicatorForm
from .home import sign_off_status

FORM_FIELDS = IndicatorForm.Meta.fields


def _error(request, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


def _to_set(indicator_set):
    return redirect("sti:set", partnership_id=indicator_set.partnership_id, set_id=indicator_set.pk)


class _SetMixin(PartnershipScopedMixin):
    pk_url_kwarg = "set_id"

    def scoped_queryset(self, partnership):
        return selectors.sets_for_partnership(partnership=partnership)


class _IndicatorMixin(PartnershipScopedMixin):
    pk_url_kwarg = "indicator_id"

    def scoped_queryset(self, partnership):
        # The indicator must sit in the set named by the URL, and that set in this partnership.
        return selectors.indicators_for_partnership(partnership=partnership).filter(
            indicator_set_id=self.kwargs["set_id"]
        )


class SetNewView(PartnershipScopedMixin, View):
    """Start the workshop (version 1) or a new version copied from the set in use."""

    http_method_names = ["post"]

    def post(self, request, partnership_id):
        try:
            draft = services.indicator_set_draft(actor=request.user, partnership=self.partnership)
        except ValidationError as exc:
            _error(request, exc)
            existing = selectors.draft_set(partnership=self.partnership)
            return _to_set(existing) if existing else redirect("sti:home", partnership_id)
        messages.success(request, _("Version %(version)s started.") % {"version": draft.version})
        return _to_set(draft)


class SetDetailView(_SetMixin, TemplateView):
    template_name = "sti/set.html"

    def get_context_data(self, **kwargs):
        indicator_set = self.get_object()
        sign_offs = list(indicator_set.sign_offs.select_related("user"))
        can_manage = self.access.can(Action.MANAGE)
        # Only the set in use leads on to a newer draft (to start one, or to the one started).
        draft = (
            selectors.draft_set(partnership=self.partnership) if indicator_set.is_current else None
        )
        return super().get_context_data(
            indicator_set=indicator_set,
            indicators=list(selectors.indicators_of(indicator_set=indicator_set)),
            sign_offs=sign_off_status(indicator_set, sign_offs),
            can_edit=can_manage and indicator_set.is_draft,
            my_side_signed=any(s.side == self.access.side for s in sign_offs),
            my_side_label=Side(self.access.side).label if self.access.side else "",
            newer_draft=draft,
            can_start_version=can_manage and indicator_set.is_current and draft is None,
            **kwargs,
        )


class SetSignOffView(_SetMixin, View):
    http_method_names = ["post"]

    def post(self, request, partnership_id, set_id):
        indicator_set = self.get_object()
        try:
            services.indicator_set_sign_off(actor=request.user, indicator_set=indicator_set)
        except ValidationError as exc:
            _error(request, exc)
            return _to_set(indicator_set)
        indicator_set.refresh_from_db()
        if indicator_set.is_current:
            messages.success(
                request,
                _("Signed off by both sides: version %(version)s is now the set in use.")
                % {"version": indicator_set.version},
            )
        else:
            messages.success(
                request, _("Signed off for your side. The other side's manager is asked to sign.")
            )
        return _to_set(indicator_set)


class SetDiscardView(_SetMixin, View):
    http_method_names = ["post"]

    def post(self, request, partnership_id, set_id):
        indicator_set = self.get_object()
        try:
            services.indicator_set_discard(actor=request.user, indicator_set=indicator_set)
        except ValidationError as exc:
            _error(request, exc)
            return _to_set(indicator_set)
        messages.success(request, _("The draft is discarded."))
        return redirect("sti:home", partnership_id=self.partnership.pk)


class IndicatorAddView(_SetMixin, FormView):
    """Add from the library (one button each) or write a custom indicator."""

    template_name = "sti/indicator_add.html"
    form_class = IndicatorForm

    def get(self, request, *args, **kwargs):
        indicator_set = self.get_object()
        if not indicator_set.is_draft:
            messages.error(request, _("This version is signed off; start a new version first."))
            return _to_set(indicator_set)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        indicator_set = self.get_object()
        taken = set(indicator_set.indicators.values_list("library_key", flat=True))
        return super().get_context_data(
            indicator_set=indicator_set,
            library=[(item, item.key in taken) for item in library.LIBRARY],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if "library_key" in request.POST:
            return self._add_from_library(request.POST["library_key"])
        return super().post(request, *args, **kwargs)

    def _add_from_library(self, key: str):
        indicator_set = self.get_object()
        try:
            indicator = services.indicator_add(
                actor=self.request.user, indicator_set=indicator_set, library_key=key
            )
        except ValidationError as exc:
            _error(self.request, exc)
            return redirect(
                "sti:indicator_add", partnership_id=self.partnership.pk, set_id=indicator_set.pk
            )
        messages.success(
            self.request, _("Indicator added. Now write what it means in this partnership.")
        )
        return redirect(
            "sti:indicator_edit",
            partnership_id=self.partnership.pk,
            set_id=indicator_set.pk,
            indicator_id=indicator.pk,
        )

    def form_valid(self, form):
        indicator_set = self.get_object()
        try:
            services.indicator_add(
                actor=self.request.user,
                indicator_set=indicator_set,
                **{f: form.cleaned_data[f] for f in FORM_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Indicator added."))
        return _to_set(indicator_set)


class IndicatorEditView(_IndicatorMixin, FormView):
    template_name = "sti/indicator_form.html"
    form_class = IndicatorForm

    def get(self, request, *args, **kwargs):
        indicator = self._indicator()
        if not indicator.indicator_set.is_draft:
            messages.error(request, _("This version is signed off; start a new version first."))
            return _to_set(indicator.indicator_set)
        return super().get(request, *args, **kwargs)

    def _indicator(self):
        if not hasattr(self, "_object"):
            self._object = self.get_object()
        return self._object

    def get_initial(self):
        return model_to_dict(self._indicator(), fields=FORM_FIELDS)

    def get_context_data(self, **kwargs):
        indicator = self._indicator()
        return super().get_context_data(
            indicator=indicator,
            indicator_set=indicator.indicator_set,
            template=library.BY_KEY.get(indicator.library_key),
            **kwargs,
        )

    def form_valid(self, form):
        indicator = self._indicator()
        if nothing_changed(self.request, form):
            return _to_set(indicator.indicator_set)
        try:
            services.indicator_update(
                actor=self.request.user,
                indicator=indicator,
                **{f: form.cleaned_data[f] for f in FORM_FIELDS},
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Indicator saved."))
        return _to_set(indicator.indicator_set)


class IndicatorRemoveView(_IndicatorMixin, View):
    http_method_names = ["post"]

    def post(self, request, partnership_id, set_id, indicator_id):
        indicator = self.get_object()
        try:
            services.indicator_remove(actor=request.user, indicator=indicator)
        except ValidationError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Indicator removed."))
        return _to_set(indicator.indicator_set)


class IndicatorMoveView(_IndicatorMixin, View):
    http_method_names = ["post"]

    def post(self, request, partnership_id, set_id, indicator_id):
        indicator = self.get_object()
        direction = request.POST.get("direction")
        if direction not in ("up", "down"):
            messages.error(request, _("Move an indicator up or down."))
            return _to_set(indicator.indicator_set)
        offset = -1 if direction == "up" else 1
        try:
            services.indicator_move(actor=request.user, indicator=indicator, offset=offset)
        except ValidationError as exc:
            _error(request, exc)
        return _to_set(indicator.indicator_set)
