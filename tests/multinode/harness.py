"""Two gunicorn nodes behind HAProxy and a Celery worker on loopback, and a client that remembers
every answer it got.

Every process runs in a session of its own, so stopping it (or killing a node the hard way) takes
its children along; `cluster()` stops whatever it started when its block ends, failed or not.
HAProxy logs one line per request with the client's `X-Load-Id`, the server that answered and
how the request ended, so the test knows which node answered what without a header in the
product. `X-Pin: web1` sends a request to one node (a rule of this balancer's configuration only).
"""

import csv
import http.client
import io
import itertools
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
PORTS = range(18600, 18700)
NODES = ("web1", "web2")
START_TIMEOUT = 40.0  # seconds for three Django processes to boot on a busy 2-core machine

HAPROXY_CONFIG = """\
global
    log stdout format raw local0
    stats socket {socket} mode 600 level admin
    maxconn 256

defaults
    mode http
    log global
    log-format "%{{+Q}}[capture.req.hdr(0)] %s %ST %ts %rc %Ta"
    timeout connect 1s
    # A node busy with the load answers its health check late; late is not dead.
    timeout check 2s
    timeout client 15s
    timeout server 15s
    # A refused connection (a dead node) is tried again on the other node at once.
    retries 3
    option redispatch 1

frontend tandem
    bind 127.0.0.1:{port}
    http-request capture req.hdr(X-Load-Id) len 64
    # The balancer stands for the TLS terminator: the nodes are told the client spoke HTTPS.
    http-request set-header X-Forwarded-Proto https
    option forwardfor
    default_backend web

backend web
    balance roundrobin
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
{pins}
{servers}
"""


# --- Processes --------------------------------------------------------------------------------


def free_port(taken: set[int]) -> int:
    """A port of the range that nothing listens on (two runs on one machine pick different ones)."""
    candidates = list(PORTS)
    random.shuffle(candidates)
    for port in candidates:
        if port in taken:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        taken.add(port)
        return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def signal_group(self, sig: int) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self, timeout: float = 10.0) -> None:
        """SIGTERM to the process and its children, SIGKILL if they are not gone in time."""
        if self.alive:
            self.signal_group(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=timeout)
        self.signal_group(signal.SIGKILL)  # the children too, even if the parent went first
        self.popen.wait(timeout=timeout)

    def tail(self, chars: int = 3000) -> str:
        return (
            f"--- {self.name} ({self.log.name}) ---\n"
            + self.log.read_text(errors="replace")[-chars:]
        )


def start(name: str, command: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("wb") as out:
        popen = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the workers too
        )
    return Process(name=name, popen=popen, log=log)


def app_env(
    *, database_url: str, redis_url: str, key_prefix: str, storage: dict[str, str], var_dir: Path
) -> dict:
    """What a node and the worker share: one database, one Redis (its keys under `key_prefix`),
    one object store, one secret. Each has a disk of its own (TANDEM_VAR_DIR), as separate
    machines would."""
    var_dir.mkdir(parents=True, exist_ok=True)
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TZ")
    return {
        **{name: os.environ[name] for name in keep if name in os.environ},
        "DJANGO_SETTINGS_MODULE": "tests.multinode.node_settings",
        "PYTHONPATH": str(ROOT),
        "DEBUG": "0",
        "SECRET_KEY": "two-node-test-secret-key-" + "0123456789abcdef" * 3,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": key_prefix,  # the Celery queues' too (node_settings.py)
        "TRUST_PROXY_HEADERS": "1",
        "TANDEM_VAR_DIR": str(var_dir),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
        **storage,
    }


def start_node(name: str, port: int, env: dict, workdir: Path) -> Process:
    command = [
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--workers=2",
        "--preload",
        f"--bind=127.0.0.1:{port}",
        f"--chdir={ROOT}",
        "--log-level=warning",
    ]
    return start(name, command, env, workdir / f"{name}.log")


def start_worker(env: dict, workdir: Path) -> Process:
    command = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "-Q",
        "celery,mail,reports",
        "--pool=solo",
        "--concurrency=1",
        "--without-heartbeat",
        "--without-mingle",
        "--without-gossip",
        "--loglevel=INFO",
    ]
    return start("worker", command, env, workdir / "worker.log")


def start_haproxy(port: int, node_ports: dict[str, int], workdir: Path) -> tuple[Process, Path]:
    sock = workdir / "haproxy.sock"
    pins = "\n".join(
        f"    use-server {name} if {{ req.hdr(X-Pin) -m str {name} }}" for name in node_ports
    )
    servers = "\n".join(
        f"    server {name} 127.0.0.1:{node_port} check inter 500ms fall 2 rise 1"
        for name, node_port in node_ports.items()
    )
    config = workdir / "haproxy.cfg"
    config.write_text(HAPROXY_CONFIG.format(socket=sock, port=port, pins=pins, servers=servers))
    process = start("haproxy", [HAPROXY, "-db", "-f", str(config)], {}, workdir / "haproxy.log")
    return process, sock


# --- The balancer's view ----------------------------------------------------------------------

LOG_LINE = re.compile(r'^"(?P<id>[^"]*)" (?P<server>\S+) (?P<status>-?\d+) (?P<ts>\S+) (?P<rc>\S+)')


@dataclass(frozen=True)
class Logged:
    """How the balancer saw one request: the server that answered, the status, how it ended
    (`--` normally; `SH`, `SD`… when the server went away) and the retries (`+1`: redispatched)."""

    server: str
    status: int
    termination: str
    retries: str


@dataclass
class Cluster:
    url: str
    nodes: dict[str, Process]
    worker: Process
    haproxy: Process
    stats_socket: Path
    node_ports: dict[str, int]
    processes: list[Process] = field(default_factory=list)

    def kill(self, name: str) -> tuple[float, float]:
        """SIGKILL to a node's whole process group. Returns when the signal was sent and when
        the node's port first refused a connection (the kernel takes some milliseconds to tear
        the processes down; until then the node still takes requests it will never answer)."""
        killed_at = time.monotonic()
        self.nodes[name].signal_group(signal.SIGKILL)
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.node_ports[name]), timeout=1).close()
            except ConnectionRefusedError:
                return killed_at, time.monotonic()
            time.sleep(0.002)

    def stats(self) -> dict[str, dict[str, str]]:
        """HAProxy's `show stat` for the servers of the backend, by server name."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            sock.connect(str(self.stats_socket))
            sock.sendall(b"show stat\n")
            data = b""
            while chunk := sock.recv(65536):
                data += chunk
        rows = csv.DictReader(io.StringIO(data.decode().lstrip("# ")))
        return {
            row["svname"]: row
            for row in rows
            if row["pxname"] == "web" and row["svname"] in self.nodes
        }

    def states(self) -> dict[str, str]:
        return {name: row["status"] for name, row in self.stats().items()}

    def logged(self) -> dict[str, Logged]:
        """Every request the balancer has logged, by its X-Load-Id."""
        seen = {}
        for line in self.haproxy.log.read_text(errors="replace").splitlines():
            match = LOG_LINE.match(line)
            if match and match["id"] not in ("", "-"):
                seen[match["id"]] = Logged(
                    server=match["server"],
                    status=int(match["status"]),
                    termination=match["ts"],
                    retries=match["rc"],
                )
        return seen

    def logs(self) -> str:
        return "\n".join(process.tail() for process in self.processes)


def wait_for(condition: Callable[[], object], timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


def forget_keys(redis_url: str, prefix: str) -> None:
    """The run's keys in Redis: queues, cache, rate limits."""
    import redis

    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def cluster(
    *, database_url: str, redis_url: str, storage: dict[str, str], workdir: Path
) -> Iterator[Cluster]:
    """Two nodes, a worker and HAProxy, all started at once; yields when HAProxy's health checks
    see both nodes up. Everything is stopped when the block ends."""
    taken: set[int] = set()
    node_ports = {name: free_port(taken) for name in NODES}
    port = free_port(taken)

    key_prefix = f"multinode-{uuid.uuid4().hex[:8]}"

    def env(name: str) -> dict:
        return app_env(
            database_url=database_url,
            redis_url=redis_url,
            key_prefix=key_prefix,
            storage=storage,
            var_dir=workdir / name / "var",
        )

    with ExitStack() as stack:
        stack.callback(forget_keys, redis_url, key_prefix)  # last, once every process is gone
        processes: list[Process] = []

        def started(process: Process) -> Process:
            processes.append(process)
            stack.callback(process.stop)
            return process

        nodes = {
            name: started(start_node(name, node_port, env(name), workdir))
            for name, node_port in node_ports.items()
        }
        worker = started(start_worker(env("worker"), workdir))
        haproxy, sock = start_haproxy(port, node_ports, workdir)
        started(haproxy)
        running = Cluster(
            url=f"http://127.0.0.1:{port}",
            nodes=nodes,
            worker=worker,
            haproxy=haproxy,
            stats_socket=sock,
            node_ports=node_ports,
            processes=processes,
        )

        def both_up() -> bool:
            if not all(process.alive for process in processes):
                raise RuntimeError("a process of the cluster exited\n" + running.logs())
            try:
                stats = running.stats()
            except OSError:
                return False
            return len(stats) == len(NODES) and all(
                row["status"] == "UP" and row["check_status"] == "L7OK" for row in stats.values()
            )

        if not wait_for(both_up, START_TIMEOUT, interval=0.2):
            raise RuntimeError("the nodes did not come up\n" + running.logs())
        yield running


# --- The client -------------------------------------------------------------------------------


@dataclass
class Answer:
    load_id: str
    method: str
    path: str
    started: float  # time.monotonic()
    ended: float
    status: int | None = None  # None: no HTTP answer at all
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    def json(self):
        return json.loads(self.body)


_ids = itertools.count(1)
CSRF_FIELD = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class Client:
    """A browser of sorts, through the balancer: it keeps cookies (the Secure ones too: the
    balancer stands for the TLS end), sends Django's CSRF token and an HTTPS Origin, and gives
    every request an X-Load-Id the balancer logs. Safe to share between threads."""

    def __init__(self, base_url: str, timeout: float = 15.0):
        self.base_url = base_url
        self.origin = "https://" + urlsplit(base_url).netloc
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        pin: str | None = None,
    ) -> Answer:
        load_id = f"r{next(_ids)}-{uuid.uuid4().hex[:6]}"
        parts = urlsplit(path if "://" in path else self.base_url + path)
        ours = parts.netloc == urlsplit(self.base_url).netloc
        sent = {"X-Load-Id": load_id, "Connection": "close", **(headers or {})}
        if ours:
            with self._lock:
                cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if cookie:
                sent["Cookie"] = cookie
            if method != "GET":
                sent.setdefault("Origin", self.origin)
                sent.setdefault("Referer", self.origin + "/")
                sent.setdefault("X-CSRFToken", self.cookies.get("csrftoken", ""))
            if pin:
                sent["X-Pin"] = pin
        answer = Answer(load_id, method, path, started=time.monotonic(), ended=0.0)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=self.timeout)
        try:
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            connection.request(method, target, body=body, headers=sent)
            response = connection.getresponse()
            answer.body = response.read()
            answer.status = response.status
            answer.headers = {k.lower(): v for k, v in response.getheaders()}
            if ours:
                self._keep_cookies(response.msg.get_all("Set-Cookie") or [])
        except (OSError, http.client.HTTPException) as exc:
            answer.error = f"{type(exc).__name__}: {exc}"
        finally:
            connection.close()
            answer.ended = time.monotonic()
        return answer

    def _keep_cookies(self, headers: list[str]) -> None:
        with self._lock:
            for header in headers:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def get_following(self, path: str, **kwargs) -> list[Answer]:
        """GET, following redirects (to a presigned object-store URL, say): every hop's answer."""
        answers = [self.get(path, **kwargs)]
        while answers[-1].status in (301, 302, 303, 307, 308) and len(answers) < 5:
            answers.append(self.get(answers[-1].headers["location"]))
        return answers

    def post_form(self, path: str, fields: dict[str, str], **kwargs) -> Answer:
        from urllib.parse import urlencode

        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **fields})
        return self.request("POST", path, body=body.encode(), headers=headers, **kwargs)

    def post_json(self, path: str, data: dict, **kwargs) -> Answer:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        return self.request("POST", path, body=json.dumps(data).encode(), headers=headers, **kwargs)

    def post_multipart(self, path: str, fields: dict, **kwargs) -> Answer:
        from urllib3.filepost import encode_multipart_formdata

        body, content_type = encode_multipart_formdata(fields)
        headers = {"Content-Type": content_type, "Accept": "application/json"}
        return self.request("POST", path, body=body, headers=headers, **kwargs)

    def sign_in(self, email: str, password: str) -> Answer:
        """allauth's sign-in form, as a browser fills it in."""
        form = self.get("/accounts/login/")
        token = CSRF_FIELD.search(form.body)
        if form.status != 200 or token is None:
            raise AssertionError(f"no sign-in form: {form.status} {form.error}")
        return self.post_form(
            "/accounts/login/",
            {"login": email, "password": password, "csrfmiddlewaretoken": token[1].decode()},
        )


# --- The load ---------------------------------------------------------------------------------


@dataclass
class Sent:
    """One request of the load; a POST remembers the text it sent and the id it was told."""

    answer: Answer
    text: str = ""
    message_id: int | None = None


def run_load(
    client: Client,
    *,
    page: str,
    messages: str,
    readers: int,
    writers: int,
    until: threading.Event,
) -> tuple[list[Sent], list[threading.Thread]]:
    """`readers` threads GET `page`, `writers` threads POST hub messages to `messages`, back to
    back until `until` is set. Returns the (growing) list of what was sent and the threads."""
    sent: list[Sent] = []

    def reader() -> None:
        while not until.is_set():
            sent.append(Sent(client.get(page)))

    def writer(number: int) -> None:
        for count in itertools.count(1):
            if until.is_set():
                return
            text = f"Load message {number}-{count} {uuid.uuid4().hex[:8]}"
            answer = client.post_json(messages, {"body": text})
            message_id = answer.json()["id"] if answer.status == 201 else None
            sent.append(Sent(answer, text=text, message_id=message_id))

    threads = [threading.Thread(target=reader, daemon=True) for _ in range(readers)]
    threads += [threading.Thread(target=writer, args=(n,), daemon=True) for n in range(writers)]
    for thread in threads:
        thread.start()
    return sent, threads
