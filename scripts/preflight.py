"""Before the suite runs: make sure PostgreSQL, Redis and Chromium answer, and say how to fix it."""

import os
import shutil
import socket
import sys
from urllib.parse import urlparse

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _reachable(url: str, default_port: int) -> tuple[bool, str]:
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or default_port
    try:
        with socket.create_connection((host, port), timeout=2):
            return True, f"{host}:{port}"
    except OSError:
        return False, f"{host}:{port}"


def _ensure_database(url: str) -> None:
    """Create the configured database when missing (makemigrations --check reads its history)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    problems = []
    db_url = os.environ.get("DATABASE_URL", "")
    if not db_url.startswith(("postgres://", "postgresql://")):
        problems.append("DATABASE_URL must point at PostgreSQL for the test suite.")
    else:
        ok, where = _reachable(db_url, 5432)
        if not ok:
            problems.append(
                f"PostgreSQL is not answering on {where}. Start it, e.g.\n"
                "    pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
            )
    redis_url = os.environ.get("REDIS_URL", "")
    ok, where = _reachable(redis_url or "redis://127.0.0.1:6379", 6379)
    if not redis_url or not ok:
        problems.append(
            f"Redis is not answering on {where}. Start it, e.g.\n"
            "    redis-server --daemonize yes --port 6379 --save '' --appendonly no"
        )
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        problems.append(
            f"Chromium is not installed at {CHROMIUM} (browser tests need it). Install it with\n"
            "    apt-get update && apt-get install -y chromium"
        )
    if not problems:
        _ensure_database(db_url)
    if problems:
        print("Cannot run the test suite:\n", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}\n", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
