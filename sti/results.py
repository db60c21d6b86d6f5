"""The results of a closed survey: per indicator, per direction, with the perception gap.

Directions are named after who is rated: `to_supplier` is the client's view of the supplier
(client → supplier), `to_client` the supplier's view of the client. A side's self-assessment on
the indicators it is rated on gives the perception gap: self-assessment minus the other side's
view (positive: the side thinks better of itself than the other side does).

The grade of a direction is the mean of its indicator means, so each indicator weighs the same
however many people rated it. Only submitted responses count; drafts are never read here.

Figures are rounded to two decimals once, at the end: grades, gaps and changes are worked out
from the exact means, so a kept grade does not drift by a cent through rounded intermediates.

Every figure comes from a fixed number of queries, whatever the number of raters or indicators.
"""

import statistics
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, OuterRef, Subquery, Sum
from django.utils.translation import gettext_lazy as _

from partnership.models import Side

from .models import Indicator, Rating, Survey, SurveyState
from .selectors import settings_for

TWO = Decimal("0.01")


class ResultsSealed(PermissionDenied):
    """Results of a survey that has not closed: nobody reads them."""

    def __init__(self):
        super().__init__(_("Results are sealed until the survey closes."))


def _dec(value) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(str(value)).quantize(TWO, ROUND_HALF_UP)


SHOWN = Decimal("0.1")


def shown(value) -> Decimal | None:
    """A figure as pages show it: one decimal (what `floatformat:1` prints)."""
    return None if value is None else Decimal(str(value)).quantize(SHOWN, ROUND_HALF_UP)


def shown_change(now, before) -> Decimal | None:
    """The change a reader sees: between the two figures as shown, so 7,2 → 7,3 reads +0,1
    and 7,2 → 7,2 reads = 0,0. (Rounding the exact change instead shows "= 0,0" for 7,24 →
    7,26, which a reader sees as 7,2 → 7,3.) The API keeps the exact, two-decimal changes."""
    if now is None or before is None:
        return None
    return shown(now) - shown(before)


@dataclass(frozen=True)
class Figures:
    n: int
    mean: Decimal
    median: Decimal
    min: int
    max: int
    spread: Decimal  # population standard deviation

    @classmethod
    def of(cls, scores: list[int]) -> "Figures | None":
        if not scores:
            return None
        exact = Fraction(sum(scores), len(scores))
        figures = cls(
            n=len(scores),
            mean=_dec(exact),
            median=_dec(statistics.median(scores)),
            min=min(scores),
            max=max(scores),
            spread=_dec(statistics.pstdev(scores)),
        )
        # Kept beside the fields, not as one, so the figures still serialise as plain numbers.
        object.__setattr__(figures, "_exact_mean", exact)
        return figures

    @property
    def precise_mean(self) -> Fraction:
        """The unrounded mean, for figures derived from it; `mean` is what readers see."""
        exact = getattr(self, "_exact_mean", None)
        return exact if exact is not None else Fraction(self.mean)


@dataclass
class Motivation:
    rater_side: str
    rated_side: str
    score: int | None
    text: str
    rater_name: str = ""  # empty when hidden from the reader

    @property
    def is_self(self) -> bool:
        return self.rater_side == self.rated_side


@dataclass
class IndicatorResult:
    indicator: Indicator
    to_supplier: Figures | None = None
    to_client: Figures | None = None
    self_supplier: Figures | None = None
    self_client: Figures | None = None
    previous_to_supplier: Decimal | None = None
    previous_to_client: Decimal | None = None
    motivations: list[Motivation] = field(default_factory=list)
    # rated side -> unrounded previous mean; `previous_to_*` are the rounded figures shown.
    previous_exact: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def change_to_supplier(self) -> Decimal | None:
        before = self.previous_exact.get(Side.SUPPLIER, self.previous_to_supplier)
        return _change(self.to_supplier, before)

    @property
    def change_to_client(self) -> Decimal | None:
        return _change(
            self.to_client, self.previous_exact.get(Side.CLIENT, self.previous_to_client)
        )

    @property
    def shown_change_to_supplier(self) -> Decimal | None:
        return shown_change(self.to_supplier and self.to_supplier.mean, self.previous_to_supplier)

    @property
    def shown_change_to_client(self) -> Decimal | None:
        return shown_change(self.to_client and self.to_client.mean, self.previous_to_client)

    @property
    def gap_supplier(self) -> Decimal | None:
        return _gap(self.self_supplier, self.to_supplier)

    @property
    def gap_client(self) -> Decimal | None:
        return _gap(self.self_client, self.to_client)

    @property
    def divergence(self) -> Decimal:
        """The larger spread of the two directions: how much raters disagree."""
        spreads = [f.spread for f in (self.to_supplier, self.to_client) if f]
        return max(spreads, default=Decimal(0))

    def motivations_about(self, rated_side: str) -> list[Motivation]:
        return [m for m in self.motivations if m.rated_side == rated_side and m.text]


def _change(now: Figures | None, before) -> Decimal | None:
    return None if now is None or before is None else _dec(now.precise_mean - Fraction(before))


def _gap(self_view: Figures | None, other_view: Figures | None) -> Decimal | None:
    if self_view is None or other_view is None:
        return None
    return _dec(self_view.precise_mean - other_view.precise_mean)


@dataclass
class Results:
    survey: Survey
    indicators: list[IndicatorResult]
    raters: dict  # side -> number of submitted responses
    previous: Survey | None = None

    @property
    def grade_to_supplier(self) -> Decimal | None:
        return _grade([r.to_supplier for r in self.indicators])

    @property
    def grade_to_client(self) -> Decimal | None:
        return _grade([r.to_client for r in self.indicators])

    @property
    def change_to_supplier(self) -> Decimal | None:
        before = self.previous.grade_to_supplier if self.previous else None
        now = self.grade_to_supplier
        return None if now is None or before is None else _dec(now - before)

    @property
    def change_to_client(self) -> Decimal | None:
        before = self.previous.grade_to_client if self.previous else None
        now = self.grade_to_client
        return None if now is None or before is None else _dec(now - before)

    @property
    def shown_change_to_supplier(self) -> Decimal | None:
        before = self.previous.grade_to_supplier if self.previous else None
        return shown_change(self.grade_to_supplier, before)

    @property
    def shown_change_to_client(self) -> Decimal | None:
        before = self.previous.grade_to_client if self.previous else None
        return shown_change(self.grade_to_client, before)


def _grade(figures: list[Figures | None]) -> Decimal | None:
    means = [f.precise_mean for f in figures if f is not None]
    return _dec(sum(means) / len(means)) if means else None


def previous_closed(survey: Survey) -> Survey | None:
    return (
        Survey.objects.filter(
            partnership_id=survey.partnership_id,
            state=SurveyState.CLOSED,
            period_start__lt=survey.period_start,
        )
        .order_by("-period_start")
        .first()
    )


def _previous_means(previous: Survey | None) -> dict:
    """(indicator lineage, rated side) -> exact mean the other side gave in the previous survey."""
    if previous is None:
        return {}
    return _means_of([previous.pk]).get(previous.pk, {})


def _means_of(survey_ids) -> dict:
    """survey id -> {(lineage, rated side): exact mean the other side gave}, in one query."""
    rows = (
        Rating.objects.filter(
            response__survey_id__in=survey_ids,
            response__submitted_at__isnull=False,
            score__isnull=False,
        )
        .exclude(rated_side=F("response__side"))
        .values("response__survey_id", "indicator__lineage", "rated_side")
        .annotate(total=Sum("score"), n=Count("id"))
        .order_by()
    )
    means: dict = {}
    for r in rows:
        key = (r["indicator__lineage"], r["rated_side"])
        means.setdefault(r["response__survey_id"], {})[key] = Fraction(r["total"], r["n"])
    return means


def _submitted_ratings():
    return Rating.objects.filter(response__submitted_at__isnull=False).select_related(
        "response__respondent"
    )


def compute_results(*, survey: Survey, show_name=None) -> Results:
    """The figures of a survey. `show_name(rater_side)` decides whether a rater is named."""
    indicators = list(survey.indicator_set.indicators.order_by("position", "id"))
    ratings = (
        _submitted_ratings()
        .filter(response__survey=survey)
        .order_by("indicator_id", "-score", "pk")
    )
    previous = previous_closed(survey)
    return _results(survey, indicators, ratings, previous, _previous_means(previous), show_name)


def compute_results_many(*, surveys) -> dict[int, Results]:
    """survey id -> `compute_results(survey=...)` for many surveys (the review clock closes
    hundreds at once), in five queries whatever their number; raters are named."""
    surveys = list(surveys)
    if not surveys:
        return {}
    ids = [s.pk for s in surveys]
    indicators: dict[int, list] = {}
    for indicator in Indicator.objects.filter(
        indicator_set_id__in={s.indicator_set_id for s in surveys}
    ).order_by("position", "id"):
        indicators.setdefault(indicator.indicator_set_id, []).append(indicator)
    ratings: dict[int, list] = {}
    # Plain rows, not model instances: a batch reads tens of thousands of ratings.
    for survey_id, *row in (
        Rating.objects.filter(response__survey_id__in=ids, response__submitted_at__isnull=False)
        .order_by("indicator_id", "-score", "pk")
        .values_list(
            "response__survey_id",
            "response_id",
            "response__side",
            "indicator_id",
            "rated_side",
            "score",
            "motivation",
            "response__respondent__full_name",
            "response__respondent__email",
        )
    ):
        ratings.setdefault(survey_id, []).append(_Row(*row))
    earlier = Survey.objects.filter(
        partnership_id=OuterRef("partnership_id"),
        state=SurveyState.CLOSED,
        period_start__lt=OuterRef("period_start"),
    ).order_by("-period_start")
    previous_of = dict(
        Survey.objects.filter(pk__in=ids)
        .annotate(previous=Subquery(earlier.values("pk")[:1]))
        .values_list("pk", "previous")
    )
    previous = Survey.objects.in_bulk([pk for pk in previous_of.values() if pk])
    before = _means_of(list(previous))
    return {
        s.pk: _results(
            s,
            indicators.get(s.indicator_set_id, []),
            ratings.get(s.pk, []),
            previous.get(previous_of.get(s.pk)),
            before.get(previous_of.get(s.pk), {}),
            None,
        )
        for s in surveys
    }


class _Row:
    """A submitted rating as `_results` reads it, without its model instances."""

    __slots__ = ("response_id", "response", "indicator_id", "rated_side", "score", "motivation")

    def __init__(self, response_id, side, indicator_id, rated_side, score, motivation, *name):
        self.response_id, self.indicator_id, self.rated_side = response_id, indicator_id, rated_side
        self.score, self.motivation = score, motivation
        full_name, email = name
        respondent = SimpleNamespace(display_name=full_name or email)
        self.response = SimpleNamespace(side=side, respondent=respondent)


def _results(survey, indicators, ratings, previous, before, show_name) -> Results:
    scores: dict[tuple, list[int]] = {}
    motivations: dict[int, list[Motivation]] = {}
    raters: dict[str, set] = {Side.CLIENT: set(), Side.SUPPLIER: set()}
    for rating in ratings:
        rater_side = rating.response.side
        raters[rater_side].add(rating.response_id)
        bucket = "self" if rater_side == rating.rated_side else "to"
        if rating.score is not None:
            scores.setdefault((rating.indicator_id, bucket, rating.rated_side), []).append(
                rating.score
            )
        if rating.motivation:
            named = show_name is None or show_name(rater_side)
            motivations.setdefault(rating.indicator_id, []).append(
                Motivation(
                    rater_side=rater_side,
                    rated_side=rating.rated_side,
                    score=rating.score,
                    text=rating.motivation,
                    rater_name=rating.response.respondent.display_name if named else "",
                )
            )
    results = []
    for indicator in indicators:

        def fig(bucket, side, pk=indicator.pk):
            return Figures.of(scores.get((pk, bucket, side), []))

        results.append(
            IndicatorResult(
                indicator=indicator,
                to_supplier=fig("to", Side.SUPPLIER),
                to_client=fig("to", Side.CLIENT),
                self_supplier=fig("self", Side.SUPPLIER),
                self_client=fig("self", Side.CLIENT),
                previous_to_supplier=_dec(before.get((indicator.lineage, Side.SUPPLIER))),
                previous_to_client=_dec(before.get((indicator.lineage, Side.CLIENT))),
                previous_exact={
                    side: before[(indicator.lineage, side)]
                    for side in (Side.SUPPLIER, Side.CLIENT)
                    if (indicator.lineage, side) in before
                },
                motivations=motivations.get(indicator.pk, []),
            )
        )
    return Results(
        survey=survey,
        indicators=results,
        raters={side: len(ids) for side, ids in raters.items()},
        previous=previous,
    )


def results_for(*, survey: Survey, access) -> Results:
    """The results as one reader may see them: never before close; names per the setting.

    Names of raters show to their own side and to the facilitator; to the other side only when
    the partnership chose so.
    """
    if survey.state != SurveyState.CLOSED:
        raise ResultsSealed
    names_for_other_side = settings_for(partnership=survey.partnership).show_rater_names

    def show_name(rater_side: str) -> bool:
        return access.side in (Side.FACILITATOR, rater_side) or names_for_other_side

    return compute_results(survey=survey, show_name=show_name)


def grade_trend(*, partnership, until: Survey | None = None) -> list[Survey]:
    """Closed surveys in order, with their kept grades, up to and including `until`."""
    qs = Survey.objects.filter(partnership=partnership, state=SurveyState.CLOSED)
    if until is not None:
        qs = qs.filter(period_start__lte=until.period_start)
    return list(qs.order_by("period_start"))
