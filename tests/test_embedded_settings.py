"""`make run` needs nothing but Python: without DATABASE_URL / REDIS_URL the settings fall back
to SQLite, kombu's filesystem broker and a file cache, and a message really crosses that broker."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json
from django.conf import settings
from config.celery import app
with app.connection_for_write() as conn:
    conn.ensure_connection(max_retries=1)
    queue = conn.SimpleQueue("tandem-probe")
    queue.put({"hello": "world"})
    received = queue.get(timeout=5).payload
    queue.close()
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    journal = cursor.fetchone()[0]
print(json.dumps({
    "journal": journal,
    "transaction_mode": settings.DATABASES["default"]["OPTIONS"].get("transaction_mode"),
    "site_url": settings.SITE_URL,
    "db": settings.DATABASES["default"]["ENGINE"],
    "broker": settings.CELERY_BROKER_URL,
    "cache": settings.CACHES["default"]["BACKEND"],
    "received": received,
}))
"""


def test_embedded_defaults_use_sqlite_filesystem_broker_and_file_cache(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    env.pop("SITE_URL", None)
    env.update(DEBUG="1", TANDEM_VAR_DIR=str(tmp_path), PORT="8123")
    # No folders prepared here: the settings create the broker's folders themselves.
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    state = json.loads(result.stdout.strip().splitlines()[-1])
    assert state["db"] == "django.db.backends.sqlite3"
    assert state["broker"] == "filesystem://"
    assert state["cache"].endswith("FileBasedCache")
    assert state["received"] == {"hello": "world"}
    # Web, worker and beat share the file: readers never block the writer, a write waits its
    # turn from the start of its transaction instead of failing as "database is locked" (see
    # bench/saves.py for what Django's defaults do to a save next to a busy worker).
    assert state["journal"] == "wal"
    assert state["transaction_mode"] == "IMMEDIATE"
    assert state["site_url"] == "http://127.0.0.1:8123"  # e-mail links follow PORT
    # kombu's exchange tables live under the var folder, not in the working directory.
    assert (tmp_path / "celery-control" / "tandem-probe.exchange").exists()
    assert not (ROOT / "control").exists()
