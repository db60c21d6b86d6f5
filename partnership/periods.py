"""Reporting periods: a KPI is measured per month or quarter; surveys and rounds run per quarter.

A period is stored as its first day (`period_start`), so one DateField orders, filters and
constrains it; labels are "2026-03" for a month and "2026-Q1" for a quarter.
"""

import datetime
import re
from dataclasses import dataclass

MONTHLY = "monthly"
QUARTERLY = "quarterly"

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?[Qq]([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    start: datetime.date
    frequency: str

    @classmethod
    def containing(cls, day: datetime.date, frequency: str) -> "Period":
        month = day.month if frequency == MONTHLY else 3 * ((day.month - 1) // 3) + 1
        return cls(datetime.date(day.year, month, 1), frequency)

    @classmethod
    def parse(cls, text: str, frequency: str) -> "Period":
        """'2026-03' for a month, '2026-Q1' for a quarter; also an ISO date inside the period."""
        text = str(text).strip()
        if frequency == QUARTERLY and (m := _QUARTER.match(text)):
            return cls(datetime.date(int(m[1]), 3 * int(m[2]) - 2, 1), frequency)
        if frequency == MONTHLY and (m := _MONTH.match(text)) and 1 <= int(m[2]) <= 12:
            return cls(datetime.date(int(m[1]), int(m[2]), 1), frequency)
        try:
            return cls.containing(datetime.date.fromisoformat(text), frequency)
        except ValueError:
            raise ValueError(text) from None

    @property
    def months(self) -> int:
        return 1 if self.frequency == MONTHLY else 3

    @property
    def end(self) -> datetime.date:
        """The last day of the period."""
        return self.next().start - datetime.timedelta(days=1)

    def next(self) -> "Period":
        month0 = self.start.month - 1 + self.months
        return Period(
            datetime.date(self.start.year + month0 // 12, month0 % 12 + 1, 1), self.frequency
        )

    def previous(self) -> "Period":
        month0 = self.start.month - 1 - self.months
        return Period(
            datetime.date(self.start.year + month0 // 12, month0 % 12 + 1, 1), self.frequency
        )

    @property
    def label(self) -> str:
        if self.frequency == QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}-{self.start.month:02d}"

    def __str__(self) -> str:
        return self.label


def last_periods(frequency: str, count: int, today: datetime.date) -> list[Period]:
    """The `count` most recent periods that have ended by `today`, oldest first."""
    current = Period.containing(today, frequency).previous()
    periods = [current]
    for _ in range(count - 1):
        periods.append(periods[-1].previous())
    return list(reversed(periods))
