"""`make run`: the web server, a Celery worker and Celery beat, together; Ctrl-C stops all three.

Without REDIS_URL the broker is kombu's filesystem transport under var/, so nothing but Python is
needed. With DATABASE_URL / REDIS_URL set, those are used instead.

`run_local.py --write-env` writes the checkout's `.env` once (DEBUG on and a secret of its own),
which the settings read, so every `manage.py` command of the README works here afterwards.
"""

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = Path(os.environ.get("TANDEM_VAR_DIR", ROOT / "var"))
PY = sys.executable
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = os.environ.get("PORT", "8000")


ENV_FILE_TEXT = """\
# Written once by `make run` for this checkout (never overwritten, ignored by git). The settings
# read it; a variable set in the environment wins. For anything beyond a local trial set DEBUG=0.
DEBUG=1
SECRET_KEY={secret}
"""


def env_file_write(path: Path = ROOT / ".env") -> bool:
    """Write `.env` unless it exists; True when written."""
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never over an existing one
            handle.write(ENV_FILE_TEXT.format(secret=secrets.token_urlsafe(50)))
    except FileExistsError:
        return False
    os.chmod(path, 0o600)  # the secret signs sessions: readable by its owner only
    return True


# One worker for every queue of CELERY_TASK_ROUTES and the default one: a worker consumes only
# what -Q names, so a queue left out here would never be worked off in the embedded run.
WORKER_QUEUES = "celery,mail,reports"


def process_commands() -> dict[str, list[str]]:
    """The three processes of the embedded run: web, one worker for every queue, beat."""
    celery = [PY, "-m", "celery", "-A", "config"]
    return {
        "web": [PY, "manage.py", "runserver", f"{HOST}:{PORT}"],
        "worker": [
            *celery,
            *("worker", "-l", "INFO", "--concurrency", "2", "-n", "worker@%h"),
            *("-Q", WORKER_QUEUES),
        ],
        "beat": [*celery, "beat", "-l", "INFO", "--schedule", str(VAR / "celerybeat-schedule")],
    }


def main() -> int:
    for folder in ("celery-queue", "celery-processed", "cache"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    commands = process_commands()
    processes = {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
        for name, cmd in commands.items()
    }
    print(
        f"\nTandem is starting on http://{HOST}:{PORT}/ (web, worker and beat); "
        "Ctrl-C stops all three.\n",
        flush=True,
    )

    def stop(*_args):
        for name, proc in processes.items():
            if proc.poll() is None:
                # Celery stops its own pool; runserver's autoreloader child needs the group.
                if name == "web":
                    os.killpg(proc.pid, signal.SIGTERM)
                else:
                    proc.terminate()
        deadline = time.monotonic() + 10
        for proc in processes.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        return 0

    signal.signal(signal.SIGTERM, lambda *a: sys.exit(stop()))
    try:
        while True:
            for name, proc in processes.items():
                if proc.poll() is not None:
                    print(f"{name} stopped (exit code {proc.returncode}); stopping the others.")
                    stop()
                    return proc.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping Tandem…")
        return stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-env"]:
        if env_file_write():
            print("Wrote .env (DEBUG on, a secret of this checkout).")
        sys.exit(0)
    sys.exit(main())
