"""The shared working-day calendar: holidays of NL and BE, and business-time arithmetic."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from places import calendar
from places.calendar import BusinessHours, LiberationDay, add_business_time, business_time_between
from reviews import calendar as review_calendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
BRUSSELS = ZoneInfo("Europe/Brussels")
UTC = datetime.UTC
H = datetime.timedelta(hours=1)

NL = BusinessHours()
BE = BusinessHours(calendar="BE", time_zone="Europe/Brussels")
CLOCK = BusinessHours.twenty_four_seven()
SEVEN_DAYS = BusinessHours.from_dict(
    {"days": {day: ["08:00", "17:00"] for day in calendar.WEEKDAYS}}
)


def ams(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMSTERDAM)


def bru(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=BRUSSELS)


def d(*args) -> datetime.date:
    return datetime.date(*args)


# -- holidays -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2019, d(2019, 4, 21)), (2024, d(2024, 3, 31)), (2025, d(2025, 4, 20)), (2026, d(2026, 4, 5))]
    + [(2027, d(2027, 3, 28)), (2038, d(2038, 4, 25)), (2285, d(2285, 3, 22))],
)
def test_easter_sunday_of_real_years(year, sunday):
    assert calendar.easter(year) == sunday


def test_dutch_holidays_of_2026():
    assert dict(calendar.named_holidays(2026, "NL")) == {
        d(2026, 1, 1): "new_year",
        d(2026, 4, 5): "easter_sunday",
        d(2026, 4, 6): "easter_monday",
        d(2026, 4, 27): "kings_day",
        d(2026, 5, 14): "ascension_day",
        d(2026, 5, 24): "whit_sunday",
        d(2026, 5, 25): "whit_monday",
        d(2026, 12, 25): "christmas_day",
        d(2026, 12, 26): "boxing_day",
    }
    assert d(2026, 4, 3) not in calendar.holidays(2026, "NL")  # Goede Vrijdag: a working day


def test_belgian_holidays_of_2026():
    assert dict(calendar.named_holidays(2026, "BE")) == {
        d(2026, 1, 1): "new_year",
        d(2026, 4, 6): "easter_monday",
        d(2026, 5, 1): "labour_day",
        d(2026, 5, 14): "ascension_day",
        d(2026, 5, 25): "whit_monday",
        d(2026, 7, 21): "national_day",
        d(2026, 8, 15): "assumption_day",
        d(2026, 11, 1): "all_saints_day",
        d(2026, 11, 11): "armistice_day",
        d(2026, 12, 25): "christmas_day",
    }


@pytest.mark.parametrize(
    ("year", "kings_day"),
    [(2014, d(2014, 4, 26)), (2020, d(2020, 4, 27)), (2025, d(2025, 4, 26))]
    + [(2026, d(2026, 4, 27)), (2031, d(2031, 4, 26)), (2036, d(2036, 4, 26))],
)
def test_kings_day_moves_to_saturday_when_the_27th_is_a_sunday(year, kings_day):
    named = calendar.named_holidays(year, "NL")
    assert named[kings_day] == "kings_day"
    assert sum(name == "kings_day" for name in named.values()) == 1


@pytest.mark.parametrize(
    ("year", "policy", "day_off"),
    [
        (2025, LiberationDay.LUSTRUM, True),
        (2026, LiberationDay.LUSTRUM, False),
        (2030, "lustrum", True),
        (2026, LiberationDay.EVERY_YEAR, True),
        (2025, LiberationDay.NEVER, False),
    ],
)
def test_liberation_day_per_policy(year, policy, day_off):
    assert (d(year, 5, 5) in calendar.holidays(year, "NL", policy)) is day_off
    assert d(year, 5, 5) not in calendar.holidays(year, "BE", policy)


def _old_review_holidays(year):
    """The review-round clock's holidays before it moved here, to prove it unchanged."""
    sunday = calendar.easter(year)
    return {d(year, 1, 1), d(year, 12, 25), d(year, 12, 26)} | {
        sunday + datetime.timedelta(days=n) for n in (1, 39, 50)
    }


def test_the_review_calendar_counts_the_same_days_off_as_before():
    for year in range(1990, 2101):
        assert review_calendar.holidays(year) == _old_review_holidays(year), year
        assert calendar.holidays(year, "NL+BE") == _old_review_holidays(year), year
    assert review_calendar.easter is calendar.easter


def test_unknown_holiday_calendar_is_refused():
    with pytest.raises(ValueError, match="Unknown holiday calendar"):
        calendar.holidays(2026, "DE")


@pytest.mark.parametrize(
    ("day", "where", "working"),
    [
        (d(2026, 4, 3), "NL", True),  # Goede Vrijdag
        (d(2026, 4, 27), "NL", False),  # Koningsdag
        (d(2026, 4, 27), "BE", True),
        (d(2026, 7, 21), "BE", False),
        (d(2026, 7, 21), "NL", True),
        (d(2026, 12, 5), "NL", False),  # a Saturday
        (d(2026, 12, 5), SEVEN_DAYS, True),
        (d(2026, 12, 25), SEVEN_DAYS, False),
        (d(2026, 12, 25), CLOCK, True),
        (d(2026, 7, 21), BE, False),
    ],
)
def test_is_working_day(day, where, working):
    assert calendar.is_working_day(day, where) is working


def test_working_day_after_skips_weekends_and_the_calendars_holidays():
    # Fri 24 Apr 2026: Koningsdag on Monday 27 in NL only.
    assert calendar.working_day_after(d(2026, 4, 24), 1, "NL") == d(2026, 4, 28)
    assert calendar.working_day_after(d(2026, 4, 24), 1, "BE") == d(2026, 4, 27)
    assert calendar.working_day_after(d(2026, 4, 24), 3, NL) == d(2026, 4, 30)


# -- the examples: 4 business hours on 08:00–17:00 ---------------------------------------

FOUR = 4 * H


@pytest.mark.parametrize(
    ("hours", "raised", "due"),
    [
        # Friday 16:30 → Monday 11:30.
        (NL, ams(2026, 12, 4, 16, 30), ams(2026, 12, 7, 11, 30)),
        (BE, bru(2026, 12, 4, 16, 30), bru(2026, 12, 7, 11, 30)),
        # The Friday before Tweede Paasdag (Goede Vrijdag is a working day) → Tuesday.
        (NL, ams(2026, 4, 3, 16, 30), ams(2026, 4, 7, 11, 30)),
        (NL, ams(2026, 4, 2, 16, 30), ams(2026, 4, 3, 11, 30)),
        # Koningsdag Monday 27 April 2026: NL on Tuesday, BE on Monday.
        (NL, ams(2026, 4, 24, 16, 30), ams(2026, 4, 28, 11, 30)),
        (BE, bru(2026, 4, 24, 16, 30), bru(2026, 4, 27, 11, 30)),
        # Bevrijdingsdag Monday 5 May 2025, a lustrum year.
        (NL, ams(2025, 5, 2, 16, 30), ams(2025, 5, 6, 11, 30)),
        # Hemelvaartsdag Thursday 14 May 2026.
        (NL, ams(2026, 5, 13, 16, 30), ams(2026, 5, 15, 11, 30)),
        (BE, bru(2026, 5, 13, 16, 30), bru(2026, 5, 15, 11, 30)),
        # Tweede Pinksterdag Monday 25 May 2026.
        (NL, ams(2026, 5, 22, 16, 30), ams(2026, 5, 26, 11, 30)),
        # Christmas 2025 (Thu 25, Fri 26): NL skips both, BE only the 25th.
        (NL, ams(2025, 12, 24, 16, 30), ams(2025, 12, 29, 11, 30)),
        (BE, bru(2025, 12, 24, 16, 30), bru(2025, 12, 26, 11, 30)),
        # 21 juli, Tuesday 2026: a Belgian holiday, not a Dutch one.
        (BE, bru(2026, 7, 20, 16, 30), bru(2026, 7, 22, 11, 30)),
        (NL, ams(2026, 7, 20, 16, 30), ams(2026, 7, 21, 11, 30)),
        # 1 November 2027 is a Monday: Allerheiligen in BE.
        (BE, bru(2027, 10, 29, 16, 30), bru(2027, 11, 2, 11, 30)),
    ],
)
def test_four_business_hours_raised_friday_afternoon_and_across_holidays(hours, raised, due):
    got = add_business_time(raised, FOUR, hours)
    assert got == due
    assert got.tzinfo is hours.zone
    assert business_time_between(raised, due, hours) == FOUR


def test_bevrijdingsdag_every_year_is_a_choice_of_the_hours():
    raised = ams(2026, 5, 4, 16, 30)  # Monday; 5 May 2026 is a Tuesday
    assert add_business_time(raised, FOUR, NL) == ams(2026, 5, 5, 11, 30)
    every_year = BusinessHours(liberation_day=LiberationDay.EVERY_YEAR)
    assert add_business_time(raised, FOUR, every_year) == ams(2026, 5, 6, 11, 30)


# -- summer time ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        # Summer time starts Sunday 29 March 2026 at 02:00: 4 real hours end at 05:30 CEST.
        (ams(2026, 3, 29, 0, 30), ams(2026, 3, 29, 5, 30)),
        # It ends Sunday 25 October 2026 at 03:00: 4 real hours end at 03:30 CET.
        (ams(2026, 10, 25, 0, 30), ams(2026, 10, 25, 3, 30)),
        (ams(2025, 3, 30, 0, 30), ams(2025, 3, 30, 5, 30)),
        (ams(2025, 10, 26, 0, 30), ams(2025, 10, 26, 3, 30)),
    ],
)
def test_clock_hours_across_the_change_of_summer_time_are_real_hours(start, due):
    got = add_business_time(start, FOUR, CLOCK)
    assert got.astimezone(UTC) == due.astimezone(UTC)
    assert (got.hour, got.minute) == (due.hour, due.minute)
    assert got.astimezone(UTC) - start.astimezone(UTC) == FOUR
    assert business_time_between(start, got, CLOCK) == FOUR
    # What a naive `start + 4 h` on the local time would have said: one hour off.
    assert (start + FOUR).astimezone(UTC) != got.astimezone(UTC)


@pytest.mark.parametrize(
    ("hours", "raised", "due", "real_elapsed"),
    [
        # Friday before the spring change → Monday 11:30 local, 66 real hours later (not 67).
        (NL, ams(2026, 3, 27, 16, 30), ams(2026, 3, 30, 11, 30), 66 * H),
        # Friday before the autumn change → Monday 11:30 local, 68 real hours later.
        (NL, ams(2026, 10, 23, 16, 30), ams(2026, 10, 26, 11, 30), 68 * H),
        # Working on the changeover Sunday itself: still 08:00–17:00 local.
        (SEVEN_DAYS, ams(2026, 3, 28, 16, 30), ams(2026, 3, 29, 11, 30), 18 * H),
        (SEVEN_DAYS, ams(2026, 10, 24, 16, 30), ams(2026, 10, 25, 11, 30), 20 * H),
    ],
)
def test_business_hours_are_unaffected_by_the_change_of_summer_time(
    hours, raised, due, real_elapsed
):
    got = add_business_time(raised, FOUR, hours)
    assert got == due
    assert got.utcoffset() == due.utcoffset()
    assert got.astimezone(UTC) - raised.astimezone(UTC) == real_elapsed
    assert business_time_between(raised, got, hours) == FOUR


@pytest.mark.parametrize("sunday", [d(2026, 3, 29), d(2026, 10, 25)])
def test_a_working_changeover_sunday_holds_nine_business_hours(sunday):
    midnight = datetime.datetime.combine(sunday, datetime.time(0), tzinfo=AMSTERDAM)
    next_midnight = datetime.datetime.combine(
        sunday + calendar.DAY, datetime.time(0), tzinfo=AMSTERDAM
    )
    assert next_midnight.astimezone(UTC) - midnight.astimezone(UTC) != 24 * H
    assert business_time_between(midnight, next_midnight, SEVEN_DAYS) == 9 * H
    assert business_time_between(midnight, next_midnight, NL) == datetime.timedelta()


# -- pauses ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "start", "target", "pause", "inside", "due"),
    [
        # Raised Monday 09:00, 8 business hours: due Monday 17:00 without a pause. It waited
        # 26 hours for the client, Monday 10:00 to Tuesday 12:00: 7 + 4 business hours inside.
        (NL, ams(2026, 12, 7, 9), 8 * H, (ams(2026, 12, 7, 10), ams(2026, 12, 8, 12)), 11 * H,
         ams(2026, 12, 9, 10)),
        # 26 hours from Friday 16:00 to Saturday 18:00 hold 1 business hour only.
        (NL, ams(2026, 12, 4, 15), 4 * H, (ams(2026, 12, 4, 16), ams(2026, 12, 5, 18)), 1 * H,
         ams(2026, 12, 7, 11)),
        # 24/7: the due moment moves by the whole 26 hours.
        (CLOCK, ams(2026, 12, 7, 9), 4 * H, (ams(2026, 12, 7, 10), ams(2026, 12, 8, 12)), 26 * H,
         ams(2026, 12, 8, 15)),
        # A 24/7 pause across the autumn change, 10:00 CEST to 12:00 CET next day: 27 real hours.
        (CLOCK, ams(2026, 10, 24, 9), 4 * H, (ams(2026, 10, 24, 10), ams(2026, 10, 25, 12)),
         27 * H, ams(2026, 10, 25, 15)),
    ],
)  # fmt: skip
def test_a_pause_moves_the_due_moment_by_the_business_time_inside_it(
    hours, start, target, pause, inside, due
):
    assert business_time_between(*pause, hours) == inside
    unpaused = add_business_time(start, target, hours)
    paused = add_business_time(start, target, hours, pauses=[pause])
    assert paused == due
    assert paused == add_business_time(unpaused, inside, hours)
    assert business_time_between(start, paused, hours, pauses=[pause]) == target
    assert business_time_between(start, paused, hours) == target + inside


def test_pauses_before_the_start_after_the_due_moment_and_overlapping_ones():
    start = ams(2026, 12, 7, 9)
    before = (ams(2026, 12, 4, 9), ams(2026, 12, 7, 8))
    after = (ams(2026, 12, 8, 9), ams(2026, 12, 9, 9))
    assert add_business_time(start, 4 * H, NL, pauses=[before, after]) == ams(2026, 12, 7, 13)
    # Two overlapping pauses, given out of order, count as one: 10:00–12:00.
    overlapping = [
        (ams(2026, 12, 7, 11), ams(2026, 12, 7, 12)),
        (ams(2026, 12, 7, 10), ams(2026, 12, 7, 11, 30)),
    ]
    assert add_business_time(start, 4 * H, NL, pauses=overlapping) == ams(2026, 12, 7, 15)
    # Started inside a pause, the clock runs from its end; an empty pause is ignored.
    inside = [
        (ams(2026, 12, 7, 8), ams(2026, 12, 7, 10)),
        (ams(2026, 12, 7, 14), ams(2026, 12, 7, 14)),
    ]
    assert add_business_time(start, 4 * H, NL, pauses=inside) == ams(2026, 12, 7, 14)
    # Started at 11:00 inside a long pause (08:00–12:00) that holds a short one (09:00–10:00).
    nested = [
        (ams(2026, 12, 7, 8), ams(2026, 12, 7, 12)),
        (ams(2026, 12, 7, 9), ams(2026, 12, 7, 10)),
    ]
    assert add_business_time(ams(2026, 12, 7, 11), 4 * H, NL, pauses=nested) == ams(2026, 12, 7, 16)
    # A pause over the rest of the week pushes the due moment into the next one.
    assert add_business_time(
        start, 4 * H, NL, pauses=[(ams(2026, 12, 7, 9), ams(2026, 12, 11, 17))]
    ) == ams(2026, 12, 14, 12)  # fmt: skip


# -- a start outside the hours --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (ams(2026, 12, 7, 6), ams(2026, 12, 7, 12)),  # before opening
        (ams(2026, 12, 7, 18), ams(2026, 12, 8, 12)),  # after closing
        (ams(2026, 12, 7, 17), ams(2026, 12, 8, 12)),  # at closing
        (ams(2026, 12, 12, 10), ams(2026, 12, 14, 12)),  # on a Saturday
        (ams(2026, 12, 25, 10), ams(2026, 12, 28, 12)),  # on Eerste Kerstdag (a Friday)
        (ams(2026, 4, 27, 3), ams(2026, 4, 28, 12)),  # on Koningsdag
        (datetime.datetime(2026, 12, 7, 6, 30, tzinfo=UTC), ams(2026, 12, 7, 12)),  # 07:30 CET
    ],
)
def test_a_start_outside_the_hours_counts_from_the_next_opening(start, due):
    assert add_business_time(start, FOUR, NL) == due
    assert business_time_between(start, due, NL) == FOUR


def test_a_due_moment_that_uses_up_the_day_is_its_closing_time():
    assert add_business_time(ams(2026, 12, 7, 8), 9 * H, NL) == ams(2026, 12, 7, 17)
    assert add_business_time(ams(2026, 12, 7, 8), 9 * H + datetime.timedelta(seconds=1), NL) == (
        ams(2026, 12, 8, 8, 0, 1)
    )
    assert add_business_time(ams(2026, 12, 7, 20), datetime.timedelta(), NL) == ams(2026, 12, 7, 20)


def test_between_is_zero_when_the_end_is_not_later():
    assert (
        business_time_between(ams(2026, 12, 7, 12), ams(2026, 12, 7, 10), NL)
        == datetime.timedelta()
    )
    assert (
        business_time_between(ams(2026, 12, 5, 9), ams(2026, 12, 6, 18), NL) == datetime.timedelta()
    )
    assert (
        business_time_between(ams(2026, 12, 7, 12), ams(2026, 12, 7, 12), CLOCK)
        == datetime.timedelta()
    )


def test_a_long_target_walks_the_days_once(monkeypatch):
    """O(days): a quarter of business hours looks at each day once, not at each minute."""
    seen = []
    window_on = BusinessHours.window_on
    monkeypatch.setattr(
        BusinessHours, "window_on", lambda self, day: seen.append(day) or window_on(self, day)
    )
    due = add_business_time(ams(2026, 1, 2, 8), 9 * 60 * H, NL)  # 60 working days
    assert len(seen) == len(set(seen)) == (due.date() - d(2026, 1, 2)).days + 1
    assert due == ams(2026, 3, 26, 17)


# -- BusinessHours --------------------------------------------------------------------------------


def test_the_default_hours_are_monday_to_friday_eight_to_five_on_dutch_holidays():
    assert calendar.DEFAULT_HOURS == NL == BusinessHours.from_dict({})
    assert NL.to_dict() == {
        "days": {day: ["08:00", "17:00"] for day in ("mon", "tue", "wed", "thu", "fri")},
        "calendar": "NL",
        "time_zone": "Europe/Amsterdam",
        "clock_hours": False,
        "liberation_day": "lustrum",
    }
    with pytest.raises(AttributeError):
        NL.calendar = "BE"


@pytest.mark.parametrize("hours", [NL, BE, CLOCK, SEVEN_DAYS, BusinessHours.from_dict(
    {"days": {"mon": ["07:30", "12:00"], "sat": ["10:00", "14:15"]}, "calendar": "NL+BE",
     "liberation_day": "every_year"})])  # fmt: skip
def test_hours_survive_their_json_form(hours):
    assert BusinessHours.from_dict(hours.to_dict()) == hours
    assert hash(BusinessHours.from_dict(hours.to_dict())) == hash(hours)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"calendar": "DE"}, "Unknown holiday calendar"),
        ({"time_zone": "Mars/Olympus"}, "Unknown time zone"),
        ({"days": {"mon": ["17:00", "08:00"]}}, "closing time must come after"),
        ({"days": {"mon": ["08:00", "08:00"]}}, "closing time must come after"),
        ({"days": {}}, "at least one working day"),
        ({"days": {"monday": ["08:00", "17:00"]}}, "maps weekdays"),
        ({"days": {"mon": ["8 uur", "17:00"]}}, "Not a time of day"),
        ({"days": {"mon": "08:00-17:00"}}, "give \\[opens, closes\\]"),
        ({"opens": "08:00"}, "Unknown business-hours keys: opens"),
        ({"liberation_day": "sometimes"}, "sometimes"),
    ],
)
def test_bad_hours_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message):
        BusinessHours.from_dict(data)


def test_naive_moments_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_business_time(datetime.datetime(2026, 12, 7, 9), FOUR, NL)
    with pytest.raises(ValueError, match="aware"):
        business_time_between(ams(2026, 12, 7, 9), datetime.datetime(2026, 12, 8, 9), NL)
    with pytest.raises(ValueError, match="aware"):
        add_business_time(
            ams(2026, 12, 7, 9),
            FOUR,
            NL,
            pauses=[(datetime.datetime(2026, 12, 7, 9), ams(2026, 12, 7, 10))],
        )
    with pytest.raises(ValueError, match="negative"):
        add_business_time(ams(2026, 12, 7, 9), -FOUR, NL)


# -- the inverse, for random starts, durations and pauses -----------------------------------------

HOURS = [
    NL,
    BE,
    CLOCK,
    SEVEN_DAYS,
    BusinessHours(liberation_day=LiberationDay.EVERY_YEAR, calendar="NL"),
    BusinessHours.from_dict(
        {
            "days": {"mon": ["06:00", "22:00"], "sat": ["09:00", "12:30"]},
            "time_zone": "Europe/Brussels",
        }
    ),
    # A window across the night of the change itself (01:00–04:00 local on a Sunday).
    BusinessHours.from_dict({"days": {"sun": ["01:00", "04:00"], "wed": ["08:00", "17:00"]}}),
]
instants = st.datetimes(
    min_value=datetime.datetime(2024, 1, 1), max_value=datetime.datetime(2030, 12, 31)
).map(lambda moment: moment.replace(tzinfo=UTC))
durations = st.integers(min_value=0, max_value=200 * 60 * 60).map(
    lambda s: datetime.timedelta(seconds=s)
)


@st.composite
def pauses_near(draw, start):
    pauses = []
    for _ in range(draw(st.integers(0, 3))):
        offset = datetime.timedelta(minutes=draw(st.integers(-24 * 60, 21 * 24 * 60)))
        length = datetime.timedelta(minutes=draw(st.integers(0, 5 * 24 * 60)))
        pauses.append((start + offset, start + offset + length))
    return pauses


@settings(max_examples=300, deadline=None, database=None)
@given(data=st.data(), start=instants, duration=durations, hours=st.sampled_from(HOURS))
def test_between_is_the_inverse_of_add(data, start, duration, hours):
    pauses = data.draw(pauses_near(start))
    start = start.astimezone(AMSTERDAM if data.draw(st.booleans()) else UTC)
    due = add_business_time(start, duration, hours, pauses)
    assert due >= start
    assert business_time_between(start, due, hours, pauses) == duration
    if duration:  # the due moment is the earliest one: a second earlier, it is not yet used up
        earlier = due - datetime.timedelta(seconds=1)
        assert business_time_between(start, earlier, hours, pauses) < duration
