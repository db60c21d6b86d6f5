"""Surveys: planning, opening and closing (managers), the questionnaire (respondents) and the
results (everyone in the partnership, once the survey has closed).

Sealing is the services' and results' business: the questionnaire only ever loads the caller's
own response, and the results page asks `results_for`, which refuses an open survey.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from partnership.access import Action
from partnership.models import Side
from partnership.scoping import PartnershipScopedMixin
from partnership.views import apply_errors, same_text

from .. import charts, selectors, services_surveys
from ..forms import SurveyForm, answers_from, questionnaire
from ..panels import trend
from ..results import ResultsSealed, grade_trend, results_for
from .home import forbidden, own_status, trend_chart


class _SurveyMixin(PartnershipScopedMixin):
    pk_url_kwarg = "survey_id"

    def scoped_queryset(self, partnership):
        return selectors.surveys_for_partnership(partnership=partnership)

    def survey(self):
        if not hasattr(self, "_survey"):
            self._survey = self.get_object()
            self._survey.partnership = self.partnership  # spare the query; it is this one
        return self._survey


def _to_survey(survey):
    return redirect("sti:survey", partnership_id=survey.partnership_id, survey_id=survey.pk)


class SurveyNewView(PartnershipScopedMixin, FormView):
    template_name = "sti/survey_new.html"
    form_class = SurveyForm

    def get_form_kwargs(self):
        taken = selectors.surveys_for_partnership(partnership=self.partnership).values_list(
            "period_start", flat=True
        )
        return {**super().get_form_kwargs(), "taken": set(taken)}

    def get_context_data(self, **kwargs):
        current = selectors.current_set(partnership=self.partnership)
        return super().get_context_data(current_set=current, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            # Planning and opening succeed or fail together: no half-made survey on an error.
            with transaction.atomic():
                survey = services_surveys.survey_create(
                    actor=self.request.user,
                    partnership=self.partnership,
                    period=data["quarter"],
                    opens_at=data["opens_at"],
                    closes_at=data["closes_at"],
                )
                if data["open_now"]:
                    survey = services_surveys.survey_open(survey=survey, actor=self.request.user)
        except ValidationError as exc:
            if hasattr(exc, "error_dict") and "period" in exc.error_dict:
                exc.error_dict["quarter"] = exc.error_dict.pop("period")
            apply_errors(form, exc)
            return self.form_invalid(form)
        if survey.is_open:
            messages.success(self.request, _("The survey is open; everyone who rates is notified."))
        else:
            messages.success(self.request, _("The survey is planned."))
        return _to_survey(survey)


class SurveyDetailView(_SurveyMixin, TemplateView):
    template_name = "sti/survey.html"

    def get_context_data(self, **kwargs):
        survey = self.survey()
        return super().get_context_data(
            survey=survey,
            indicators=list(selectors.indicators_of(indicator_set=survey.indicator_set)),
            rate=selectors.response_rate(survey=survey),
            own=own_status(self.access, survey),
            can_manage=self.access.can(Action.MANAGE),
            **kwargs,
        )


class SurveyTransitionView(_SurveyMixin, View):
    """POST: open or close the survey by hand (`transition` is set in the URLconf)."""

    http_method_names = ["post"]
    transition = "open"

    def post(self, request, partnership_id, survey_id):
        survey = self.survey()
        service = {
            "open": services_surveys.survey_open,
            "close": services_surveys.survey_close,
        }[self.transition]
        try:
            service(survey=survey, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            done = {
                "open": _("The survey is open; everyone who rates is notified."),
                "close": _("The survey is closed and the results are open to both sides."),
            }
            messages.success(request, done[self.transition])
        return _to_survey(survey)


class RespondView(_SurveyMixin, TemplateView):
    """The questionnaire: the other side's indicators, then (optional) one's own side's."""

    template_name = "sti/respond.html"
    read_action = Action.PARTICIPATE
    write_action = Action.PARTICIPATE

    def get(self, request, *args, **kwargs):
        return self._refuse() or super().get(request, *args, **kwargs)

    def _refuse(self):
        """A 403 with the reason for insiders who do not rate (after the 404 for a wrong id)."""
        survey = self.survey()
        if selectors.is_respondent(partnership=self.partnership, user=self.request.user):
            return None
        context = super().get_context_data(survey=survey)
        reason = _("Only participants of the two sides fill in the questionnaire.")
        return forbidden(self.request, context, reason)

    def _questions(self, data=None, errors=None):
        """The caller's own response and the questions, filled from it or from the post."""
        survey = self.survey()
        response = selectors.own_response(survey=survey, user=self.request.user)
        saved = {
            (r.indicator_id, r.rated_side): (r.score, r.motivation)
            for r in (response.ratings.all() if response else [])
        }
        asked, own = questionnaire(
            indicators=list(selectors.indicators_of(indicator_set=survey.indicator_set)),
            side=self.access.side,
            saved=saved,
            data=data,
            errors=errors,
        )
        return response, asked, own

    def get_context_data(self, data=None, errors=None, **kwargs):
        response, asked, own = self._questions(data, errors)
        return super().get_context_data(
            survey=self.survey(),
            response=response,
            asked=asked,
            own=own,
            own_open=any(
                q.score or q.motivation or q.score_errors or q.motivation_errors for q in own
            ),
            other_side=Side(self.access.other_side).label,
            my_side=Side(self.access.side).label,
            has_errors=bool(errors),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        refused = self._refuse()
        if refused:
            return refused
        survey = self.survey()
        _response, asked, own = self._questions()
        submit = request.POST.get("action") == "submit"
        if not submit and _draft_unchanged(request.POST, asked + own):
            messages.info(request, _("Nothing changed."))
            return redirect("sti:respond", partnership_id=self.partnership.pk, survey_id=survey.pk)
        try:
            services_surveys.response_save(
                actor=request.user,
                survey=survey,
                answers=answers_from(request.POST, asked + own),
                submit=submit,
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, " ".join(exc.messages))
                return redirect(
                    "sti:respond", partnership_id=self.partnership.pk, survey_id=survey.pk
                )
            context = self.get_context_data(data=request.POST, errors=exc.message_dict)
            return self.render_to_response(context)
        if submit:
            messages.success(
                request,
                _(
                    "Thank you, your answers are submitted. "
                    "You can change them until the survey closes."
                ),
            )
            return _to_survey(survey)
        messages.success(request, _("Draft saved. Only you can see it."))
        return redirect("sti:respond", partnership_id=self.partnership.pk, survey_id=survey.pk)


def _draft_unchanged(data, questions) -> bool:
    """A draft saved as it was shown: every score and motivation as stored."""
    return all(
        (data.get(q.score_name) or "").strip() == ("" if q.score is None else str(q.score))
        and same_text(data.get(q.motivation_name, ""), q.motivation or "")
        for q in questions
    )


def _motivations(result) -> dict:
    """An indicator's motivations per direction, the rated side's own view kept apart."""
    groups = {"result": result}
    for side in (Side.SUPPLIER, Side.CLIENT):
        about = result.motivations_about(side)
        groups[f"to_{side}"] = [m for m in about if not m.is_self]
        groups[f"self_{side}"] = [m for m in about if m.is_self]
    return groups


class ResultsView(_SurveyMixin, TemplateView):
    template_name = "sti/results.html"

    def get(self, request, *args, **kwargs):
        survey = self.survey()
        try:
            self.results = results_for(survey=survey, access=self.access)
        except ResultsSealed as exc:
            return forbidden(request, super().get_context_data(survey=survey), str(exc))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        results, survey = self.results, self.survey()
        return super().get_context_data(
            survey=survey,
            results=results,
            grades=self._grades(results),
            gaps=self._gaps(results),
            motivations=[_motivations(r) for r in results.indicators],
            charts=self._charts(results, survey),
            **kwargs,
        )

    def _grades(self, results) -> list[dict]:
        rows = []
        for side, grade, change in (
            (Side.SUPPLIER, results.grade_to_supplier, results.shown_change_to_supplier),
            (Side.CLIENT, results.grade_to_client, results.shown_change_to_client),
        ):
            previous = getattr(results.previous, f"grade_to_{side}", None)
            rows.append(
                {
                    "side": side,
                    "grade": grade,
                    "change": change,
                    "trend": trend(grade, previous),
                }
            )
        return rows

    def _gaps(self, results) -> list[dict]:
        """Per rated side: each indicator that rates it, its self-view and the other's view."""
        sections = []
        for side in (Side.SUPPLIER, Side.CLIENT):
            rows = [
                {
                    "indicator": r.indicator,
                    "own": getattr(r, f"self_{side}"),
                    "other": getattr(r, f"to_{side}"),
                    "gap": getattr(r, f"gap_{side}"),
                }
                for r in results.indicators
                if r.indicator.rates(side)
            ]
            sections.append({"side": side, "label": Side(side).label, "rows": rows})
        return sections

    def _charts(self, results, survey) -> dict:
        def mean(figures):
            return figures.mean if figures else None

        bars = [
            (r.indicator.name, mean(r.to_supplier), mean(r.to_client)) for r in results.indicators
        ]
        gap_rows = [
            (
                f"{row['indicator'].name} ({section['label'].lower()})",
                section["side"],
                mean(row["own"]),
                mean(row["other"]),
            )
            for section in self._gaps(results)
            for row in section["rows"]
            if row["own"] or row["other"]
        ]
        closed = grade_trend(partnership=self.partnership, until=survey)
        return {
            "bars": charts.indicator_bars(
                bars, label=_("Mean score per indicator, both directions")
            ),
            "trend": trend_chart(closed, label=_("Grade per quarter, both directions")),
            "gap": charts.perception_gap(
                gap_rows, label=_("Own view against the other side's view")
            ),
        }
