"""How long a save takes under `make run`'s settings, with a busy worker on the same SQLite file.

    rm -rf /tmp/bench-saves && TANDEM_VAR_DIR=/tmp/bench-saves .venv/bin/python bench/saves.py 10
    TANDEM_VAR_DIR=/tmp/bench-saves .venv/bin/python bench/saves.py 10 --sqlite-defaults

The embedded run (SQLite, the filesystem broker under TANDEM_VAR_DIR, DEBUG on) is migrated and
seeded once. Then the three saves a newcomer found slow — a hub thread, a document version,
planning a session — are posted N times each through the views (Django's test client, so the
middleware, forms, services and `on_commit` queueing all run), while a second connection does
what the worker does after each save: reads the new notifications, renders their e-mails and
writes its own rows, in a loop. One row per save: median and slowest milliseconds, queries, and
how many failed with "database is locked".

`--sqlite-defaults` runs the same with Django's SQLite defaults (rollback journal, a disk sync per
commit, transactions that take their write lock halfway), which is what `make run` used before:
there every commit waits for the disk and the web and the worker lock each other out, so a save
takes as long as the disk and the other process make it (seconds on a slow or busy disk).
"""

import contextlib
import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")
for variable in ("DATABASE_URL", "REDIS_URL"):
    os.environ.pop(variable, None)  # this measures the embedded run

import django  # noqa: E402
from django.conf import settings  # noqa: E402

DEFAULTS = "--sqlite-defaults" in sys.argv
if DEFAULTS:
    settings.DATABASES["default"]["OPTIONS"] = {"init_command": "PRAGMA journal_mode=DELETE;"}
settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import OperationalError, connection, connections, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from messaging.models import Document  # noqa: E402
from partnership.emails import notification_render  # noqa: E402
from partnership.models import Notification, Partnership  # noqa: E402
from reviews.models import ReviewRound, RoundState  # noqa: E402


def busy_worker(stop: threading.Event, counts: dict) -> None:
    """What the worker does after each save, as fast as it can: read, render, write."""
    try:
        while not stop.is_set():
            latest = list(Notification.objects.select_related("user", "partnership")[:20])
            for notification in latest:
                notification_render(notification)
            try:
                with transaction.atomic():
                    Notification.objects.filter(pk__in=[n.pk for n in latest[:5]]).update(
                        url="/busy/"
                    )
            except OperationalError:
                counts["locked"] += 1
            counts["rounds"] += 1
    finally:
        connections.close_all()


def seeded() -> None:
    call_command("migrate", verbosity=0)
    if not Partnership.objects.filter(title="Schoonmaak Sint-Lucas").exists():
        call_command("seed_demo", verbosity=0)


def saves(n: int) -> dict:
    cleaning = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    lead = Client()
    lead.force_login(User.objects.get(email="pl@cleancare.demo"))
    facilitator = Client()
    facilitator.force_login(User.objects.get(email="facilitator@samenverder.demo"))
    document = Document.objects.filter(partnership=cleaning).order_by("pk").first()
    hub = f"/partnerships/{cleaning.pk}/hub/"
    closed = ReviewRound.objects.filter(state=RoundState.CLOSED).first()

    def thread(i):
        data = {"category": "question", "subject": f"Bench {i}", "body": "Werkt dit?"}
        return lead.post(hub + "new/", {**data, "priority": "normal", "visibility": "shared"})

    def version(i):
        upload = SimpleUploadedFile(f"v{i}.txt", f"versie {i} {time.time()}".encode())
        return lead.post(f"{hub}documents/{document.pk}/versions/", {"file": upload})

    def session(i):
        url = f"/partnerships/{closed.partnership_id}/rounds/{closed.pk}/session/plan/"
        data = {"date": f"2027-02-{10 + i % 15:02d}", "start_time": "10:00", "end_time": "11:30"}
        return facilitator.post(url, {**data, "location": f"Zaal {i}"})

    runs = {"hub thread": thread, "document version": version}
    if closed is not None:
        runs["plan a session"] = session
    rows = {}
    for name, save in runs.items():
        times, queries, failed = [], [], 0
        with contextlib.suppress(OperationalError):  # a warm-up, not counted: the first
            save(n)  # call of a process imports and compiles
        for i in range(n):
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                try:
                    response = save(i)
                except OperationalError:  # "database is locked": the save is lost
                    failed += 1
                else:
                    assert response.status_code in (200, 302), (name, response.status_code)
                times.append((time.perf_counter() - start) * 1000)
            queries.append(len(captured.captured_queries))
        rows[name] = (statistics.median(times), max(times), max(queries), failed)
    return rows


def main() -> None:
    n = int(next((a for a in sys.argv[1:] if a.isdigit()), "10"))
    seeded()
    stop, counts = threading.Event(), {"rounds": 0, "locked": 0}
    worker = threading.Thread(target=busy_worker, args=(stop, counts), daemon=True)
    worker.start()
    try:
        rows = saves(n)
    finally:
        stop.set()
        worker.join(timeout=30)
    mode = "Django's SQLite defaults" if DEFAULTS else "Tandem's SQLite settings"
    print(
        f"\n{mode}; {n} saves each; the busy worker ran {counts['rounds']} rounds, "
        f"{counts['locked']} of them locked out\n"
    )
    print(f"{'save':<18} {'median ms':>10} {'slowest ms':>11} {'queries':>8} {'locked':>7}")
    for name, (median, slowest, queries, failed) in rows.items():
        print(f"{name:<18} {median:>10.1f} {slowest:>11.1f} {queries:>8} {failed:>7}")


if __name__ == "__main__":
    main()
