"""Indicator sets, surveys and responses built straight in the database (no services)."""

import datetime

from django.utils import timezone

from sti.models import Indicator, IndicatorSet, Rating, Response, SignOff, Survey, SurveyState

DEFAULT_INDICATORS = (
    ("Pro-activity", "both"),
    ("Openness", "both"),
    ("Reachability", "supplier"),
)


def adopted_set(partnership, indicators=DEFAULT_INDICATORS, version=1) -> IndicatorSet:
    """A set signed off by both sides and in use, with the given (name, rated_side) indicators."""
    now = timezone.now()
    indicator_set = IndicatorSet.objects.create(
        partnership=partnership, version=version, adopted_at=now
    )
    for position, (name, rated_side) in enumerate(indicators, start=1):
        Indicator.objects.create(
            indicator_set=indicator_set,
            position=position,
            name=name,
            meaning=f"What {name} means here",
            rated_side=rated_side,
        )
    for side in ("client", "supplier"):
        SignOff.objects.create(indicator_set=indicator_set, side=side)
    return indicator_set


def draft_set(partnership, indicators=DEFAULT_INDICATORS, version=1) -> IndicatorSet:
    indicator_set = IndicatorSet.objects.create(partnership=partnership, version=version)
    for position, (name, rated_side) in enumerate(indicators, start=1):
        Indicator.objects.create(
            indicator_set=indicator_set,
            position=position,
            name=name,
            meaning=f"What {name} means here",
            rated_side=rated_side,
        )
    return indicator_set


def survey(
    partnership,
    indicator_set,
    state=SurveyState.OPEN,
    period_start=datetime.date(2026, 7, 1),
    days_open=14,
) -> Survey:
    now = timezone.now()
    opens = now - datetime.timedelta(days=1)
    return Survey.objects.create(
        partnership=partnership,
        indicator_set=indicator_set,
        period_start=period_start,
        opens_at=opens,
        closes_at=opens + datetime.timedelta(days=days_open),
        state=state,
        opened_at=opens if state != SurveyState.SCHEDULED else None,
        closed_at=now if state == SurveyState.CLOSED else None,
    )


def response(survey, user, side, scores: dict, submitted=True) -> Response:
    """`scores` maps (indicator name, rated side) to a score or (score, motivation)."""
    resp = Response.objects.create(
        survey=survey,
        respondent=user,
        side=side,
        submitted_at=timezone.now() if submitted else None,
    )
    indicators = {i.name: i for i in survey.indicator_set.indicators.all()}
    for (name, rated_side), value in scores.items():
        score, motivation = value if isinstance(value, tuple) else (value, "")
        Rating.objects.create(
            response=resp,
            indicator=indicators[name],
            rated_side=rated_side,
            score=score,
            motivation=motivation,
        )
    return resp
