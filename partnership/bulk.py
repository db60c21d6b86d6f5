"""Bulk writes the ORM spells slowly: many rows, each with its own values, in one statement.

`QuerySet.bulk_update` builds a `CASE WHEN pk = … THEN …` expression per row and field, which
costs more in Python than the database spends on the rows (seconds for a few thousand). The
review clock moves hundreds of surveys at once; `rows_update` sends them as one
`UPDATE … FROM (VALUES …)`, which PostgreSQL and SQLite (3.33+) both run.
"""

from django.db import connection


def rows_update(model, objs, fields: list[str], **where) -> int:
    """Write `fields` of each of `objs` (instances of `model` with a primary key) to its row,
    only where the row still matches `where` (field=value equality: a guard such as
    state="open"); returns how many rows were written."""
    objs = list(objs)
    if not objs:
        return 0
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    pk = meta.pk
    columns = [meta.get_field(name) for name in fields]

    def column(field, n: int) -> str:
        # VALUES columns are named column1, column2, … in both databases; PostgreSQL types a
        # column of NULLs as text, so it is told the type. (An SQLite CAST would change values.)
        name = f"v.column{n}"
        if connection.vendor == "postgresql":
            return f"CAST({name} AS {field.cast_db_type(connection)})"
        return name

    params, rows = [], []
    for obj in objs:
        values = [pk.get_db_prep_value(obj.pk, connection)]
        values += [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns]
        params += values
        rows.append("(" + ", ".join(["%s"] * len(values)) + ")")
    assignments = ", ".join(
        f"{qn(f.column)} = {column(f, n)}" for n, f in enumerate(columns, start=2)
    )
    conditions = [f"{table}.{qn(pk.column)} = {column(pk, 1)}"]
    for name, value in where.items():
        field = meta.get_field(name)
        conditions.append(f"{table}.{qn(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    # Only quoted names and placeholders are spliced in; every value is a parameter.
    sql = (
        f"UPDATE {table} SET {assignments} FROM (VALUES {', '.join(rows)}) AS v "  # noqa: S608
        f"WHERE {' AND '.join(conditions)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
