"""When rounds run: review periods of a cadence, working days, and the questionnaire window.

A period is aligned to the calendar year: quarters, halves (Jan–Jun, Jul–Dec) or the year. Its
window opens at the start of the working day (`DAY_STARTS`, Europe/Amsterdam) on the Nth working
day after the period ends and stays open a number of whole days. The daily tick runs just after
`DAY_STARTS`, so a round opens on its first morning.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from partnership.periods import QUARTERLY, Period
from places import calendar as working_days

TIME_ZONE = ZoneInfo("Europe/Amsterdam")
DAY_STARTS = datetime.time(7, 0)


# The holiday rules live in the shared working-day calendar (`places.calendar`); a round serves
# partnerships in the Netherlands and Belgium, so it counts the days off both share (and Tweede
# Kerstdag).
HOLIDAY_CALENDAR = "NL+BE"
easter = working_days.easter


def holidays(year: int) -> frozenset[datetime.date]:
    """Public holidays shared by the Netherlands and Belgium (and Boxing Day, Dutch)."""
    return working_days.holidays(year, HOLIDAY_CALENDAR)


def is_working_day(day: datetime.date) -> bool:
    return working_days.is_working_day(day, HOLIDAY_CALENDAR)


def working_day_after(day: datetime.date, n: int = 1) -> datetime.date:
    """The n-th working day after `day`."""
    return working_days.working_day_after(day, n, HOLIDAY_CALENDAR)


@dataclass(frozen=True)
class ReviewPeriod:
    start: datetime.date
    end: datetime.date  # the last day
    months: int

    @classmethod
    def containing(cls, day: datetime.date, months: int = 3) -> "ReviewPeriod":
        month = months * ((day.month - 1) // months) + 1
        start = datetime.date(day.year, month, 1)
        return cls(start, _add_months(start, months) - datetime.timedelta(days=1), months)

    def next(self) -> "ReviewPeriod":
        return ReviewPeriod.containing(self.end + datetime.timedelta(days=1), self.months)

    def previous(self) -> "ReviewPeriod":
        return ReviewPeriod.containing(self.start - datetime.timedelta(days=1), self.months)

    @property
    def survey_quarter(self) -> Period:
        """The questionnaire of a round is the survey of the period's last quarter."""
        return Period.containing(self.end, QUARTERLY)

    @property
    def label(self) -> str:
        return period_label(self.start, self.end)


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month0 = day.month - 1 + months
    return datetime.date(day.year + month0 // 12, month0 % 12 + 1, 1)


def period_label(start: datetime.date, end: datetime.date) -> str:
    """'2026-Q3', '2026-H2' or '2026', like the labels of partnership.periods."""
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12:
        return str(start.year)
    if months == 6:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    if months == 3:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.isoformat()} – {end.isoformat()}"


def at_day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, DAY_STARTS, tzinfo=TIME_ZONE)


def window(period: ReviewPeriod, *, open_after_working_days: int = 1, open_days: int = 14):
    """(opens_at, closes_at) of a period's questionnaire, as aware datetimes."""
    opens_on = working_day_after(period.end, open_after_working_days)
    return at_day_start(opens_on), at_day_start(opens_on + datetime.timedelta(days=open_days))


def local_date(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(TIME_ZONE).date()
