"""The demo world, seeded once per test process into a database of its own.

`seed_demo` takes many seconds; the tests that read the demo used to run it once each. Now the
first of them in a process clones the freshly migrated test database (PostgreSQL's
`CREATE DATABASE … TEMPLATE`), seeds the clone and keeps it with its uploaded files:
- `demo_db` points the connection at that database for one test, inside a transaction that is
  rolled back, like `db`;
- `demo_live_db` gives a browser test its own copy (cloned from the seeded one in well under a
  second), because the live server's thread must see committed data.
"""

import io
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

# The demo users' password in the tests. Not settings.DEMO_PASSWORD: with DEBUG off, as the suite
# runs, that one is refused at every sign-in (accounts.backends.DemoPasswordGuardBackend).
SIGN_IN_PASSWORD = "test-only-demo-sign-in-2718"


@dataclass(frozen=True)
class DemoTemplate:
    database: str
    media_root: Path


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _admin_sql(*statements: str) -> None:
    """Run statements outside any database the tests use (CREATE/DROP DATABASE need that)."""
    with connection._nodb_cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def clone_database(source: str, target: str) -> None:
    """A copy of `source`. Our own stale sessions on it (a finished live-server request, a thread
    of an earlier test) would make PostgreSQL refuse the copy, so they are ended first."""
    connections.close_all()
    _admin_sql(
        f"DROP DATABASE IF EXISTS {_quote(target)} WITH (FORCE)",
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{source}' AND pid <> pg_backend_pid()",
        f"CREATE DATABASE {_quote(target)} TEMPLATE {_quote(source)}",
    )


def drop_database(name: str) -> None:
    connections.close_all()
    _admin_sql(f"DROP DATABASE IF EXISTS {_quote(name)} WITH (FORCE)")


@contextmanager
def using_database(name: str):
    """Point the default connection (in every thread, the live server's too) at `name`."""
    entry = settings.DATABASES["default"]
    previous = entry["NAME"]
    connections.close_all()
    entry["NAME"] = connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connections.close_all()
        entry["NAME"] = connection.settings_dict["NAME"] = previous


def seed_template(media_root: Path) -> DemoTemplate:
    """Clone the test database and seed the demo into the clone, with sign-in passwords."""
    from accounts.models import User
    from tests.conftest import test_settings

    test_database = settings.DATABASES["default"]["NAME"]
    template = DemoTemplate(database=f"{test_database}_demo", media_root=media_root)
    clone_database(test_database, template.database)
    with using_database(template.database), test_settings(media_root):
        call_command("seed_demo", stdout=io.StringIO())
        # The demo password is only set (and only works) when DEBUG is on; tests run with DEBUG
        # off, so the demo users get a test-only password instead.
        for user in User.objects.filter(email__endswith=".demo"):
            user.set_password(SIGN_IN_PASSWORD)
            user.save(update_fields=["password"])
    return template


def copy_media(template: DemoTemplate, target: Path) -> Path:
    shutil.copytree(template.media_root, target, dirs_exist_ok=True)
    return target
