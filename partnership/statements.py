"""Compiled SQL kept per key, for the header's badges that every page asks for and for the
items of "My work" (`sum_of_counts`, `rows`).

Building and compiling a query through the access rule (a dozen subqueries for "My work")
costs far more Python than running it. The SQL of such a query is a pure function of the
person and the day, so it is compiled once per (key, person, day) in this process and run
afresh each time: the count is never stale, only its wording is reused. Keys must name
everything the query's text depends on.

On PostgreSQL the access rule's uncorrelated subqueries (the partnerships visible on one
side, a person's participations and managed organisations), which the summed counts repeat
once per source, are computed once: each one repeated becomes a MATERIALIZED common table
expression that the counts read (`_hoisted`). That halves the badge's planning and running
at 1,000 partnerships; the rows counted are the same. Their text is the same on every request
of the day, so the driver prepares them on each connection that runs them (DB_PREPARED_STATEMENTS,
config/settings.py) and PostgreSQL plans them once per connection rather than on every request.
"""

import copy
import re
from collections import Counter, OrderedDict
from threading import Lock

from django.core.exceptions import EmptyResultSet
from django.db import connection, connections

MAX_STATEMENTS = 2048

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


def rows(key, build) -> list:
    """The rows of the QuerySet `build()` as its iteration gives them (model instances, with
    its select_related, annotations, ordering and prefetch_related), from SQL compiled once
    per `key` and run afresh each call. "My work" builds its items with this: the page pays
    for running the queries, not for building them through the access rule again."""
    template, compiler, sql, params = _statement(("rows", *key), lambda: _compiled(build()))
    if compiler is None:
        return []
    queryset = template._chain()
    ready = copy.copy(compiler)  # the compiled state (columns, related models) kept
    ready.connection = connections[queryset.db]  # this thread's connection
    ready.as_sql = lambda *args, **kwargs: (sql, params)
    queryset.query.get_compiler = lambda *args, **kwargs: ready
    return list(queryset)


def _compiled(queryset):
    if queryset.query.is_empty():
        return queryset, None, "", []
    compiler = queryset.query.get_compiler(using=queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return queryset, None, "", []
    if connection.vendor == "postgresql":  # the values inlined (quoted by the driver)
        return queryset, compiler, connection.ops.compose_sql(sql, params), None
    return queryset, compiler, sql, tuple(params)


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
    if not parts:
        return "", []
    sql = "SELECT " + " + ".join(parts)
    if connection.vendor != "postgresql":
        return sql, params
    # The values inlined (quoted by the driver), so that subqueries can move whole.
    return _hoisted(connection.ops.compose_sql(sql, params)), None


# Subqueries of the access rule (`partnership.models.visible_q` and its helpers), as Django
# writes them inside another query; hoisted when they are uncorrelated.
_HOISTABLE = re.compile(
    r'\(SELECT ([A-Z]\d+)\."(?:id|partnership_id|organization_id)"(?: AS "\w+")? FROM '
    r'"partnership_(?:partnership|participant|membership)" \1 WHERE '
)
_ALIAS_USED = re.compile(r'\b([A-Z]\d+)\."')
_ALIAS_DEFINED = re.compile(r'" ([A-Z]\d+)\b')
_TABLE_COLUMN = re.compile(r'"\w+"\."')


def _closing(sql: str, start: int) -> int:
    """The index after the parenthesis that closes the one at `start`, skipping quoted
    literals and names; -1 if there is none."""
    depth, i, n = 0, start, len(sql)
    while i < n:
        char = sql[i]
        if char in "'\"":
            escapes = char == "'" and i > 0 and sql[i - 1] in "eE"
            i += 1
            while i < n:
                if escapes and sql[i] == "\\":
                    i += 2
                    continue
                if sql[i] == char:
                    if i + 1 < n and sql[i + 1] == char:  # a doubled quote
                        i += 2
                        continue
                    break
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _uncorrelated(sub: str) -> bool:
    """No reference to a table or alias of the query around it."""
    if _TABLE_COLUMN.search(sub):
        return False
    return set(_ALIAS_USED.findall(sub)) <= set(_ALIAS_DEFINED.findall(sub))


def _hoisted(sql: str) -> str:
    """`sql` with each uncorrelated access-rule subquery that it repeats computed once, as a
    MATERIALIZED CTE, outermost first (one inside a hoisted one moves with it). One that
    occurs once stays where it is: there, a CTE only costs."""
    found, pos = [], 0
    for match in _HOISTABLE.finditer(sql):
        start = match.start()
        if start < pos:
            continue  # inside one found already
        end = _closing(sql, start)
        if end < 0:
            return sql
        if _uncorrelated(sql[start:end]):
            found.append((start, end))
            pos = end
    counts = Counter(sql[start:end] for start, end in found)
    names: dict[str, str] = {}
    pieces, pos = [], 0
    for start, end in found:
        sub = sql[start:end]
        if counts[sub] < 2:
            continue
        name = names.setdefault(sub, f"access_{len(names)}")
        pieces += [sql[pos:start], f'(SELECT * FROM "{name}")']  # noqa: S608 (our own name)
        pos = end
    if not names:
        return sql
    pieces.append(sql[pos:])
    ctes = ", ".join(f'"{name}" AS MATERIALIZED {sub}' for sub, name in names.items())
    return f"WITH {ctes} " + "".join(pieces)


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
