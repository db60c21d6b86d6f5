"""A trigger that lets a review round's state move only one step forward, or one step back
through an explicit reopen (which raises `reopen_count` by one). PostgreSQL and SQLite."""

from django.db import migrations

ALLOWED = """(
    ((OLD.state = 'scheduled' AND NEW.state = 'open')
     OR (OLD.state = 'open' AND NEW.state = 'closed')
     OR (OLD.state = 'closed' AND NEW.state = 'discussed')
     OR (OLD.state = 'discussed' AND NEW.state = 'published'))
    AND NEW.reopen_count = OLD.reopen_count
) OR (
    ((OLD.state = 'discussed' AND NEW.state = 'closed')
     OR (OLD.state = 'published' AND NEW.state = 'discussed'))
    AND NEW.reopen_count = OLD.reopen_count + 1
)"""

MESSAGE = "review round state change not allowed"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION reviews_round_state_refused() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}: % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
    END $$ LANGUAGE plpgsql;
    """,
    f"""
    CREATE TRIGGER reviews_round_state_guard
    BEFORE UPDATE OF state ON reviews_reviewround
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NOT ({ALLOWED}))
    EXECUTE FUNCTION reviews_round_state_refused();
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS reviews_round_state_guard ON reviews_reviewround;",
    "DROP FUNCTION IF EXISTS reviews_round_state_refused();",
]
SQLITE = [
    f"""
    CREATE TRIGGER reviews_round_state_guard
    BEFORE UPDATE OF state ON reviews_reviewround
    FOR EACH ROW WHEN OLD.state <> NEW.state AND NOT ({ALLOWED})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS reviews_round_state_guard;"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("reviews", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        )
    ]
