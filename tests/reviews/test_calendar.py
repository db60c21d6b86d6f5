"""Review periods and questionnaire windows on real calendars (holidays, weekends, DST)."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from reviews import calendar

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=AMSTERDAM)


def quarter_of(year: int, month: int) -> calendar.ReviewPeriod:
    return calendar.ReviewPeriod.containing(datetime.date(year, month, 15))


@pytest.mark.parametrize(
    ("year", "sunday"),
    [
        (2019, datetime.date(2019, 4, 21)),
        (2024, datetime.date(2024, 3, 31)),
        (2025, datetime.date(2025, 4, 20)),
        (2026, datetime.date(2026, 4, 5)),
        (2027, datetime.date(2027, 3, 28)),
        (2038, datetime.date(2038, 4, 25)),
    ],
)
def test_easter_sunday_of_real_years(year, sunday):
    assert calendar.easter(year) == sunday


def test_holidays_of_2026():
    assert calendar.holidays(2026) == {
        datetime.date(2026, 1, 1),
        datetime.date(2026, 4, 6),  # Easter Monday
        datetime.date(2026, 5, 14),  # Ascension Day
        datetime.date(2026, 5, 25),  # Whit Monday
        datetime.date(2026, 12, 25),
        datetime.date(2026, 12, 26),
    }


def test_q4_2025_opens_on_friday_2_january_because_new_years_day_is_a_holiday():
    period = quarter_of(2025, 11)
    assert (period.start, period.end) == (datetime.date(2025, 10, 1), datetime.date(2025, 12, 31))
    opens, closes = calendar.window(period)
    assert opens == local(2026, 1, 2, 7, 0)
    assert opens.weekday() == 4
    assert closes == local(2026, 1, 16, 7, 0)
    assert opens.astimezone(UTC).hour == 6  # CET, UTC+1


def test_q1_2024_opens_after_easter_monday():
    period = quarter_of(2024, 2)
    assert period.end == datetime.date(2024, 3, 31)  # Easter Sunday itself
    opens, closes = calendar.window(period)
    assert opens == local(2024, 4, 2, 7, 0)
    assert closes == local(2024, 4, 16, 7, 0)


@pytest.mark.parametrize(
    ("quarter", "opens_on"),
    [
        ((2023, 5), datetime.date(2023, 7, 3)),  # Fri 30 Jun: Saturday and Sunday skipped
        ((2023, 2), datetime.date(2023, 4, 3)),  # Fri 31 Mar
        ((2028, 8), datetime.date(2028, 10, 2)),  # Sat 30 Sep
        ((2026, 5), datetime.date(2026, 7, 1)),  # Tue 30 Jun: the next day
        ((2026, 8), datetime.date(2026, 10, 1)),
    ],
)
def test_window_opens_on_the_first_working_day_after_the_quarter(quarter, opens_on):
    opens, _closes = calendar.window(quarter_of(*quarter))
    assert opens == local(opens_on.year, opens_on.month, opens_on.day, 7, 0)
    assert calendar.is_working_day(opens_on)


def test_opening_after_more_working_days_skips_weekends_and_holidays():
    period = quarter_of(2025, 11)  # ends Wed 31 Dec 2025
    opens, closes = calendar.window(period, open_after_working_days=3, open_days=7)
    # Thu 1 Jan holiday, Fri 2 Jan (1), Sat/Sun, Mon 5 (2), Tue 6 (3)
    assert opens == local(2026, 1, 6, 7, 0)
    assert closes == local(2026, 1, 13, 7, 0)


def test_window_times_stay_at_seven_local_in_winter_and_summer():
    winter_opens, _ = calendar.window(quarter_of(2025, 11))
    summer_opens, _ = calendar.window(quarter_of(2026, 5))
    assert winter_opens.astimezone(UTC).time() == datetime.time(6, 0)  # CET
    assert summer_opens.astimezone(UTC).time() == datetime.time(5, 0)  # CEST
    for moment in (winter_opens, summer_opens):
        assert moment.astimezone(AMSTERDAM).time() == calendar.DAY_STARTS


def test_window_across_the_end_of_summer_time_closes_at_seven_local():
    # Q3 2026 opens Thu 1 Oct (CEST); summer time ends Sun 25 Oct 2026.
    opens, closes = calendar.window(quarter_of(2026, 8), open_days=30)
    assert opens == local(2026, 10, 1, 7, 0)
    assert closes == local(2026, 10, 31, 7, 0)
    assert closes.astimezone(UTC).time() == datetime.time(6, 0)
    assert closes.astimezone(UTC) - opens.astimezone(UTC) == datetime.timedelta(days=30, hours=1)


def test_q1_window_after_the_start_of_summer_time_is_at_seven_cest():
    # Summer time starts Sun 30 Mar 2025; Q1 2025 opens Tue 1 Apr.
    opens, closes = calendar.window(quarter_of(2025, 2))
    assert opens == local(2025, 4, 1, 7, 0)
    assert opens.astimezone(UTC).time() == datetime.time(5, 0)
    assert closes.astimezone(UTC).time() == datetime.time(5, 0)


@pytest.mark.parametrize(
    ("months", "day", "start", "end", "label", "survey_quarter"),
    [
        (3, (2026, 2, 14), (2026, 1, 1), (2026, 3, 31), "2026-Q1", "2026-Q1"),
        (3, (2026, 12, 31), (2026, 10, 1), (2026, 12, 31), "2026-Q4", "2026-Q4"),
        (6, (2026, 3, 1), (2026, 1, 1), (2026, 6, 30), "2026-H1", "2026-Q2"),
        (6, (2026, 9, 1), (2026, 7, 1), (2026, 12, 31), "2026-H2", "2026-Q4"),
        (12, (2026, 5, 5), (2026, 1, 1), (2026, 12, 31), "2026", "2026-Q4"),
    ],
)
def test_periods_and_labels(months, day, start, end, label, survey_quarter):
    period = calendar.ReviewPeriod.containing(datetime.date(*day), months)
    assert period.start == datetime.date(*start)
    assert period.end == datetime.date(*end)
    assert period.label == label
    assert period.survey_quarter.label == survey_quarter


def test_next_and_previous_periods_wrap_around_the_year():
    q4 = quarter_of(2025, 11)
    assert q4.next().label == "2026-Q1"
    assert q4.next().previous() == q4
    h2 = calendar.ReviewPeriod.containing(datetime.date(2025, 8, 1), 6)
    assert h2.next().label == "2026-H1"
    year = calendar.ReviewPeriod.containing(datetime.date(2025, 8, 1), 12)
    assert year.next().label == "2026"
    assert year.previous().label == "2024"


def test_half_year_and_year_windows_open_in_the_new_year():
    # 1 Jan 2027 is a Friday (holiday): the windows open Monday 4 January.
    for months in (6, 12):
        period = calendar.ReviewPeriod.containing(datetime.date(2026, 11, 1), months)
        opens, _ = calendar.window(period)
        assert opens == local(2027, 1, 4, 7, 0)


def test_local_date_is_the_amsterdam_date():
    late_evening_utc = datetime.datetime(2026, 3, 31, 22, 30, tzinfo=UTC)  # 00:30 CEST
    assert calendar.local_date(late_evening_utc) == datetime.date(2026, 4, 1)
