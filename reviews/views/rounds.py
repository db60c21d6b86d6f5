"""Review rounds of a partnership: the list, one round's page, its transition buttons and the
partnership's review settings.

Every page reads a fixed number of queries whatever the number of KPIs, indicators, actions or
rounds it shows. STI results are only read once the round (and its questionnaire) has closed,
through `sti.results.results_for`, which refuses anything sealed; before that only the response
rate (counts) is shown.
"""

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from kpis.selectors import kpi_board, status_summary
from partnership.access import Action
from partnership.scoping import PartnershipScopedMixin
from partnership.views import apply_errors, nothing_changed
from sti import selectors as sti_selectors
from sti.models import SurveyState
from sti.results import ResultsSealed, results_for

from .. import calendar, selectors, services, services_planning
from ..forms import ReopenForm, ReviewSettingsForm
from ..models import ActionItem, ReviewRound, RoundState
from ..services_sessions import can_run_session

PAGE_SIZE = 20


def optional_url(name: str, **kwargs) -> str | None:
    """A link to a page that may not be installed (yet): None instead of an error."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


@dataclass
class Window:
    label: str
    opens_at: datetime.datetime
    closes_at: datetime.datetime


def next_window(*, partnership, review_settings=None, today=None) -> Window:
    """The questionnaire window of the next round that has not opened yet."""
    review_settings = review_settings or selectors.settings_for(partnership=partnership)
    today = today or selectors.today()
    scheduled = (
        ReviewRound.objects.filter(partnership=partnership, state=RoundState.SCHEDULED)
        .order_by("period_start")
        .first()
    )
    if scheduled is not None:
        return Window(scheduled.label, scheduled.opens_at, scheduled.closes_at)
    period = calendar.ReviewPeriod.containing(today, review_settings.cadence)
    if ReviewRound.objects.filter(partnership=partnership, period_start__gte=period.start).exists():
        period = period.next()
    opens_at, closes_at = calendar.window(
        period,
        open_after_working_days=review_settings.open_after_working_days,
        open_days=review_settings.open_days,
    )
    return Window(period.label, opens_at, closes_at)


def round_links(review_round: ReviewRound) -> dict:
    kwargs = {"partnership_id": review_round.partnership_id, "round_id": review_round.pk}
    names = ("session_plan", "agenda", "session_mode", "session_ics", "report", "report_pdf")
    return {name: optional_url(f"reviews:{name}", **kwargs) for name in names}


class RoundsMixin(PartnershipScopedMixin):
    pk_url_kwarg = "round_id"

    def scoped_queryset(self, partnership):
        return selectors.rounds_for_partnership(partnership=partnership)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("can_manage", self.access.can(Action.MANAGE))
        kwargs.setdefault("can_run", can_run_session(self.access))
        return super().get_context_data(**kwargs)


def carried_over_count() -> Coalesce:
    """Per round: the open actions carried over into it (`selectors.carried_over_actions`,
    counted in a subquery so the list costs the same queries for any number of rounds)."""
    carried = (
        ActionItem.objects.open()
        .filter(partnership_id=OuterRef("partnership_id"))
        .filter(
            Q(round__period_start__lt=OuterRef("period_start"))
            | Q(round__isnull=True, created_at__date__lte=OuterRef("closes_at__date"))
        )
        .order_by()
        .values("partnership_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(carried), 0)


class RoundListView(RoundsMixin, ListView):
    template_name = "reviews/rounds.html"
    paginate_by = PAGE_SIZE
    context_object_name = "rounds"

    def scoped_queryset(self, partnership):
        return super().scoped_queryset(partnership).annotate(carried_over=carried_over_count())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rounds = list(context["rounds"])
        surveys = [r.survey for r in rounds if r.state == RoundState.OPEN and r.survey]
        rates = sti_selectors.response_rates(partnership=self.partnership, surveys=surveys)
        for review_round in rounds:
            review_round.partnership = self.partnership
            review_round.rate = rates.get(review_round.survey_id)
            review_round.report_url = (
                optional_url(
                    "reviews:report",
                    partnership_id=self.partnership.pk,
                    round_id=review_round.pk,
                )
                if review_round.state == RoundState.PUBLISHED
                else None
            )
        context["rounds"] = rounds
        if not rounds:
            context["review_settings"] = selectors.settings_for(partnership=self.partnership)
            context["first_window"] = next_window(
                partnership=self.partnership, review_settings=context["review_settings"]
            )
        return context


class RoundDetailView(RoundsMixin, DetailView):
    template_name = "reviews/round.html"
    context_object_name = "round"

    def get_context_data(self, **kwargs):
        review_round = self.object
        review_round.partnership = self.partnership
        survey = review_round.survey
        session = getattr(review_round, "session", None)
        context = super().get_context_data(
            round_=review_round,
            events=list(review_round.events.select_related("actor")),
            survey=survey,
            survey_url=sti_selectors.survey_url(survey) if survey else None,
            rate=(
                sti_selectors.response_rates(partnership=self.partnership, surveys=[survey])[
                    survey.pk
                ]
                if survey
                else None
            ),
            results=self._results(review_round, survey),
            session=session,
            agenda=list(review_round.agenda.all()),
            decisions=list(review_round.decisions.select_related("agenda_item")),
            actions=list(review_round.actions.select_related("owner")),
            carried_over=list(selectors.carried_over_actions(review_round=review_round)),
            links=round_links(review_round),
            reopen_form=kwargs.pop("reopen_form", None) or ReopenForm(),
            today=selectors.today(),
            **self._kpis(review_round),
            **kwargs,
        )
        context["buttons"] = self._buttons(review_round, session, context)
        return context

    def _results(self, review_round, survey):
        if survey is None or not review_round.results_open or survey.state != SurveyState.CLOSED:
            return None
        try:
            return results_for(survey=survey, access=self.access)
        except ResultsSealed:
            return None

    def _kpis(self, review_round) -> dict:
        """The KPIs over the round's period: each period's value, the last one's status."""
        months = (
            (review_round.period_end.year - review_round.period_start.year) * 12
            + review_round.period_end.month
            - review_round.period_start.month
            + 1
        )
        rows = kpi_board(
            partnership=self.partnership,
            periods=months,
            today=review_round.period_end + datetime.timedelta(days=1),
        )
        for row in rows:
            row.in_period = [
                pv for pv in row.history if pv.period.start >= review_round.period_start
            ]
        return {"kpi_rows": rows, "kpi_summary": status_summary(rows)}

    def _buttons(self, review_round, session, context) -> dict:
        """The next step is the primary button: plan the session, then (once it has started)
        mark the round as discussed, then publish."""
        state, manage, run = review_round.state, context["can_manage"], context["can_run"]
        closed = run and state == RoundState.CLOSED
        started = session is not None and session.starts_at <= timezone.now()
        return {
            "open": manage and state == RoundState.SCHEDULED,
            "close": manage and state == RoundState.OPEN,
            "plan": closed and session is None and context["links"]["session_plan"] is not None,
            "finish": closed and started,
            "session_ahead": closed and session is not None and not started,
            "publish": run and state == RoundState.DISCUSSED,
            "reopen": run and state in (RoundState.DISCUSSED, RoundState.PUBLISHED),
        }


class RoundTransitionView(RoundsMixin, DetailView):
    """POST: move the round by hand (`transition` is set in the URLconf). The service checks the
    state; a wrong state comes back as a message on the round page and changes nothing."""

    http_method_names = ["post"]
    write_action = Action.READ  # the role depends on the transition: checked in post()
    transition = "open"
    DONE = {
        "open": gettext_lazy("The round is open; everyone who rates is notified."),
        "close": gettext_lazy(
            "The round is closed; the results are open and the facilitator is asked to plan "
            "the session."
        ),
        "finish": gettext_lazy("The round is marked as discussed."),
        "publish": gettext_lazy("The report is published; both sides are told once it is ready."),
        "reopen": gettext_lazy("The round is reopened."),
    }

    def allowed(self) -> bool:
        if self.transition in ("open", "close"):
            return self.access.can(Action.MANAGE)
        return can_run_session(self.access)

    def post(self, request, partnership_id, round_id):
        review_round = self.get_object()
        review_round.partnership = self.partnership
        if not self.allowed():
            raise PermissionDenied
        to_round = redirect(review_round.get_absolute_url())
        arguments = {"review_round": review_round, "actor": request.user}
        if self.transition == "reopen":
            form = ReopenForm(request.POST)
            if not form.is_valid():
                for error in form.errors.get("reason", []):
                    messages.error(request, error)
                return to_round
            arguments["reason"] = form.cleaned_data["reason"]
        service = getattr(services, f"round_{self.transition}")
        try:
            service(**arguments)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, str(self.DONE[self.transition]))
        return to_round


class RoundSettingsView(PartnershipScopedMixin, FormView):
    template_name = "reviews/round_settings.html"
    form_class = ReviewSettingsForm
    write_action = Action.MANAGE

    def get_initial(self):
        current = selectors.settings_for(partnership=self.partnership)
        return {
            "cadence": current.cadence,
            "open_after_working_days": current.open_after_working_days,
            "open_days": current.open_days,
            "automatic": current.automatic,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(window=next_window(partnership=self.partnership), **kwargs)

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect("reviews:rounds", partnership_id=self.partnership.pk)
        try:
            services_planning.settings_update(
                actor=self.request.user, partnership=self.partnership, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        window = next_window(partnership=self.partnership)
        messages.success(
            self.request,
            _("Settings saved. The next round (%(period)s) opens on %(date)s.")
            % {"period": window.label, "date": _date(window.opens_at)},
        )
        return redirect("reviews:rounds", partnership_id=self.partnership.pk)


def _date(moment: datetime.datetime) -> str:
    return date_format(localtime(moment), "DATETIME_FORMAT")
