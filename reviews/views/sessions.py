"""The facilitated session: planning and the invitation, and the agenda. Session mode, where
the agenda is worked through on a shared screen, is in `session_mode`; both share the round-scoped
bases here.

Everyone in the partnership reads the agenda; the facilitator (or, without one, a manager of
either side) plans and edits the agenda. The services check every rule again; these views only
shape the pages. Nothing of the ratings shows before the round has closed (the results are sealed
until then).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from partnership.access import Action
from partnership.htmx import is_htmx
from partnership.scoping import SAFE_METHODS, PartnershipScopedMixin
from partnership.views import apply_errors, nothing_changed

from .. import ics, services_sessions
from ..forms_sessions import AgendaItemForm, SessionPlanForm
from ..models import AgendaItem, ReviewRound


class _RoundScoped(PartnershipScopedMixin):
    """A page of one round. Reading needs READ; writing is checked by `_RunnerGate`."""

    pk_url_kwarg = "round_id"
    read_action = Action.READ
    write_action = Action.READ
    shows_form_on_get = False

    def scoped_queryset(self, partnership):
        return ReviewRound.objects.filter(partnership=partnership).select_related(
            "survey", "session"
        )

    def review_round(self) -> ReviewRound:
        if not hasattr(self, "_round"):
            self._round = self.get_object()
            self._round.partnership = self.partnership  # the same row: spare the query
        return self._round

    def agenda_item(self) -> AgendaItem:
        if not hasattr(self, "_item"):
            self._item = get_object_or_404(
                AgendaItem.objects.select_related(
                    "indicator",
                    "kpi",
                    "dispute__measurement__kpi",
                    "dispute__inspection",
                    "action__owner",
                ),
                round=self.review_round(),
                pk=self.kwargs["agenda_item_id"],
            )
            self._item.round = self.review_round()
        return self._item

    @property
    def can_run(self) -> bool:
        return services_sessions.can_run_session(self.access)

    def can_edit(self) -> bool:
        return self.can_run and self.review_round().state in services_sessions.EDITABLE

    def get_context_data(self, **kwargs):
        review_round = self.review_round()
        kwargs.setdefault("review_round", review_round)
        kwargs.setdefault("can_run", self.can_run)
        kwargs.setdefault("can_edit", self.can_edit())
        kwargs.setdefault("sealed", not review_round.results_open)
        return super().get_context_data(**kwargs)


class _RunnerGate:
    """Writes (and, with `runner_on_get`, the page itself) are for whoever runs the session."""

    runner_on_get = False

    def dispatch(self, request, *args, **kwargs):
        writes = request.method not in SAFE_METHODS or self.runner_on_get
        if writes and not services_sessions.can_run_session(self.access):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def _round_kwargs(review_round: ReviewRound) -> dict:
    return {"partnership_id": review_round.partnership_id, "round_id": review_round.pk}


def agenda_url(review_round: ReviewRound) -> str:
    return reverse("reviews:agenda", kwargs=_round_kwargs(review_round))


def session_item_url(item: AgendaItem) -> str:
    return reverse(
        "reviews:session_item", kwargs={**_round_kwargs(item.round), "agenda_item_id": item.pk}
    )


# --- planning and the invitation -------------------------------------------------------------


class SessionPlanView(_RoundScoped, _RunnerGate, FormView):
    """Plan or move the session. Once the round is past planning (discussed, published) or
    not open yet, the page shows the session read-only with the reason, and no form."""

    template_name = "reviews/session_plan.html"
    form_class = SessionPlanForm
    runner_on_get = True

    def plannable(self) -> bool:
        return self.review_round().state in services_sessions.PLANNABLE

    def get_initial(self):
        return SessionPlanForm.initial_for(getattr(self.review_round(), "session", None))

    def get_context_data(self, **kwargs):
        session = getattr(self.review_round(), "session", None)
        plannable = self.plannable()
        if not plannable:
            kwargs["form"] = None
        return super().get_context_data(session=session, plannable=plannable, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.plannable():
            # Refused once, by the read-only page itself; the service refuses it as well.
            return self.render_to_response(self.get_context_data())
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        if getattr(self.review_round(), "session", None) and nothing_changed(self.request, form):
            return redirect(self.review_round().get_absolute_url())
        starts_at, ends_at = form.moments()
        data = form.cleaned_data
        try:
            services_sessions.session_plan(
                actor=self.request.user,
                review_round=self.review_round(),
                starts_at=starts_at,
                ends_at=ends_at,
                location=data["location"],
                video_url=data["video_url"],
                note=data["note"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                # Only the day can put the start too early; the times are checked by the form.
                renames = {"starts_at": "date", "ends_at": "end_time"}
                exc.error_dict = {renames.get(k, k): v for k, v in exc.error_dict.items()}
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request, _("The session is planned; everyone receives a calendar invitation.")
        )
        return redirect(self.review_round().get_absolute_url())


class SessionIcsView(_RoundScoped, View):
    """The invitation as a file, for anyone in the partnership."""

    def get(self, request, *args, **kwargs):
        session = getattr(self.review_round(), "session", None)
        if session is None:
            raise Http404
        session.round = self.review_round()
        response = HttpResponse(
            ics.build_ics(session), content_type="text/calendar; charset=utf-8; method=REQUEST"
        )
        response["Content-Disposition"] = f'attachment; filename="{ics.FILENAME}"'
        return response


# --- the agenda ------------------------------------------------------------------------------


def _items(review_round: ReviewRound) -> list[AgendaItem]:
    return list(AgendaItem.objects.filter(round=review_round).order_by("position", "pk"))


class AgendaView(_RoundScoped, _RunnerGate, TemplateView):
    """The agenda; runners add items here (POST)."""

    template_name = "reviews/agenda.html"

    def get_context_data(self, **kwargs):
        review_round = self.review_round()
        kwargs.setdefault("form", AgendaItemForm())
        items = _items(review_round) if review_round.results_open else []
        return super().get_context_data(items=items, **kwargs)

    def post(self, request, *args, **kwargs):
        form = AgendaItemForm(request.POST)
        if form.is_valid():
            try:
                services_sessions.agenda_item_create(
                    actor=request.user, review_round=self.review_round(), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The item is added to the agenda."))
                return redirect(agenda_url(self.review_round()))
        return self.render_to_response(self.get_context_data(form=form))


class AgendaItemView(_RoundScoped, _RunnerGate, TemplateView):
    """One agenda item: runners edit its title and details (POST)."""

    template_name = "reviews/agenda_item.html"

    def get_context_data(self, **kwargs):
        item = self.agenda_item()
        if not self.review_round().results_open:
            raise Http404  # no agenda before the results open
        kwargs.setdefault(
            "form", AgendaItemForm(initial={"title": item.title, "details": item.details})
        )
        return super().get_context_data(item=item, **kwargs)

    def post(self, request, *args, **kwargs):
        item = self.agenda_item()
        form = AgendaItemForm(request.POST, initial={"title": item.title, "details": item.details})
        if form.is_valid():
            if nothing_changed(request, form):
                return redirect(agenda_url(self.review_round()))
            try:
                services_sessions.agenda_item_update(
                    actor=request.user, item=self.agenda_item(), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The agenda item is saved."))
                return redirect(agenda_url(self.review_round()))
        return self.render_to_response(self.get_context_data(form=form))


class AgendaItemMoveView(_RoundScoped, _RunnerGate, View):
    """POST `direction` up/down (or a `position`): htmx gets the list back, others a redirect."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        item = self.agenda_item()
        items = _items(self.review_round())
        index = next(i for i, other in enumerate(items, start=1) if other.pk == item.pk)
        direction = request.POST.get("direction")
        try:
            steps = {"up": index - 1, "down": index + 1}
            position = steps[direction] if direction in steps else int(request.POST["position"])
            services_sessions.agenda_item_move(actor=request.user, item=item, position=position)
        except (KeyError, ValueError):
            messages.error(request, _("Choose where to move the item."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        if is_htmx(request):
            context = {
                "review_round": self.review_round(),
                "partnership": self.partnership,
                "items": _items(self.review_round()),
                "can_edit": self.can_edit(),
                "moved": item.pk,
            }
            return HttpResponse(
                render_to_string("reviews/agenda_list.html", context, request=request)
            )
        return redirect(f"{agenda_url(self.review_round())}#item-{item.pk}")


class AgendaItemDeleteView(_RoundScoped, _RunnerGate, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            services_sessions.agenda_item_delete(actor=request.user, item=self.agenda_item())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The item is removed from the agenda."))
        return redirect(agenda_url(self.review_round()))
