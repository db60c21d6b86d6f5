"""The README's commands work as written in a fresh clone after `make run`.

A newcomer clones, runs `make run`, and copies the commands of the README. This test does the
same: it clones the committed repository into a temporary folder, reuses this virtualenv (a
symlink, so nothing is downloaded), runs `make run` on a free port until it has printed the demo
logins and answers HTTP, stops it as Ctrl-C would, and then runs every `.venv/bin/python
manage.py …` line of the README, read from the README itself, in the clone, with the environment
a newcomer's shell has (none of the suite's own settings). Each must exit 0.

Cost: one clone, one `make run` (SQLite, filesystem broker) and a few commands, ~40 s.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
COMMAND = re.compile(r"^\.venv/bin/python manage\.py\s")
STARTED, LOGINS = "Tandem is starting on", "Password for every demo login"


def readme_commands(text: str) -> list[str]:
    """Every `.venv/bin/python manage.py` command of the README: code-block lines and inline
    code spans in the prose."""
    commands, fenced = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if fenced and COMMAND.match(line.strip()):
            commands.append(line.strip())
        elif not fenced:
            commands += [span for span in re.findall(r"`([^`]+)`", line) if COMMAND.match(span)]
    return commands


def test_readme_commands_are_found():
    sample = (
        "Run `.venv/bin/python manage.py seed_demo` again.\n```sh\n"
        '.venv/bin/python manage.py create_api_token a@b.demo "BI export"   # once\n'
        "make run\n```\n`manage.py migrate` alone is no command line.\n"
    )
    assert readme_commands(sample) == [
        ".venv/bin/python manage.py seed_demo",
        '.venv/bin/python manage.py create_api_token a@b.demo "BI export"   # once',
    ]
    assert readme_commands((ROOT / "README.md").read_text())  # the README has some


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _newcomer_env(port: int) -> dict:
    """A shell's environment: no DATABASE_URL, REDIS_URL, DEBUG, SECRET_KEY or var dir."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "USER")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    return {**env, "PORT": str(port), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}


class Output:
    """The lines a process prints, read in a thread so its pipe never fills."""

    def __init__(self, stream):
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line)

    def has(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def tail(self) -> str:
        return "".join(self.lines[-40:])


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our own server)
            return response.status == 200
    except OSError:
        return False


def _wait(condition, timeout: float, what: str, output: Output) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen:\n{output.tail()}"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    folder = tmp_path_factory.mktemp("newcomer") / "tandem"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(folder)], check=True)
    (folder / ".venv").symlink_to(Path(sys.prefix))
    return folder


@pytest.fixture(scope="module")
def after_make_run(clone):
    port = _free_port()
    env = _newcomer_env(port)
    make = subprocess.Popen(
        ["make", "run"],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = Output(make.stdout)
    try:
        _wait(lambda: output.has(LOGINS) and output.has(STARTED), 240, "make run", output)
        _wait(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, "HTTP", output)
        # The worker mails the demo's notifications: their links follow PORT.
        link = f"http://127.0.0.1:{port}/partnerships/"
        _wait(lambda: output.has(link), 60, "an e-mail link on the port", output)
    finally:
        os.killpg(make.pid, signal.SIGINT)  # Ctrl-C: make and run_local.py, which stops all three
        try:
            make.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(make.pid, signal.SIGKILL)
            raise
    _wait(lambda: not _answers(f"http://127.0.0.1:{port}/healthz"), 20, "web stopping", output)
    return {"env": env, "port": port}


def test_make_run_writes_env_once_and_git_ignores_it(clone, after_make_run):
    dotenv = clone / ".env"
    text = dotenv.read_text()
    assert "DEBUG=1" in text.splitlines()
    assert re.search(r"^SECRET_KEY=\S{40,}$", text, re.MULTILINE)
    ignored = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=clone)
    assert ignored.returncode == 0
    subprocess.run(["make", ".env"], cwd=clone, env=after_make_run["env"], check=True)
    assert dotenv.read_text() == text  # written only if absent


def test_every_readme_command_works_as_written(clone, after_make_run):
    commands = readme_commands((clone / "README.md").read_text())
    assert commands
    for command in commands:
        done = subprocess.run(
            ["bash", "-c", command],
            cwd=clone,
            env=after_make_run["env"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
