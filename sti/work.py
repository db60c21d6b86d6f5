""" "My work" from the cooperation survey: questionnaires open and not yet submitted by the user.

Imported by `partnership.work` when the apps are ready; the source registers itself below.
One query whatever the number of partnerships.
"""

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partnership.access import Action, partnerships_where
from partnership.models import Membership, Participant, Role, Side
from partnership.statements import rows
from partnership.work import WorkItem, WorkSource, register_work_source

from .models import RATING_SIDES, Response, Survey, SurveyState


def questionnaires_to_fill(*, user):
    """Open surveys the user rates in (the rule of `selectors.respondents`) and has not
    submitted, in partnerships where their side may take part."""
    rates = Participant.objects.filter(
        partnership=OuterRef("partnership_id"), user=user, side__in=RATING_SIDES
    )
    viewer = Membership.objects.filter(user=user, role=Role.VIEWER).filter(
        Q(organization=OuterRef("partnership__client_id"))
        | Q(organization=OuterRef("partnership__supplier_id"))
    )
    submitted = Response.objects.filter(
        survey=OuterRef("pk"), respondent=user, submitted_at__isnull=False
    )
    may_take_part = Q(
        partnership__in=partnerships_where(user, Action.PARTICIPATE, Side.CLIENT)
    ) | Q(partnership__in=partnerships_where(user, Action.PARTICIPATE, Side.SUPPLIER))
    if not user.is_active:
        return Survey.objects.none()
    return (
        Survey.objects.filter(may_take_part, state=SurveyState.OPEN)
        .filter(Exists(rates))
        .exclude(Exists(viewer))
        .exclude(Exists(submitted))
    )


def _items(user, today):
    def surveys():
        started = Response.objects.filter(survey=OuterRef("pk"), respondent=user)
        return (
            questionnaires_to_fill(user=user)
            .select_related("partnership")
            .annotate(started=Exists(started))
            .order_by("closes_at")
        )

    items = []
    # Built and compiled once per person (see `partnership.statements.rows`), run each time.
    for survey in rows(("sti.questionnaire", user.pk, user.is_active), surveys):
        params = {"period": survey.period.label}
        items.append(
            WorkItem(
                kind="sti.questionnaire",
                title=(
                    _("Finish and submit the cooperation questionnaire for %(period)s")
                    if survey.started
                    else _("Fill in the cooperation questionnaire for %(period)s")
                )
                % params,
                partnership=survey.partnership,
                url=reverse(
                    "sti:respond",
                    kwargs={"partnership_id": survey.partnership_id, "survey_id": survey.pk},
                ),
                due=timezone.localdate(survey.closes_at),
            )
        )
    return items


def _count(user, today):
    return questionnaires_to_fill(user=user).count()


register_work_source(
    WorkSource(
        "sti.questionnaire",
        gettext_lazy("Questionnaire"),
        order=10,
        items=_items,
        count=_count,
        queryset=lambda user, today: questionnaires_to_fill(user=user),
    )
)
