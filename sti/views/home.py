"""HTML pages of the cooperation indicators: the home page, the versions and the settings.

The workshop pages (a set and its indicators) are in `sets`, the surveys, the questionnaire
and the results in `surveys`. Every write goes through the services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from partnership.access import Action
from partnership.models import Side
from partnership.scoping import PartnershipScopedMixin
from partnership.views import apply_errors, nothing_changed

from .. import charts, selectors, services
from ..forms import STISettingsForm
from ..models import RATING_SIDES, IndicatorSet, Survey
from ..panels import trend
from ..results import shown_change


def forbidden(request, context: dict, reason) -> HttpResponse:
    """A 403 that says why, inside the partnership's frame (sealed results, not a respondent)."""
    return render(request, "sti/forbidden.html", {**context, "reason": reason}, status=403)


def sign_off_status(indicator_set: IndicatorSet, sign_offs) -> list[dict]:
    """Per rating side: its sign-off of this version (who and when) or None."""
    by_side = {s.side: s for s in sign_offs}
    return [
        {"side": side, "label": Side(side).label, "sign_off": by_side.get(side)}
        for side in RATING_SIDES
    ]


def with_changes(surveys: list[Survey]) -> list[dict]:
    """Closed surveys, newest first, each with its kept grades' change since the one before."""
    closed = sorted((s for s in surveys if s.is_closed), key=lambda s: s.period_start)
    rows, before = [], None
    for survey in closed:
        row = {"survey": survey}
        for field in ("grade_to_supplier", "grade_to_client"):
            now, then = getattr(survey, field), getattr(before, field, None)
            row[f"{field}_change"] = shown_change(now, then)
            row[f"{field}_trend"] = trend(now, then)
        rows.append(row)
        before = survey
    return list(reversed(rows))


def own_status(access, survey) -> dict | None:
    """For a respondent: whether they have not started, saved a draft or submitted."""
    if survey is None or not access.can(Action.PARTICIPATE):
        return None
    if not selectors.is_respondent(partnership=access.partnership, user=access.user):
        return None
    response = selectors.own_response(survey=survey, user=access.user)
    if response is None:
        return {"status": "not_started", "response": None}
    return {"status": "submitted" if response.is_submitted else "draft", "response": response}


def trend_chart(closed: list[Survey], *, label: str):
    points = [(s.period.label, s.grade_to_supplier, s.grade_to_client) for s in closed]
    return charts.grade_trend(points, label=label)


class STIHomeView(PartnershipScopedMixin, TemplateView):
    """The set in use, a draft in progress, the open survey and the rounds so far."""

    template_name = "sti/home.html"

    def get_context_data(self, **kwargs):
        p = self.partnership
        draft = selectors.draft_set(partnership=p)
        surveys = list(selectors.surveys_for_partnership(partnership=p))
        for survey in surveys:
            survey.partnership = p  # response_rate and the URLs read it; spare the queries
        open_survey = next((s for s in surveys if s.is_open), None)
        closed = sorted((s for s in surveys if s.is_closed), key=lambda s: s.period_start)
        return super().get_context_data(
            current_set=selectors.current_set(partnership=p),
            draft=draft,
            draft_sign_offs=self._sign_offs(draft),
            draft_size=draft.indicators.count() if draft else 0,
            open_survey=open_survey,
            rate=selectors.response_rate(survey=open_survey) if open_survey else None,
            own=own_status(self.access, open_survey),
            scheduled=[s for s in surveys if s.state == "scheduled"],
            past=with_changes(surveys),
            trend_chart=trend_chart(closed, label=_("Grade per quarter, both directions")),
            can_manage=self.access.can(Action.MANAGE),
            **kwargs,
        )

    def _sign_offs(self, draft):
        if draft is None:
            return []
        return sign_off_status(draft, draft.sign_offs.select_related("user"))


class SetListView(PartnershipScopedMixin, TemplateView):
    """Every version of the indicator set, newest first."""

    template_name = "sti/sets.html"

    def get_context_data(self, **kwargs):
        p = self.partnership
        sets = list(
            selectors.sets_for_partnership(partnership=p).prefetch_related("sign_offs__user")
        )
        return super().get_context_data(
            sets=sets,
            has_draft=any(s.is_draft for s in sets),
            can_manage=self.access.can(Action.MANAGE),
            **kwargs,
        )


class STISettingsView(PartnershipScopedMixin, FormView):
    """Whether the other side reads rater names with the motivations."""

    template_name = "sti/settings.html"
    form_class = STISettingsForm

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "instance": selectors.settings_for(partnership=self.partnership),
        }

    def form_valid(self, form):
        if nothing_changed(self.request, form):
            return redirect("sti:settings", partnership_id=self.partnership.pk)
        try:
            services.sti_settings_update(
                actor=self.request.user,
                partnership=self.partnership,
                show_rater_names=form.cleaned_data["show_rater_names"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Settings saved."))
        return redirect("sti:settings", partnership_id=self.partnership.pk)
