"""gunicorn's hooks for Prometheus' multiprocess mode; gunicorn reads this file from the
directory it starts in. Settings stay on the command line.

With PROMETHEUS_MULTIPROC_DIR set, each worker process keeps its metrics in files there and
/metrics adds them up (partnership/observability/metrics.py). The directory is emptied when
gunicorn starts, so figures of an earlier run are not counted again, and a worker that exits
is marked dead, so its live gauges stop counting.
"""

import os
from pathlib import Path


def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        for stale in Path(folder).glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
