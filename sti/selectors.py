"""Reads of indicator sets, surveys and responses, always within one partnership.

Nothing here returns another person's scores while a survey is open: open surveys expose only
counts (the response rate) and the caller's own response. Results live in `results.py` and refuse
open surveys.
"""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from partnership.models import MANAGING_ROLES, Membership, Participant, Partnership, Role, Side

from .models import (
    RATING_SIDES,
    Indicator,
    IndicatorSet,
    Response,
    STISettings,
    Survey,
    SurveyState,
)


def current_set(*, partnership: Partnership) -> IndicatorSet | None:
    return (
        IndicatorSet.objects.filter(
            partnership=partnership, adopted_at__isnull=False, superseded_at__isnull=True
        )
        .prefetch_related("indicators")
        .first()
    )


def draft_set(*, partnership: Partnership) -> IndicatorSet | None:
    return IndicatorSet.objects.filter(partnership=partnership, adopted_at__isnull=True).first()


def sets_for_partnership(*, partnership: Partnership) -> QuerySet:
    return (
        IndicatorSet.objects.filter(partnership=partnership)
        .select_related("created_by")
        .annotate(indicator_count=Count("indicators", distinct=True))
        .order_by("-version")
    )


def indicators_of(*, indicator_set: IndicatorSet) -> QuerySet:
    return indicator_set.indicators.order_by("position", "id")


def surveys_for_partnership(*, partnership: Partnership) -> QuerySet:
    return (
        Survey.objects.filter(partnership=partnership)
        .select_related("indicator_set")
        .order_by("-period_start")
    )


def open_survey(*, partnership: Partnership) -> Survey | None:
    return Survey.objects.filter(partnership=partnership, state=SurveyState.OPEN).first()


def own_response(*, survey: Survey, user) -> Response | None:
    """The caller's own response with its ratings; never anyone else's."""
    return (
        Response.objects.filter(survey=survey, respondent=user).prefetch_related("ratings").first()
    )


def settings_for(*, partnership: Partnership) -> STISettings:
    return STISettings.objects.filter(partnership=partnership).first() or STISettings(
        partnership=partnership
    )


def _viewer_of_side(partnership: Partnership):
    """Participants whose organisation role is viewer: they read, they do not rate."""
    return Membership.objects.filter(
        user_id=OuterRef("user_id"),
        role=Role.VIEWER,
        organization_id__in=[partnership.client_id, partnership.supplier_id],
    )


def respondents(*, partnership: Partnership, side: str | None = None) -> QuerySet:
    """Participants of the client and supplier sides who fill in the questionnaire."""
    sides = [side] if side else list(RATING_SIDES)
    return (
        Participant.objects.filter(partnership=partnership, side__in=sides, user__is_active=True)
        .exclude(Exists(_viewer_of_side(partnership)))
        .select_related("user")
    )


def current_sets(*, partnership_ids) -> dict:
    """partnership id -> the indicator set in use, for many at once (one query)."""
    sets = IndicatorSet.objects.filter(
        partnership_id__in=partnership_ids, adopted_at__isnull=False, superseded_at__isnull=True
    )
    return {s.partnership_id: s for s in sets}


def respondents_across(*, partnership_ids) -> dict:
    """partnership id -> the users who rate there (the rule of `respondents`), in one query."""
    viewer = Membership.objects.filter(user_id=OuterRef("user_id"), role=Role.VIEWER).filter(
        Q(organization_id=OuterRef("partnership__client_id"))
        | Q(organization_id=OuterRef("partnership__supplier_id"))
    )
    people: dict = {}
    for participant in (
        Participant.objects.filter(
            partnership_id__in=partnership_ids, side__in=RATING_SIDES, user__is_active=True
        )
        .exclude(Exists(viewer))
        .select_related("user")
        .order_by("pk")
    ):
        people.setdefault(participant.partnership_id, []).append(participant.user)
    return people


def is_respondent(*, partnership: Partnership, user) -> bool:
    return respondents(partnership=partnership).filter(user=user).exists()


def response_rate(*, survey: Survey) -> dict:
    """Per side: how many of its respondents submitted, of how many. Counts only, never scores."""
    return response_rates(partnership=survey.partnership, surveys=[survey])[survey.pk]


def response_rates(*, partnership: Partnership, surveys) -> dict:
    """survey id -> its response rate, for a page of surveys in two queries."""
    eligible = dict(
        respondents(partnership=partnership)
        .values_list("side")
        .annotate(n=Count("id"))
        .values_list("side", "n")
    )
    submitted = _submitted(surveys)
    return {survey.pk: _rate(eligible, submitted, survey.pk) for survey in surveys}


def response_rates_across(*, surveys) -> dict:
    """survey id -> response rate for surveys of many partnerships (dashboards), in two queries.

    The same rule as `respondents`: active participants of either side who are not viewers.
    """
    surveys = [s for s in surveys if s is not None]
    if not surveys:
        return {}
    viewer = Membership.objects.filter(user_id=OuterRef("user_id"), role=Role.VIEWER).filter(
        Q(organization_id=OuterRef("partnership__client_id"))
        | Q(organization_id=OuterRef("partnership__supplier_id"))
    )
    eligible: dict = {}
    for partnership_id, side, n in (
        Participant.objects.filter(
            partnership_id__in={s.partnership_id for s in surveys},
            side__in=RATING_SIDES,
            user__is_active=True,
        )
        .exclude(Exists(viewer))
        .values_list("partnership_id", "side")
        .annotate(n=Count("id"))
        .values_list("partnership_id", "side", "n")
        .order_by()
    ):
        eligible.setdefault(partnership_id, {})[side] = n
    submitted = _submitted(surveys)
    return {s.pk: _rate(eligible.get(s.partnership_id, {}), submitted, s.pk) for s in surveys}


def _submitted(surveys) -> dict:
    """(survey id, side) -> number of submitted responses."""
    return {
        (survey_id, side): n
        for survey_id, side, n in Response.objects.filter(
            survey__in=surveys, submitted_at__isnull=False
        )
        .values_list("survey_id", "side")
        .annotate(n=Count("id"))
        .order_by()
    }


def _rate(eligible: dict, submitted: dict, survey_id: int) -> dict:
    rate = {}
    for side in RATING_SIDES:
        done = submitted.get((survey_id, side), 0)
        rate[side] = {"submitted": done, "eligible": max(eligible.get(side, 0), done)}
    total_done = sum(r["submitted"] for r in rate.values())
    total = sum(r["eligible"] for r in rate.values())
    rate["total"] = {"submitted": total_done, "eligible": total}
    rate["percent"] = round(100 * total_done / total) if total else 0
    return rate


def indicators_for_partnership(*, partnership: Partnership) -> QuerySet:
    return Indicator.objects.filter(indicator_set__partnership=partnership).select_related(
        "indicator_set__partnership"
    )


def managers_of(*, partnership: Partnership, side: str | None = None) -> QuerySet:
    """Admins and managers of one side's organisation (or both) who can sign off."""
    orgs = {Side.CLIENT: [partnership.client_id], Side.SUPPLIER: [partnership.supplier_id]}.get(
        side, [partnership.client_id, partnership.supplier_id]
    )
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__organization_id__in=orgs,
            memberships__role__in=MANAGING_ROLES,
        )
        .distinct()
    )


def participants_to_inform(*, partnership: Partnership) -> QuerySet:
    """Everyone who hears that results are available: both sides and the facilitator."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            participations__partnership=partnership,
            participations__deactivated_at__isnull=True,
        )
        .distinct()
    )


def managers_across(*, partnerships) -> dict:
    """partnership id -> `managers_of(partnership=...)` (both sides), for many in one query."""
    partnerships = list(partnerships)
    orgs = {p.client_id for p in partnerships} | {p.supplier_id for p in partnerships}
    by_org: dict = {}
    for membership in Membership.objects.filter(
        organization_id__in=orgs, role__in=MANAGING_ROLES, user__is_active=True
    ).select_related("user"):
        by_org.setdefault(membership.organization_id, []).append(membership.user)
    people = {}
    for p in partnerships:
        users = by_org.get(p.client_id, []) + by_org.get(p.supplier_id, [])
        people[p.pk] = list({u.pk: u for u in users}.values())
    return people


def participants_across(*, partnership_ids, side: str | None = None) -> dict:
    """partnership id -> its active participants' users (of one side, or all), in one query:
    `participants_to_inform` (and the review rounds' facilitators) for many partnerships."""
    participants = Participant.objects.filter(
        partnership_id__in=partnership_ids, user__is_active=True
    )
    if side is not None:
        participants = participants.filter(side=side)
    people: dict = {}
    for participant in participants.select_related("user").order_by("pk"):
        people.setdefault(participant.partnership_id, []).append(participant.user)
    return people


def set_url(indicator_set: IndicatorSet) -> str:
    return reverse(
        "sti:set",
        kwargs={"partnership_id": indicator_set.partnership_id, "set_id": indicator_set.pk},
    )


def survey_url(survey: Survey) -> str:
    return reverse(
        "sti:survey", kwargs={"partnership_id": survey.partnership_id, "survey_id": survey.pk}
    )
