"""The working-day calendar: public holidays, working days and business-time arithmetic.

One calendar beneath the feature apps, shared by the review-round clock and service levels.
Pure functions: no database, no settings.

Holiday calendars (`holidays(year, calendar)`):

- ``"NL"`` — Nieuwjaarsdag, Eerste en Tweede Paasdag, Koningsdag (27 April; 26 April when the
  27th is a Sunday), Hemelvaartsdag, Eerste en Tweede Pinksterdag, Eerste en Tweede Kerstdag,
  and Bevrijdingsdag (5 May) as `LiberationDay` says: by default only in lustrum years (2025,
  2030, …), as most collective agreements give it; `EVERY_YEAR` (public sector) or `NEVER`.
  Goede Vrijdag is not a general day off in the Netherlands (only in some agreements), so it is
  not a holiday here.
- ``"BE"`` — the ten legal holidays: Nieuwjaar, Paasmaandag, Feest van de Arbeid (1 mei),
  O.L.H. Hemelvaart, Pinkstermaandag, Nationale feestdag (21 juli), O.L.V. Hemelvaart
  (15 augustus), Allerheiligen (1 november), Wapenstilstand (11 november), Kerstmis.
- ``"NL+BE"`` — the days off both countries share, with Tweede Kerstdag: for work that spans
  both (the review-round clock uses it).

Business time (`add_business_time`, `business_time_between`) runs on a `BusinessHours`: the
working days are built as local wall-clock windows (opening to closing time, in the calendar's
time zone) and converted to instants with zoneinfo, so 08:00–17:00 stays 08:00–17:00 on both
sides of a change to or from summer time. Only 24/7 (`clock_hours`) counts real elapsed time,
added in UTC. Never add a timedelta to an aware local datetime: Python adds wall-clock time.
"""

import datetime
import enum
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC = datetime.UTC
DAY = datetime.timedelta(days=1)
ZERO = datetime.timedelta(0)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CALENDARS = ("NL", "BE", "NL+BE")
TIME_ZONES = ("Europe/Amsterdam", "Europe/Brussels")

Pause = tuple[datetime.datetime, datetime.datetime]


class LiberationDay(enum.StrEnum):
    """Whether Bevrijdingsdag (5 May) is a day off in a Dutch calendar."""

    LUSTRUM = "lustrum"  # once every five years (2025, 2030, …)
    EVERY_YEAR = "every_year"
    NEVER = "never"


def easter(year: int) -> datetime.date:
    """Easter Sunday (the anonymous Gregorian algorithm of Meeus, Jones and Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return datetime.date(year, month, day + 1)


def _kings_day(year: int) -> datetime.date:
    day = datetime.date(year, 4, 27)
    return day - DAY if day.weekday() == 6 else day


@cache
def named_holidays(
    year: int, calendar: str = "NL", liberation_day: LiberationDay = LiberationDay.LUSTRUM
) -> MappingProxyType:
    """The public holidays of a year in a calendar, date → a stable key (not a label)."""
    liberation_day = LiberationDay(liberation_day)
    sunday = easter(year)
    if calendar == "NL":
        days = {
            datetime.date(year, 1, 1): "new_year",
            sunday: "easter_sunday",
            sunday + DAY: "easter_monday",
            _kings_day(year): "kings_day",
            sunday + 39 * DAY: "ascension_day",
            sunday + 49 * DAY: "whit_sunday",
            sunday + 50 * DAY: "whit_monday",
            datetime.date(year, 12, 25): "christmas_day",
            datetime.date(year, 12, 26): "boxing_day",
        }
        if liberation_day == LiberationDay.EVERY_YEAR or (
            liberation_day == LiberationDay.LUSTRUM and year % 5 == 0
        ):
            days[datetime.date(year, 5, 5)] = "liberation_day"
        return MappingProxyType(dict(sorted(days.items())))
    if calendar == "BE":
        days = {
            datetime.date(year, 1, 1): "new_year",
            sunday + DAY: "easter_monday",
            datetime.date(year, 5, 1): "labour_day",
            sunday + 39 * DAY: "ascension_day",
            sunday + 50 * DAY: "whit_monday",
            datetime.date(year, 7, 21): "national_day",
            datetime.date(year, 8, 15): "assumption_day",
            datetime.date(year, 11, 1): "all_saints_day",
            datetime.date(year, 11, 11): "armistice_day",
            datetime.date(year, 12, 25): "christmas_day",
        }
        return MappingProxyType(dict(sorted(days.items())))
    if calendar == "NL+BE":
        netherlands = named_holidays(year, "NL", LiberationDay.NEVER)
        belgium = named_holidays(year, "BE")
        return MappingProxyType(
            {
                day: name
                for day, name in netherlands.items()
                if day in belgium or name == "boxing_day"
            }
        )
    raise ValueError(f"Unknown holiday calendar {calendar!r}; expected one of {CALENDARS}.")


@cache
def holidays(
    year: int, calendar: str = "NL", liberation_day: LiberationDay = LiberationDay.LUSTRUM
) -> frozenset[datetime.date]:
    return frozenset(named_holidays(year, calendar, liberation_day))


def _parse_time(value) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"Not a time of day: {value!r} (expected 'HH:MM').") from None


@dataclass(frozen=True)
class BusinessHours:
    """When the clock of business time runs.

    `days` holds, Monday first, seven entries: (opens, closes) local times or None for a day
    off. Public holidays of `calendar` are days off too. `clock_hours` is 24/7: every moment
    counts, holidays included (`days` and `calendar` are then not used).
    """

    days: tuple[tuple[datetime.time, datetime.time] | None, ...] = (
        *((datetime.time(8), datetime.time(17)),) * 5,
        None,
        None,
    )
    calendar: str = "NL"
    time_zone: str = "Europe/Amsterdam"
    clock_hours: bool = False
    liberation_day: LiberationDay = LiberationDay.LUSTRUM
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if self.calendar not in CALENDARS:
            raise ValueError(f"Unknown holiday calendar {self.calendar!r}; expected {CALENDARS}.")
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"Unknown time zone {self.time_zone!r}.") from None
        object.__setattr__(self, "_zone", zone)
        object.__setattr__(self, "liberation_day", LiberationDay(self.liberation_day))
        days = tuple(self.days)
        if len(days) != 7:
            raise ValueError("Business hours need seven days, Monday first.")
        for name, window in zip(WEEKDAYS, days, strict=True):
            if window is not None and not window[0] < window[1]:
                raise ValueError(f"On {name} the closing time must come after the opening time.")
        if not self.clock_hours and all(window is None for window in days):
            raise ValueError("Business hours need at least one working day.")
        object.__setattr__(self, "days", days)

    @classmethod
    def twenty_four_seven(cls, time_zone: str = "Europe/Amsterdam") -> "BusinessHours":
        return cls(days=(None,) * 7, time_zone=time_zone, clock_hours=True)

    @classmethod
    def from_dict(cls, data: dict) -> "BusinessHours":
        """From the JSON form of `to_dict`; missing keys take the defaults."""
        unknown = set(data) - {"days", "calendar", "time_zone", "clock_hours", "liberation_day"}
        if unknown:
            raise ValueError(f"Unknown business-hours keys: {', '.join(sorted(unknown))}.")
        kwargs = {
            key: data[key] for key in ("calendar", "time_zone", "liberation_day") if key in data
        }
        kwargs["clock_hours"] = bool(data.get("clock_hours", False))
        if "days" in data:
            given = data["days"]
            if not isinstance(given, dict) or set(given) - set(WEEKDAYS):
                raise ValueError(f"'days' maps weekdays {WEEKDAYS} to [opens, closes].")
            days = []
            for name in WEEKDAYS:
                window = given.get(name)
                if window is None:
                    days.append(None)
                    continue
                if not isinstance(window, list | tuple) or len(window) != 2:
                    raise ValueError(f"On {name} give [opens, closes], e.g. ['08:00', '17:00'].")
                days.append((_parse_time(window[0]), _parse_time(window[1])))
            kwargs["days"] = tuple(days)
        elif kwargs["clock_hours"]:
            kwargs["days"] = (None,) * 7
        return cls(**kwargs)

    def to_dict(self) -> dict:
        return {
            "days": {
                name: [window[0].strftime("%H:%M"), window[1].strftime("%H:%M")]
                for name, window in zip(WEEKDAYS, self.days, strict=True)
                if window is not None
            },
            "calendar": self.calendar,
            "time_zone": self.time_zone,
            "clock_hours": self.clock_hours,
            "liberation_day": str(self.liberation_day),
        }

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    def window_on(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime] | None:
        """The working window of a local day as UTC instants, or None on a day off."""
        window = self.days[day.weekday()]
        if window is None or day in holidays(day.year, self.calendar, self.liberation_day):
            return None
        opens = datetime.datetime.combine(day, window[0], tzinfo=self._zone)
        closes = datetime.datetime.combine(day, window[1], tzinfo=self._zone)
        return opens.astimezone(UTC), closes.astimezone(UTC)


DEFAULT_HOURS = BusinessHours()


def is_working_day(day: datetime.date, calendar: "BusinessHours | str" = "NL") -> bool:
    """A working day of business hours, or (given a calendar name) a weekday that is no holiday."""
    if isinstance(calendar, BusinessHours):
        return calendar.clock_hours or calendar.window_on(day) is not None
    return day.weekday() < 5 and day not in holidays(day.year, calendar)


def working_day_after(
    day: datetime.date, n: int = 1, calendar: "BusinessHours | str" = "NL"
) -> datetime.date:
    """The n-th working day after `day`."""
    while n > 0:
        day += DAY
        if is_working_day(day, calendar):
            n -= 1
    return day


def _aware(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime.")
    return moment.astimezone(UTC)


class _Pauses:
    """Merged pause intervals in UTC, to cut out of working windows."""

    def __init__(self, pauses: Iterable[Pause]):
        merged: list[list[datetime.datetime]] = []
        for begins, ends in sorted(
            (_aware(a, "A pause's start"), _aware(b, "A pause's end")) for a, b in pauses
        ):
            if ends <= begins:
                continue
            if merged and begins <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], ends)
            else:
                merged.append([begins, ends])
        self.starts = [begins for begins, _ in merged]
        self.intervals = [(begins, ends) for begins, ends in merged]

    def cut(self, begins: datetime.datetime, ends: datetime.datetime) -> Iterator[Pause]:
        """The parts of [begins, ends) outside every pause, in order."""
        index = max(bisect_right(self.starts, begins) - 1, 0)
        cursor = begins
        for pause_begins, pause_ends in self.intervals[index:]:
            if pause_begins >= ends:
                break
            if pause_ends <= cursor:
                continue
            if pause_begins > cursor:
                yield cursor, pause_begins
            cursor = max(cursor, pause_ends)
            if cursor >= ends:
                return
        if cursor < ends:
            yield cursor, ends


# A calendar with at least one working weekday has a working window within a few weeks even
# around Christmas; a search that finds none in this many days has met impossible hours.
_MAX_DAYS_WITHOUT_WORK = 400


def _counting_stretches(
    begins: datetime.datetime, hours: BusinessHours, pauses: _Pauses
) -> Iterator[Pause]:
    """The stretches of counting time from `begins` on, as UTC intervals, in order."""
    if hours.clock_hours:
        far = datetime.datetime.max.replace(tzinfo=UTC) - DAY
        yield from pauses.cut(begins, far)
        return
    day = begins.astimezone(hours.zone).date()
    idle = 0
    while True:
        window = hours.window_on(day)
        day += DAY
        if window is None:
            idle += 1
            if idle > _MAX_DAYS_WITHOUT_WORK:
                raise ValueError("These business hours have no working day for over a year.")
            continue
        idle = 0
        opens, closes = window
        if closes <= begins:
            continue
        yield from pauses.cut(max(opens, begins), closes)


def add_business_time(
    start: datetime.datetime,
    duration: datetime.timedelta,
    hours: BusinessHours = DEFAULT_HOURS,
    pauses: Sequence[Pause] = (),
) -> datetime.datetime:
    """The moment `duration` of business time after `start`, not counting `pauses`.

    A start outside the hours counts from the next opening; a due moment that uses up a day
    exactly is that day's closing time. The answer is in the hours' time zone.
    """
    begins = _aware(start, "start")
    if duration < ZERO:
        raise ValueError("A duration of business time cannot be negative.")
    remaining = duration
    due = begins
    if remaining:
        for stretch_begins, stretch_ends in _counting_stretches(begins, hours, _Pauses(pauses)):
            length = stretch_ends - stretch_begins
            if remaining <= length:
                due = stretch_begins + remaining
                break
            remaining -= length
    return due.astimezone(hours.zone)


def business_time_between(
    a: datetime.datetime,
    b: datetime.datetime,
    hours: BusinessHours = DEFAULT_HOURS,
    pauses: Sequence[Pause] = (),
) -> datetime.timedelta:
    """The business time from `a` to `b`, not counting `pauses`; zero when `b` is not later."""
    begins, ends = _aware(a, "a"), _aware(b, "b")
    elapsed = ZERO
    if ends <= begins:
        return elapsed
    for stretch_begins, stretch_ends in _counting_stretches(begins, hours, _Pauses(pauses)):
        if stretch_begins >= ends:
            break
        elapsed += min(stretch_ends, ends) - stretch_begins
    return elapsed
