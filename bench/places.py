"""The register of places at size: the import, the register's pages, the API and the sample draw
at N rooms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/places.py 5000

Replaces the demo hospital's register with N rooms through the import (timed: a first import, the
same file again, and one with a tenth of the rooms changed and a tenth left out), then prints one
row per page: status, queries, median and 95th percentile over repeated requests through the
test client (the register page and the places API), and the sample of a self-check drawn over
every area type. Run it with two sizes to see that queries stay the same.
"""

import datetime
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from kpis.services_samples import sample_draw  # noqa: E402
from partnership.models import Partnership  # noqa: E402
from places.models import Room  # noqa: E402
from places.services import rooms_import  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import REPEAT, measure  # noqa: E402

FILE_REPEAT = 3
TYPES = ["office", "sanitary", "corridor", "patient_room", "kitchen", "entrance", "other"]


def rows(n: int, *, changed: int = 0, left_out: int = 0) -> list[tuple[int, dict]]:
    listed = []
    for i in range(left_out, n):
        building, floor = f"B{i % 4}", str(i // 250 % 8)
        listed.append(
            {
                "site": "SL",
                "building": building,
                "floor": floor,
                "code": f"{building}.{floor}.{i:05d}",
                "name": f"Ruimte {i}",
                "area_type": TYPES[i % len(TYPES)],
                "floor_area": str(10 + i % 40 + (1 if i < changed + left_out else 0)),
                "cleaning_frequency": "5",
            }
        )
    return list(enumerate(listed, start=2))


def timed(label: str, fm, p, data) -> None:
    start = time.perf_counter()
    result = rooms_import(actor=fm, partnership=p, rows=data)
    ms = (time.perf_counter() - start) * 1000
    print(
        f"| {label:<34} | {ms:>8.0f} | {result.added:>5} | {result.updated:>7} | "
        f"{result.retired:>7} | {result.unchanged:>9} |"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    logging.getLogger("tandem.request").setLevel(logging.WARNING)  # one line per request
    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    fm = User.objects.get(email="fm@stlucas.demo")
    pl = User.objects.get(email="pl@cleancare.demo")
    p = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    print(f"\nImporting {n} rooms\n")
    print(f"| {'import':<34} | {'ms':>8} | added | updated | retired | unchanged |")
    print(f"|{'-' * 36}|----------|-------|---------|---------|-----------|")
    timed("first (the demo's rooms retired)", fm, p, rows(n))
    timed("the same file again", fm, p, rows(n))
    timed("a tenth changed, a tenth left out", fm, p, rows(n, changed=n // 10, left_out=n // 10))
    room = Room.objects.filter(partnership=p).in_use().order_by("code").first()
    base = f"/partnerships/{p.pk}/places/"
    api = f"/api/v1/partnerships/{p.pk}/places/"
    pages = [
        ("register", base),
        ("register, page 40", f"{base}?page=40"),
        ("register, sanitary", f"{base}?type=sanitary"),
        ("register, search '123'", f"{base}?q=123"),
        ("register, largest first", f"{base}?sort=area"),
        ("retired rooms", f"{base}?retired=1"),
        ("room page", f"{base}rooms/{room.pk}/"),
        ("API list", api),
        ("API list, page 40", f"{api}?page=40"),
        ("API list, sanitary", f"{api}?type=sanitary"),
        ("API search '123'", f"{api}?q=123"),
        ("API retired rooms", f"{api}?retired=true"),
        ("API room", f"{api}{room.pk}/"),
    ]
    files = [("export CSV", f"{base}export.csv"), ("export XLSX", f"{base}export.xlsx")]
    total = Room.objects.filter(partnership=p).in_use().count()
    for user in (fm, pl):  # the register's keeper and a reader of the other side
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        print(f"\n{total} rooms in use; as {user.email}; {REPEAT} requests per page\n")
        print(f"| {'page':<26} | status | queries | median ms | p95 ms |")
        print(f"|{'-' * 28}|--------|---------|-----------|--------|")
        for name, path in pages:
            status, median, p95, _cpu, queries = measure(client, path)
            print(f"| {name:<26} | {status:>6} | {queries:>7} | {median:>9.1f} | {p95:>6.1f} |")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(fm)
    print(f"\nDownloads of {total} rooms, as {fm.email}, {FILE_REPEAT} requests each\n")
    print(f"| {'file':<26} | status | queries | median ms |")
    print(f"|{'-' * 28}|--------|---------|-----------|")
    for name, path in files:
        status, median, queries = measure_file(client, path)
        print(f"| {name:<26} | {status:>6} | {queries:>7} | {median:>9.1f} |")
    measure_draw(pl, p, total)


def measure_draw(supplier_lead, p, total: int) -> None:
    """The sample of a self-check over every area type, drawn from the register's rooms in use
    (the lot of each type) and rolled back each time, so every draw starts from the same
    register."""
    areas = [{"area_type": area_type} for area_type in TYPES]
    timings, queries, drawn = [], 0, 0
    for attempt in range(REPEAT + 1):
        with transaction.atomic():
            reset_queries()
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                inspection = sample_draw(
                    actor=supplier_lead,
                    partnership=p,
                    kind="dks",
                    date=datetime.date.today(),
                    areas=areas,
                    seed=attempt,
                )
                elapsed = (time.perf_counter() - start) * 1000
            queries = len(ctx.captured_queries)
            drawn = inspection.sampled_rooms.count()
            transaction.set_rollback(True)
        if attempt:  # the first one warms up
            timings.append(elapsed)
    timings.sort()
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(f"\nSample draw over {len(TYPES)} area types from {total} rooms in use, as")
    print(f"{supplier_lead.email}, {REPEAT} draws (each rolled back)\n")
    print("| draw | rooms drawn | queries | median ms | p95 ms |")
    print("|------|-------------|---------|-----------|--------|")
    median = statistics.median(timings)
    print(f"| DKS  | {drawn:>11} | {queries:>7} | {median:>9.1f} | {p95:>6.1f} |")


def _read(response) -> bytes:
    """The whole body: a streamed download runs its queries while it is read."""
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def measure_file(client, path: str) -> tuple[int, float, int]:
    executed = []
    # Counted at the cursor, body included: the request's own start resets Django's query log,
    # and a streamed file queries after the view has returned.
    with connection.execute_wrapper(
        lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)
    ):
        response = client.get(path, secure=True)
        _read(response)
    timings = []
    for _ in range(FILE_REPEAT):
        start = time.perf_counter()
        _read(client.get(path, secure=True))
        timings.append((time.perf_counter() - start) * 1000)
    return response.status_code, statistics.median(timings), len(executed)


if __name__ == "__main__":
    main()
