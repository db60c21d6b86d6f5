"""Forms of the review pages. They only shape input: the services enforce every rule (who may
own an action, which dates, which states) and their errors are shown next to the field."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from messaging.forms import UserChoiceField
from partnership import inputs
from partnership.models import Participant

from . import selectors
from .models import ActionStatus, Cadence, ReviewRound


def owner_queryset(partnership):
    """People who may own an action, each annotated with their side for the label."""
    owners = selectors.action_owners(partnership=partnership).values("user_id")
    side = Participant.objects.filter(partnership=partnership, user_id=OuterRef("pk")).values(
        "side"
    )[:1]
    return (
        get_user_model()
        .objects.filter(pk__in=owners)
        .annotate(side=Subquery(side))
        .order_by("side", "email")
    )


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Action"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = UserChoiceField(label=_("Owner"), queryset=None)
    due_date = inputs.DateField(label=_("Due date"))

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from inside the partnership, so an id from another tenant is refused.
        self.fields["owner"].queryset = owner_queryset(partnership)


class ActionEditForm(ActionForm):
    """Every field but the status: that changes through the status buttons alone, so the page
    offers one way to change it."""


class ActionCreateForm(ActionForm):
    """An action recorded from the actions page: optionally tied to one of the rounds."""

    round = forms.ModelChoiceField(
        label=_("Review round"),
        queryset=None,
        required=False,
        empty_label=_("No round"),
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, partnership=partnership, **kwargs)
        self.fields["round"].queryset = ReviewRound.objects.filter(
            partnership=partnership
        ).order_by("-period_start")
        self.fields["round"].label_from_instance = lambda r: r.label


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class ReviewSettingsForm(forms.Form):
    cadence = forms.TypedChoiceField(label=_("Cadence"), choices=Cadence.choices, coerce=int)
    open_after_working_days = inputs.IntegerField(
        label=_("Opens after (working days)"),
        min_value=1,
        max_value=20,
        help_text=_("1: the first working day after the period ends."),
    )
    open_days = inputs.IntegerField(
        label=_("Open for (days)"),
        min_value=3,
        max_value=60,
        help_text=_("How many days the questionnaire stays open."),
    )
    automatic = forms.BooleanField(
        label=_("Run rounds automatically"),
        required=False,
        help_text=_("Off: rounds are still planned, but a manager opens and closes them by hand."),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the round reopened?"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
