"""API throughput under gunicorn: a bare DRF view with and without authentication, and the lists.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tandem_bench \\
        REDIS_URL=redis://127.0.0.1:6379/3 .venv/bin/python bench/api.py 1000

Seeds the demo data plus N benchmark partnerships of CleanCare's project leader once (`seed_demo
--large N`; a database that has them is reused), updates the planner's statistics (ANALYZE), creates
an API token for pl@cleancare.demo, starts gunicorn (2 sync workers, DEBUG=0, the production
CONN_MAX_AGE unless BENCH_CONN_MAX_AGE says otherwise) on a loopback port with bench/settings_api.py
(the product's settings and URLconf plus the benchmark-only views /bench/bare/, /bench/bare-auth/
and /bench/floor/partnerships/), and then puts each URL under a bounded load: BENCH_CONNECTIONS
clients (4) send requests back to back for BENCH_SECONDS (8) after a one-second warm-up, as threads
of BENCH_PROCESSES (1) client processes. The throttle stays on with a rate the bench cannot reach
(API_THROTTLE_RATE=1000000/minute); any answer other than 200 is counted and shown.

Prints a markdown table: requests, req/s, p50 and p99 latency, the share of the bare view's
throughput and of the bare view's with authentication, and the queries one request runs (counted
in this process through Django's test client). Use BENCH_PORT (8601) for another port. Run it on
an idle machine, or compare only ratios taken in one run.
"""

import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import ApiToken, User  # noqa: E402
from accounts.services import api_token_create  # noqa: E402
from partnership.api_throttle import UserRateThrottle  # noqa: E402
from partnership.models import Partnership  # noqa: E402

LEAD = "pl@cleancare.demo"
PORT = int(os.environ.get("BENCH_PORT", "8601"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "1"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WARM_UP = 1.0
TOKEN_NAME = "bench/api.py"
# The server's rate (start_gunicorn) here too: the counting client shares its Redis database,
# and the product's rate would refuse it after a run's load.
BENCH_RATE = "1000000/minute"
UserRateThrottle.THROTTLE_RATES = {**UserRateThrottle.THROTTLE_RATES, "user": BENCH_RATE}


def seed(extra: int) -> User:
    call_command("migrate", verbosity=0)
    lead = User.objects.filter(email=LEAD).first()
    if lead is None or Partnership.objects.visible_to(lead).count() < extra:
        call_command("seed_demo", large=extra, stdout=open(os.devnull, "w"))  # noqa: SIM115
        lead = User.objects.get(email=LEAD)
    with connection.cursor() as cursor:
        # Planner statistics, as autovacuum keeps them in production: without them PostgreSQL
        # takes the tables for a few hundred rows and hash-joins the lists' pages.
        cursor.execute("ANALYZE")
    return lead


def fresh_token(lead: User) -> str:
    ApiToken.objects.filter(user=lead, name=TOKEN_NAME, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    _token, key = api_token_create(user=lead, name=TOKEN_NAME)
    return key


def paths_to_measure() -> list[tuple[str, str, bool]]:
    """(name, path, authenticated) for every row of the table."""
    p = Partnership.objects.get(title="Schoonmaak Sint-Lucas")
    kpi = p.kpis.filter(measurements__isnull=False).order_by("pk").first()
    base = f"/api/v1/partnerships/{p.pk}"
    return [
        ("bare view", "/bench/bare/", False),
        ("bare view + auth + throttle", "/bench/bare-auth/", True),
        ("partnerships", "/api/v1/partnerships/", True),
        ("floor of the partnership list (bench only)", "/bench/floor/partnerships/", True),
        ("KPIs", f"{base}/kpis/", True),
        ("measurements", f"{base}/kpis/{kpi.pk}/measurements/", True),
        ("threads", f"{base}/threads/", True),
        ("actions", f"{base}/actions/", True),
    ]


@override_settings(ROOT_URLCONF="bench.urls_api")
def count_queries(path: str, key: str | None) -> int:
    """The queries of one request in the steady state: after the warm-up requests, which stamp
    the token's last use and let the worker remember the token (its first two uses read it)."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    client = Client(HTTP_HOST="127.0.0.1", **headers)
    for _ in range(2):
        client.get(path, secure=True)
    executed = []
    # Counted at the cursor: the request's own start resets Django's query log.
    with connection.execute_wrapper(
        lambda execute, sql, *args: executed.append(sql) or execute(sql, *args)
    ):
        response = client.get(path, secure=True)
    if response.status_code != 200:
        raise SystemExit(f"{path} answers {response.status_code} in this process")
    return len(executed)


# --- The server -------------------------------------------------------------------------------


def start_gunicorn() -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_api",
        "DEBUG": "0",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-secret-key-" + "x" * 40,
        "TRUST_PROXY_HEADERS": "1",  # the bench says X-Forwarded-Proto: https, as a proxy would
        "API_THROTTLE_RATE": BENCH_RATE,
        "ACCOUNT_EMAIL_VERIFICATION": "optional",
    }
    env.pop("CONN_MAX_AGE", None)
    if os.environ.get("BENCH_CONN_MAX_AGE"):
        env["CONN_MAX_AGE"] = os.environ["BENCH_CONN_MAX_AGE"]
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "config.wsgi:application",
        "--workers=2",
        f"--bind=127.0.0.1:{PORT}",
        f"--chdir={ROOT}",
        "--log-level=warning",
    ]
    server = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            status, _latency = request_once("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn did not start")
        time.sleep(0.2)
    server.send_signal(signal.SIGTERM)
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


# --- The load generator -----------------------------------------------------------------------


def raw_request(path: str, key: str | None) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Accept: application/json",
        "X-Forwarded-Proto: https",
    ]
    if key:
        lines.append(f"Authorization: Bearer {key}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_response(sock: socket.socket) -> tuple[int, bool]:
    """(status, whether the server keeps the connection open) of one response."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed before the headers")
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, headers.get("connection", "").lower() != "close"


def request_once(raw: str | bytes) -> tuple[int, float]:
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", PORT), timeout=30) as sock:
        sock.sendall(raw.encode() if isinstance(raw, str) else raw)
        status, _keep = _read_response(sock)
    return status, time.perf_counter() - start


def _client(raw: bytes, until: float, record_from: float, out: list, statuses: dict) -> None:
    sock = None
    while True:
        start = time.perf_counter()
        if start >= until:
            break
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", PORT), timeout=30)
            sock.sendall(raw)
            status, keep = _read_response(sock)
        except OSError:
            status, keep = -1, False
        if not keep and sock is not None:
            sock.close()
            sock = None
        end = time.perf_counter()
        if start >= record_from:
            out.append(end - start)
            statuses[status] = statuses.get(status, 0) + 1
    if sock is not None:
        sock.close()


def _clients(raw: bytes, until: float, record_from: float, n: int) -> tuple[list, dict]:
    """n clients as threads of this process: their latencies and answers."""
    latencies: list[list[float]] = [[] for _ in range(n)]
    statuses: list[dict] = [{} for _ in range(n)]
    threads = [
        threading.Thread(target=_client, args=(raw, until, record_from, latencies[i], statuses[i]))
        for i in range(n)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    answers: dict = {}
    for chunk in statuses:
        for status, n_answers in chunk.items():
            answers[status] = answers.get(status, 0) + n_answers
    return [x for chunk in latencies for x in chunk], answers


def load(path: str, key: str | None) -> dict:
    raw = raw_request(path, key)
    now = time.perf_counter()
    record_from, until = now + WARM_UP, now + WARM_UP + SECONDS
    if PROCESSES <= 1:
        parts = [_clients(raw, until, record_from, CONNECTIONS)]
    else:
        # The clients in their own processes (perf_counter is the same clock across processes
        # on Linux), so one interpreter's lock does not pace them.
        shares = [
            CONNECTIONS // PROCESSES + (i < CONNECTIONS % PROCESSES) for i in range(PROCESSES)
        ]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=context) as pool:
            futures = [pool.submit(_clients, raw, until, record_from, n) for n in shares if n]
            parts = [future.result() for future in futures]
    every = sorted(x for latencies, _answers in parts for x in latencies)
    answers: dict = {}
    for _latencies, chunk in parts:
        for status, n in chunk.items():
            answers[status] = answers.get(status, 0) + n
    return {
        "requests": len(every),
        "rps": len(every) / SECONDS,
        "p50": every[len(every) // 2] * 1000 if every else 0.0,
        "p99": every[min(len(every) - 1, int(len(every) * 0.99))] * 1000 if every else 0.0,
        "answers": answers,
    }


# --- The table --------------------------------------------------------------------------------


def main() -> None:
    extra = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    lead = seed(extra)
    key = fresh_token(lead)
    visible = Partnership.objects.visible_to(lead).count()
    rows = [
        (name, path, authed, count_queries(path, key if authed else None))
        for name, path, authed in paths_to_measure()
    ]
    connection.close()  # the server's workers get the database to themselves
    server = start_gunicorn()
    try:
        for name, path, authed in [(n, p, a) for n, p, a, _q in rows]:
            status, _latency = request_once(raw_request(path, key if authed else None))
            if status != 200:
                raise SystemExit(f"{name}: {path} answers {status}")
        results = [load(path, key if authed else None) for _name, path, authed, _q in rows]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    bare, bare_auth = results[0]["rps"], results[1]["rps"]
    print(
        f"\n{visible} partnerships visible to {LEAD}; gunicorn 2 workers, {CONNECTIONS} "
        f"connections in {PROCESSES} client process(es), {SECONDS:g} s per row\n"
    )
    print(
        "| endpoint | queries | requests | req/s | p50 ms | p99 ms | % of bare "
        "| % of bare+auth | answers |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for (name, _path, _authed, queries), r in zip(rows, results, strict=True):
        answers = ", ".join(f"{s}×{n}" for s, n in sorted(r["answers"].items()))
        print(
            f"| {name} | {queries} | {r['requests']} | {r['rps']:.0f} "
            f"| {r['p50']:.2f} | {r['p99']:.2f} | {100 * r['rps'] / bare:.1f} % "
            f"| {100 * r['rps'] / bare_auth:.1f} % | {answers} |"
        )
    ApiToken.objects.filter(user=lead, name=TOKEN_NAME, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


if __name__ == "__main__":
    main()
