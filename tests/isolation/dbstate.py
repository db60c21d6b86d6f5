"""Prove cheaply that a refused request wrote nothing.

PostgreSQL counts, per table and per transaction, every row a statement inserted, updated or
deleted (`pg_stat_xact_user_tables`), rolled-back savepoints included. The isolation world lives in
one transaction for the whole module, so the difference of those counters around a request is
exactly what the request tried to write, in any table, without reading a single row of data.

Two tables change legitimately when someone is merely let in or turned away: the session table,
and the stamps `last_login` / `last_used_at` (Bearer authentication stamps a token at most once a
minute). Those two stamped tables are small, so they are compared row by row without the stamp.
"""

from django.db import connection

from accounts.models import ApiToken, User

# Tables a refused request may write: Django's sessions (signing in for the probe, messages).
IGNORED_TABLES = {"django_session"}

# Tables whose rows carry a stamp that reading may set; compared by value without it.
STAMPED = {User: {"last_login"}, ApiToken: {"last_used_at"}}

_COUNTERS = """
    SELECT relname, n_tup_ins, n_tup_upd, n_tup_del
    FROM pg_stat_xact_user_tables
    WHERE n_tup_ins + n_tup_upd + n_tup_del > 0
"""


def _stamped_rows() -> dict[str, list]:
    rows = {}
    for model, volatile in STAMPED.items():
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in volatile]
        rows[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*fields))
    return rows


def snapshot() -> dict:
    """The write counters of this transaction and the stamped tables' rows, as they are now."""
    with connection.cursor() as cursor:
        cursor.execute(_COUNTERS)
        counters = {row[0]: tuple(row[1:]) for row in cursor.fetchall()}
    return {"counters": counters, "stamped": _stamped_rows()}


def diff(before: dict, after: dict) -> str:
    """A short description of what was written between two snapshots, empty when nothing was."""
    stamped_tables = set(after["stamped"])
    lines = []
    for table in sorted(set(after["counters"]) - IGNORED_TABLES - stamped_tables):
        old = before["counters"].get(table, (0, 0, 0))
        new = after["counters"][table]
        written = [n - o for n, o in zip(new, old, strict=True)]
        if any(written):
            inserted, updated, deleted = written
            lines.append(f"{table}: {inserted} inserted, {updated} updated, {deleted} deleted")
    for table in sorted(stamped_tables):
        if before["stamped"][table] != after["stamped"][table]:
            lines.append(f"{table}: rows changed beyond their sign-in stamp")
    return "\n".join(lines)
