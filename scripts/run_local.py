"""`make run`: the web server, a Celery worker and Celery beat, together; Ctrl-C stops all three.

Without REDIS_URL the broker is kombu's filesystem transport under var/, so nothing but Python is
needed. With DATABASE_URL / REDIS_URL set, those are used instead.
"""

import os
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


def main() -> int:
    for folder in ("celery-queue", "celery-processed", "cache"):
        (VAR / folder).mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBUG": os.environ.get("DEBUG", "1"), "PYTHONUNBUFFERED": "1"}
    commands = {
        "web": [PY, "manage.py", "runserver", f"{HOST}:{PORT}"],
        "worker": [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "INFO",
            "--concurrency",
            "2",
            "-n",
            "worker@%h",
        ],
        "beat": [
            PY,
            "-m",
            "celery",
            "-A",
            "config",
            "beat",
            "-l",
            "INFO",
            "--schedule",
            str(VAR / "celerybeat-schedule"),
        ],
    }
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
    sys.exit(main())
