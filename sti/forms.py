"""Forms of the STI pages. They only shape input; every rule is checked again by the services."""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership import inputs
from partnership.models import Side
from partnership.periods import QUARTERLY, Period

from .models import Indicator, STISettings
from .services_surveys import motivation_required

SURVEY_DAYS_OPEN = 14
QUARTERS_BACK = 4


class IndicatorForm(forms.ModelForm):
    """Name, meaning, behaviours and who is rated. Used without an instance: the service saves."""

    class Meta:
        model = Indicator
        formfield_callback = inputs.machine_formfield
        fields = ["name", "meaning", "behaviours", "rated_side"]
        widgets = {
            "meaning": forms.Textarea(attrs={"rows": 3}),
            "behaviours": forms.Textarea(attrs={"rows": 4}),
            "rated_side": forms.RadioSelect,
        }


class STISettingsForm(forms.ModelForm):
    class Meta:
        model = STISettings
        formfield_callback = inputs.machine_formfield
        fields = ["show_rater_names"]


def quarter_choices(taken: set[datetime.date], today: datetime.date) -> list[tuple[str, str]]:
    """The current quarter and the few before it that have no survey yet, newest first."""
    period = Period.containing(today, QUARTERLY)
    choices = []
    for _step in range(QUARTERS_BACK + 1):
        if period.start not in taken:
            choices.append((period.label, period.label))
        period = period.previous()
    return choices


class SurveyForm(forms.Form):
    quarter = forms.ChoiceField(
        label=_("Quarter"), help_text=_("The quarter the cooperation is rated over.")
    )
    opens_at = inputs.DateTimeField(label=_("Opens"))
    closes_at = inputs.DateTimeField(label=_("Closes"))
    open_now = forms.BooleanField(
        label=_("Open right away"),
        required=False,
        help_text=_("Everyone who rates is notified as soon as the survey opens."),
    )

    def __init__(self, *args, taken: set[datetime.date], **kwargs):
        now = timezone.localtime().replace(second=0, microsecond=0)
        choices = quarter_choices(taken, now.date())
        previous = Period.containing(now.date(), QUARTERLY).previous().label
        defaults = {
            "quarter": previous if (previous, previous) in choices else "",
            "opens_at": now,
            "closes_at": now + datetime.timedelta(days=SURVEY_DAYS_OPEN),
        }
        kwargs["initial"] = {**defaults, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["quarter"].choices = choices

    def clean_quarter(self) -> Period:
        return Period.parse(self.cleaned_data["quarter"], QUARTERLY)


# --- the questionnaire -----------------------------------------------------------------------

SCORES = tuple(range(1, 11))


@dataclass
class Question:
    """One score asked in the questionnaire: an indicator, and the side it rates."""

    indicator: Indicator
    rated_side: str
    score: int | None = None
    motivation: str = ""
    score_errors: list = field(default_factory=list)
    motivation_errors: list = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.indicator.pk}-{self.rated_side}"

    @property
    def score_name(self) -> str:
        return f"score-{self.key}"

    @property
    def motivation_name(self) -> str:
        return f"motivation-{self.key}"

    @property
    def scores(self) -> tuple[int, ...]:
        return SCORES

    @property
    def needs_motivation(self) -> bool:
        return motivation_required(self.score)


def _as_score(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def questionnaire(
    *, indicators, side: str, saved: dict, data=None, errors: dict | None = None
) -> tuple[list[Question], list[Question]]:
    """The scores asked of one side: (about the other side, about their own side).

    `saved` maps (indicator id, rated side) to (score, motivation) from the own response; `data`
    is the posted form, which wins so a page with errors shows what was typed.
    """
    other = Side.SUPPLIER if side == Side.CLIENT else Side.CLIENT
    errors = errors or {}
    sections: tuple[list[Question], list[Question]] = ([], [])
    for section, rated_side in zip(sections, (other, side), strict=True):
        for indicator in indicators:
            if not indicator.rates(rated_side):
                continue
            question = Question(indicator, rated_side)
            score, motivation = saved.get((indicator.pk, rated_side), (None, ""))
            if data is not None:
                score = _as_score(data.get(question.score_name))
                motivation = data.get(question.motivation_name, "")
            question.score, question.motivation = score, motivation
            question.score_errors = errors.get(question.score_name, [])
            question.motivation_errors = errors.get(question.motivation_name, [])
            section.append(question)
    return sections


def answers_from(data, questions: list[Question]) -> list[dict]:
    """What the service takes: every asked score, so a cleared draft answer is cleared too."""
    return [
        {
            "indicator": q.indicator.pk,
            "rated_side": q.rated_side,
            "score": data.get(q.score_name, ""),
            "motivation": data.get(q.motivation_name, ""),
        }
        for q in questions
    ]
