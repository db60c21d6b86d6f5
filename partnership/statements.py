"""Compiled SQL kept per key, for the header's badges that every page asks for.

Building and compiling a query through the access rule (a dozen subqueries for "My work")
costs far more Python than running it. The SQL of such a query is a pure function of the
person and the day, so it is compiled once per (key, person, day) in this process and run
afresh each time: the count is never stale, only its wording is reused. Keys must name
everything the query's text depends on.
"""

from collections import OrderedDict
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import connection

MAX_STATEMENTS = 512

_statements: OrderedDict = OrderedDict()
_lock = Lock()


def sum_of_counts(key, querysets) -> int:
    """The sum of `querysets()`' counts, in one statement: SELECT (SELECT COUNT(*) FROM (…)) +
    … (each as `.count()` counts it; an empty one adds nothing). The statement is compiled
    once per `key`."""
    sql, params = _statement(key, lambda: _sum_statement(querysets()))
    if not sql:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def _sum_statement(querysets) -> tuple[str, list]:
    parts, params = [], []
    for qs in querysets:
        try:
            sql, qs_params = qs.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            continue
        # Django's own compiled SQL, its values kept apart as parameters.
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS w{len(parts)})")  # noqa: S608
        params.extend(qs_params)
    return ("SELECT " + " + ".join(parts), params) if parts else ("", [])


def _statement(key, build) -> tuple[str, list]:
    key = (connection.alias, connection.settings_dict["NAME"], *key)
    with _lock:
        found = _statements.get(key)
        if found is not None:
            _statements.move_to_end(key)
            return found
    found = build()
    with _lock:
        _statements[key] = found
        while len(_statements) > MAX_STATEMENTS:
            _statements.popitem(last=False)
    return found
