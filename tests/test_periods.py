import datetime

import pytest

from partnership.periods import MONTHLY, QUARTERLY, Period, last_periods


@pytest.mark.parametrize(
    ("text", "frequency", "start", "label"),
    [
        ("2026-03", MONTHLY, datetime.date(2026, 3, 1), "2026-03"),
        ("2026-3", MONTHLY, datetime.date(2026, 3, 1), "2026-03"),
        ("2026-03-17", MONTHLY, datetime.date(2026, 3, 1), "2026-03"),
        ("2026-Q1", QUARTERLY, datetime.date(2026, 1, 1), "2026-Q1"),
        ("2026q4", QUARTERLY, datetime.date(2026, 10, 1), "2026-Q4"),
        ("2026-05-31", QUARTERLY, datetime.date(2026, 4, 1), "2026-Q2"),
    ],
)
def test_parse_and_label(text, frequency, start, label):
    period = Period.parse(text, frequency)
    assert (period.start, period.label) == (start, label)


@pytest.mark.parametrize(
    ("text", "frequency"),
    [("2026-13", MONTHLY), ("2026-Q5", QUARTERLY), ("soon", MONTHLY), ("2026-Q1", MONTHLY)],
)
def test_parse_rejects_nonsense(text, frequency):
    with pytest.raises(ValueError):
        Period.parse(text, frequency)


def test_next_previous_and_end_cross_years():
    december = Period(datetime.date(2025, 12, 1), MONTHLY)
    assert december.next().start == datetime.date(2026, 1, 1)
    assert december.next().previous() == december
    assert december.end == datetime.date(2025, 12, 31)
    q4 = Period(datetime.date(2025, 10, 1), QUARTERLY)
    assert q4.next().label == "2026-Q1" and q4.end == datetime.date(2025, 12, 31)


def test_last_periods_are_the_ended_ones_oldest_first():
    periods = last_periods(MONTHLY, 3, today=datetime.date(2026, 3, 15))
    assert [p.label for p in periods] == ["2025-12", "2026-01", "2026-02"]
    assert [p.label for p in last_periods(QUARTERLY, 2, today=datetime.date(2026, 1, 2))] == [
        "2025-Q3",
        "2025-Q4",
    ]
