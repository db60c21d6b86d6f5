"""Session mode: the agenda worked through on a shared screen, one item at a time, with its
figures; whoever runs the session writes the minutes and records decisions and actions there.

Session mode reads results through `sti.results.results_for`, which shows submitted answers only
and names raters as the partnership decided, and only once the round has closed.
"""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from kpis import selectors as kpi_selectors
from kpis.charts import sparkline
from partnership.htmx import is_htmx
from partnership.models import Side
from partnership.views import apply_errors, nothing_changed, same_text
from sti.models import SurveyState
from sti.results import results_for

from .. import agenda, services_actions, services_sessions
from ..forms import ActionForm
from ..forms_sessions import DecisionForm, MinutesForm
from ..models import ActionOrigin, AgendaItem, AgendaKind, Decision
from .sessions import _items, _RoundScoped, _RunnerGate, agenda_url, session_item_url

PRESENTING = "reviews.session_presenting"


class _Presenting:
    """`?present=1` / `?present=0` switches the lean layout for a shared screen (header and
    footer hidden); the choice is kept in the user's session so navigation keeps it."""

    def get(self, request, *args, **kwargs):
        if "present" in request.GET:
            request.session[PRESENTING] = request.GET["present"] == "1"
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("presenting", bool(self.request.session.get(PRESENTING)))
        return super().get_context_data(**kwargs)


class SessionModeView(_Presenting, _RoundScoped, TemplateView):
    """The start of session mode: the first agenda item, or why there is none yet."""

    template_name = "reviews/session_mode.html"

    def get(self, request, *args, **kwargs):
        if "present" in request.GET:
            request.session[PRESENTING] = request.GET["present"] == "1"
        review_round = self.review_round()
        if review_round.results_open:
            first = AgendaItem.objects.filter(round=review_round).order_by("position", "pk")
            first = first.first()
            if first is not None:
                first.round = review_round
                return redirect(session_item_url(first))
        return super().get(request, *args, **kwargs)


class SessionItemView(_Presenting, _RoundScoped, _RunnerGate, TemplateView):
    """One agenda item on a shared screen; the runner writes minutes, decisions and actions."""

    template_name = "reviews/session_mode.html"

    def get(self, request, *args, **kwargs):
        if not self.review_round().results_open:
            self.agenda_item()  # a wrong id is still a 404
            return self.render_to_response(super().get_context_data())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        review_round, item = self.review_round(), self.agenda_item()
        items = _items(review_round)
        index = next(i for i, other in enumerate(items) if other.pk == item.pk)
        can_edit = self.can_edit()
        if can_edit:
            kwargs.setdefault("minutes_form", MinutesForm(initial={"minutes": item.minutes}))
            kwargs.setdefault("decision_form", DecisionForm())
            kwargs.setdefault("action_form", ActionForm(partnership=self.partnership))
        return super().get_context_data(
            item=item,
            items=items,
            number=index + 1,
            total=len(items),
            previous=items[index - 1] if index > 0 else None,
            next=items[index + 1] if index + 1 < len(items) else None,
            decisions=list(item.decisions.select_related("created_by").order_by("created_at")),
            actions=list(item.actions.select_related("owner").order_by("due_date", "pk")),
            about=self.about(item),
            today=timezone.localdate(),
            **kwargs,
        )

    def about(self, item: AgendaItem) -> dict:
        """What the item is about, with its figures."""
        review_round = self.review_round()
        if item.kind in (AgendaKind.INDICATOR, AgendaKind.GAP) and item.indicator_id:
            return self.indicator_figures(item)
        if item.kind == AgendaKind.KPI and item.kpi_id:
            return self.kpi_figures(item)
        if item.kind == AgendaKind.HUB:
            figures = agenda.round_hub_figures(review_round)
            return {
                "hub": figures,
                "response": agenda.duration_text(figures["median_first_response"]),
                "resolve": agenda.duration_text(figures["median_time_to_resolve"]),
            }
        return {}

    def indicator_figures(self, item: AgendaItem) -> dict:
        survey = self.review_round().survey
        if survey is None or survey.state != SurveyState.CLOSED:
            return {}
        results = results_for(survey=survey, access=self.access)
        result = next((r for r in results.indicators if r.indicator.pk == item.indicator_id), None)
        if result is None:
            return {}
        sides = []
        for rated in (Side.SUPPLIER, Side.CLIENT):
            other = result.to_supplier if rated == Side.SUPPLIER else result.to_client
            own = result.self_supplier if rated == Side.SUPPLIER else result.self_client
            if other is None and own is None:
                continue
            about = [m for m in result.motivations if m.rated_side == rated and m.text]
            sides.append(
                {
                    "rated": rated,
                    "figures": other,
                    "own": own,
                    "gap": result.gap_supplier if rated == Side.SUPPLIER else result.gap_client,
                    "change": (
                        result.shown_change_to_supplier
                        if rated == Side.SUPPLIER
                        else result.shown_change_to_client
                    ),
                    "motivations": [m for m in about if not m.is_self],
                    "own_motivations": [m for m in about if m.is_self],
                }
            )
        return {"result": result, "sides": sides}

    def kpi_figures(self, item: AgendaItem) -> dict:
        review_round = self.review_round()
        rows = kpi_selectors.kpi_board(
            partnership=self.partnership,
            kpi=item.kpi,
            today=review_round.period_end + datetime.timedelta(days=1),
        )
        if not rows:
            return {}
        row = rows[0]
        inside = [
            h
            for h in row.history
            if review_round.period_start <= h.period.start <= review_round.period_end
        ]
        return {
            "kpi": row.kpi,
            "history": inside,
            "latest": row.latest,
            "sparkline": sparkline(row.history, target=row.kpi.target, label=row.kpi.name),
        }

    # --- writes ---------------------------------------------------------------------------

    def post(self, request, *args, **kwargs):
        if not self.review_round().results_open:
            raise PermissionDenied
        handler = {
            "minutes": self.save_minutes,
            "decision": self.add_decision,
            "action": self.add_action,
        }.get(request.POST.get("form"))
        if handler is None:
            return HttpResponse(status=400)
        return handler(request)

    def save_minutes(self, request):
        """Save the minutes; `go` (previous/next/agenda) then leaves for there, so moving on in
        a live session never loses what was typed, also without JavaScript."""
        form = MinutesForm(request.POST, initial={"minutes": self.agenda_item().minutes})
        form.is_valid()
        if (
            not is_htmx(request)
            and request.POST.get("go") is None
            and nothing_changed(request, form)
        ):
            return redirect(session_item_url(self.agenda_item()))
        try:
            self.store_minutes(form.cleaned_data.get("minutes", ""))
        except ValidationError as exc:
            apply_errors(form, exc)
            if is_htmx(request):
                return self.minutes_status(request, error=" ".join(exc.messages))
            return self.render_to_response(self.get_context_data(minutes_form=form))
        if is_htmx(request):
            return self.minutes_status(request)
        target = self.destination(request.POST.get("go"))
        if target is not None:
            return redirect(target)
        messages.success(request, _("The minutes are saved."))
        return redirect(session_item_url(self.agenda_item()))

    def store_minutes(self, minutes: str) -> None:
        if same_text(minutes, self.agenda_item().minutes):
            return  # unchanged: no save, no history record
        saved = services_sessions.minutes_save(
            actor=self.request.user, item=self.agenda_item(), minutes=minutes
        )
        self.agenda_item().minutes = saved.minutes

    def carried_minutes(self, request) -> None:
        """The decision and action forms carry the minutes as typed (filled in by
        `static/js/session.js`); save them first so recording never loses them."""
        if "minutes" in request.POST:
            form = MinutesForm(request.POST)
            form.is_valid()
            self.store_minutes(form.cleaned_data.get("minutes", ""))

    def destination(self, go: str | None) -> str | None:
        if go == "agenda":
            return agenda_url(self.review_round())
        if go not in ("previous", "next"):
            return None
        items = _items(self.review_round())
        index = next(i for i, other in enumerate(items) if other.pk == self.agenda_item().pk)
        index += 1 if go == "next" else -1
        if not 0 <= index < len(items):
            return session_item_url(self.agenda_item())
        target = items[index]
        target.round = self.review_round()
        return session_item_url(target)

    def minutes_status(self, request, error: str = ""):
        context = {"saved_at": timezone.localtime(), "error": error}
        return HttpResponse(
            render_to_string("reviews/session_minutes_status.html", context, request=request)
        )

    def add_decision(self, request):
        form = DecisionForm(request.POST)
        try:
            self.carried_minutes(request)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(decision_form=form))
        if form.is_valid():
            try:
                services_sessions.decision_create(
                    actor=request.user,
                    review_round=self.review_round(),
                    agenda_item=self.agenda_item(),
                    text=form.cleaned_data["text"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The decision is recorded."))
                return redirect(session_item_url(self.agenda_item()) + "#decisions")
        return self.render_to_response(self.get_context_data(decision_form=form))

    def add_action(self, request):
        form = ActionForm(request.POST, partnership=self.partnership)
        try:
            self.carried_minutes(request)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(action_form=form))
        if form.is_valid():
            item = self.agenda_item()
            try:
                services_actions.action_create(
                    actor=request.user,
                    partnership=self.partnership,
                    origin=ActionOrigin.SESSION,
                    review_round=self.review_round(),
                    agenda_item=item,
                    kpi=item.kpi,
                    dispute=item.dispute,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("The action is recorded."))
                return redirect(session_item_url(item) + "#actions")
        return self.render_to_response(self.get_context_data(action_form=form))


class DecisionDeleteView(_RoundScoped, _RunnerGate, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        review_round = self.review_round()
        decision = get_object_or_404(
            Decision.objects.select_related("agenda_item"),
            round=review_round,
            pk=self.kwargs["decision_id"],
        )
        decision.round = review_round
        item = decision.agenda_item
        try:
            services_sessions.decision_delete(actor=request.user, decision=decision)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The decision is removed."))
        if item is not None:
            item.round = review_round
            return redirect(session_item_url(item) + "#decisions")
        return redirect(agenda_url(review_round))
