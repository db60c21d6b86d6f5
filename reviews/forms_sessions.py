"""Forms of the session pages. They shape input only; the services in `services_sessions`
decide what is allowed and their errors are shown next to the fields."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnership import inputs

from .calendar import TIME_ZONE


def local_moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A wall-clock time in Amsterdam as an aware moment."""
    return timezone.make_aware(datetime.datetime.combine(day, time), TIME_ZONE)


class SessionPlanForm(forms.Form):
    date = inputs.DateField(label=_("Date"))
    start_time = inputs.TimeField(label=_("Starts at"))
    end_time = inputs.TimeField(label=_("Ends at"), help_text=_("Times are Amsterdam time."))
    location = forms.CharField(label=_("Place"), max_length=200, required=False)
    video_url = forms.URLField(
        label=_("Video link"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("A place, a video link, or both."),
    )
    note = forms.CharField(
        label=_("Note for the participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    @classmethod
    def initial_for(cls, session) -> dict:
        if session is None:
            return {}
        starts = session.starts_at.astimezone(TIME_ZONE)
        return {
            "date": starts.date(),
            "start_time": starts.time(),
            "end_time": session.ends_at.astimezone(TIME_ZONE).time(),
            "location": session.location,
            "video_url": session.video_url,
            "note": session.note,
        }

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        data = self.cleaned_data
        return (
            local_moment(data["date"], data["start_time"]),
            local_moment(data["date"], data["end_time"]),
        )


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    details = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class MinutesForm(forms.Form):
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "session-minutes"}),
    )


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
