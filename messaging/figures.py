"""The hub's response figures per partnership and period: threads opened, complaints and
incidents, how many got an answer from the other side and the median time to that first
response, and for complaints and incidents the median time to resolve. The review round
compiles them; the hub page shows the last four quarters.

Only shared threads count: internal ones are one side's business and never appear in a figure
that both sides and the facilitator read.

On PostgreSQL one aggregate query computes every period at once (medians with
`percentile_cont`), so the cost does not grow with the number of threads in Python. Other
databases (the embedded SQLite run) get the same figures from the rows.
"""

import statistics
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, Q
from django.utils import timezone

from partnership.models import Partnership

from .models import RESOLVE_TIMED, Category, Thread, Visibility

KEYS = ("threads", "complaints", "incidents", "unanswered", "responded", "resolved")


class _Median(Aggregate):
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _seconds(expression):
    return Func(
        expression, template="EXTRACT(EPOCH FROM %(expressions)s)", output_field=FloatField()
    )


def figures(*, partnership: Partnership, start: datetime, end: datetime) -> dict:
    """The figures for threads opened in [start, end)."""
    return _figures(partnership, [(start, end)])[0]


def figures_by_period(*, partnership: Partnership, periods) -> list[dict]:
    """`figures` for each reporting Period (oldest first), each with its `period`."""
    ranges = [(_midnight(p.start), _midnight(p.next().start)) for p in periods]
    return [
        {"period": period, **row}
        for period, row in zip(periods, _figures(partnership, ranges), strict=True)
    ]


def figures_across(*, partnership_ids, start: datetime, end: datetime) -> dict:
    """partnership id -> `figures` for threads opened in [start, end), in one query for any
    number of partnerships (the review clock closes hundreds of rounds of a period at once)."""
    partnership_ids = list(partnership_ids)
    threads = Thread.objects.filter(
        partnership_id__in=partnership_ids,
        visibility=Visibility.SHARED,
        created_at__gte=start,
        created_at__lt=end,
    )
    if connection.vendor == "postgresql":
        rows = {
            row.pop("partnership_id"): row
            for row in threads.values("partnership_id")
            .annotate(**_aggregates(0, start, end))
            .order_by()
        }
        empty = threads.none().aggregate(**_aggregates(0, start, end))
        return {pid: _row_figures(rows.get(pid, empty), 0) for pid in partnership_ids}
    by_partnership: dict = {}
    for pid, *row in threads.values_list(
        "partnership_id", "category", "created_at", "first_response_at", "resolved_at"
    ):
        by_partnership.setdefault(pid, []).append(row)
    return {
        pid: _rows_figures(by_partnership.get(pid, []), [(start, end)])[0]
        for pid in partnership_ids
    }


def _midnight(day):
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def _shared(partnership, ranges):
    return Thread.objects.filter(
        partnership=partnership,
        visibility=Visibility.SHARED,
        created_at__gte=min(r[0] for r in ranges),
        created_at__lt=max(r[1] for r in ranges),
    )


def _figures(partnership, ranges) -> list[dict]:
    if not ranges:
        return []
    if connection.vendor == "postgresql":
        return _figures_in_sql(partnership, ranges)
    return _figures_from_rows(partnership, ranges)


def _aggregates(i: int, start: datetime, end: datetime) -> dict:
    responded = Q(first_response_at__isnull=False)
    resolved = Q(category__in=RESOLVE_TIMED, resolved_at__isnull=False)
    response_time = _seconds(F("first_response_at") - F("created_at"))
    resolve_time = _seconds(F("resolved_at") - F("created_at"))
    inside = Q(created_at__gte=start, created_at__lt=end)
    return {
        f"threads{i}": Count("pk", filter=inside),
        f"complaints{i}": Count("pk", filter=inside & Q(category=Category.COMPLAINT)),
        f"incidents{i}": Count("pk", filter=inside & Q(category=Category.INCIDENT)),
        f"unanswered{i}": Count("pk", filter=inside & ~responded),
        f"responded{i}": Count("pk", filter=inside & responded),
        f"resolved{i}": Count("pk", filter=inside & resolved),
        f"response{i}": _Median(response_time, filter=inside & responded),
        f"resolve{i}": _Median(resolve_time, filter=inside & resolved),
    }


def _row_figures(row: dict, i: int) -> dict:
    return {
        **{key: row[f"{key}{i}"] for key in KEYS},
        "median_first_response": _duration(row[f"response{i}"]),
        "median_time_to_resolve": _duration(row[f"resolve{i}"]),
    }


def _figures_in_sql(partnership, ranges) -> list[dict]:
    aggregates = {}
    for i, (start, end) in enumerate(ranges):
        aggregates |= _aggregates(i, start, end)
    row = _shared(partnership, ranges).aggregate(**aggregates)
    return [_row_figures(row, i) for i in range(len(ranges))]


def _figures_from_rows(partnership, ranges) -> list[dict]:
    rows = list(
        _shared(partnership, ranges).values_list(
            "category", "created_at", "first_response_at", "resolved_at"
        )
    )
    return _rows_figures(rows, ranges)


def _rows_figures(rows, ranges) -> list[dict]:
    result = []
    for start, end in ranges:
        inside = [r for r in rows if start <= r[1] < end]
        responses = [r[2] - r[1] for r in inside if r[2] is not None]
        resolves = [r[3] - r[1] for r in inside if r[0] in RESOLVE_TIMED and r[3] is not None]
        result.append(
            {
                "threads": len(inside),
                "complaints": sum(1 for r in inside if r[0] == Category.COMPLAINT),
                "incidents": sum(1 for r in inside if r[0] == Category.INCIDENT),
                "unanswered": len(inside) - len(responses),
                "responded": len(responses),
                "resolved": len(resolves),
                "median_first_response": _median(responses),
                "median_time_to_resolve": _median(resolves),
            }
        )
    return result


def _median(values: list[timedelta]) -> timedelta | None:
    if not values:
        return None
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


def _duration(seconds) -> timedelta | None:
    return None if seconds is None else timedelta(seconds=float(seconds))
