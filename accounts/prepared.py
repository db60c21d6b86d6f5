"""Querysets compiled to SQL once per process and then only executed with other values.

Building a queryset and compiling it costs the ORM several times what PostgreSQL needs to answer
a lookup by a unique key, and some lookups run on every API request: the token of the
Authorization header (accounts/authentication.py) and the partnership of the URL with the
caller's participation and roles (partnership/api_base.py). A `PreparedQuery` asks the ORM for
the SQL once, with a stand-in for each value that changes, and afterwards executes that SQL with
the values put where the stand-ins were. Rows become model instances the way the ORM's own
iterator makes them (select_related, deferred fields and annotations included), so the result
is what evaluating the queryset gives.

The queryset must have one shape whatever the values (no branch on them in Python): the
stand-ins are found again by value among the compiled parameters. It lives here, on the ground
floor, so every app may use it.
"""

import uuid
from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import Field, QuerySet
from django.db.models.query import get_related_populators

_INTEGER = -2_071_234_567  # no id is negative
_UUID = uuid.UUID("00000000-0000-4000-8000-0000005eed00")


def _stand_in(name: str, field: Field):
    kind = field.get_internal_type()
    if kind == "UUIDField":
        return _UUID
    if kind in ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField"):
        return _INTEGER
    return f"\x1fstand-in for {name}\x1f"  # a string no client sends


class PreparedQuery:
    """`build(**stand_ins)` returns the queryset; `fields` names the model field of each value
    (its type makes the stand-in, and it prepares the values as the ORM would)."""

    def __init__(self, build: Callable[..., QuerySet], **fields: Field):
        self.build = build
        self.fields = fields
        self._compiled = None

    def _compile(self):
        stand_ins = {name: _stand_in(name, field) for name, field in self.fields.items()}
        queryset = self.build(**stand_ins)
        db = queryset.db
        connection = connections[db]
        compiler = queryset.query.get_compiler(using=db)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = {}
        for name, field in self.fields.items():
            prepared = field.get_db_prep_value(stand_ins[name], connection)
            slots[name] = [i for i, param in enumerate(params) if param == prepared]
            if not slots[name]:
                raise ImproperlyConfigured(f"{name} is not a parameter of the prepared query.")
        select = compiler.select
        klass_info = compiler.klass_info
        fields_at = klass_info["select_fields"]
        start, end = fields_at[0], fields_at[-1] + 1
        self._compiled = {
            "db": db,
            "sql": sql,
            "params": params,
            "slots": slots,
            "converters": compiler.get_converters([s[0] for s in select[: compiler.col_count]]),
            "compiler": compiler,
            "model": klass_info["model"],
            "init_list": [f[0].target.attname for f in select[start:end]],
            "model_slice": slice(start, end),
            "populators": get_related_populators(klass_info, select, db),
            "annotations": dict(compiler.annotation_col_map or {}),
        }
        return self._compiled

    def objects(self, **values) -> list:
        """The model instances the queryset gives for these values."""
        return self.instances(self.rows(**values))

    def rows(self, **values) -> list[tuple]:
        """The rows for these values, as the database returns them (converted): what
        `instances` makes model instances of. A row can be kept and made instances of again,
        so that nobody shares an instance another request may have changed."""
        compiled = self._compiled or self._compile()
        connection = connections[compiled["db"]]
        params = list(compiled["params"])
        for name, at in compiled["slots"].items():
            prepared = self.fields[name].get_db_prep_value(values[name], connection)
            for i in at:
                params[i] = prepared
        with connection.cursor() as cursor:
            cursor.execute(compiled["sql"], params)
            rows = cursor.fetchall()
        if compiled["converters"]:
            rows = list(compiled["compiler"].apply_converters(rows, compiled["converters"]))
        return rows

    def instances(self, rows) -> list:
        compiled = self._compiled or self._compile()
        db, model = compiled["db"], compiled["model"]
        init_list, cut = compiled["init_list"], compiled["model_slice"]
        found = []
        for row in rows:
            obj = model.from_db(db, init_list, row[cut])
            for populator in compiled["populators"]:
                populator.populate(row, obj)
            for attr, at in compiled["annotations"].items():
                setattr(obj, attr, row[at])
            found.append(obj)
        return found
