import gc
import os

from celery import Celery, signals

from partnership.observability import worker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The request id travels with each task, task failures are counted for /metrics, and the worker's
# log lines are structured like the web's (partnership/observability/worker.py).
signals.before_task_publish.connect(worker.put_request_id_in_headers, weak=False)
signals.task_prerun.connect(worker.take_request_id, weak=False)
signals.task_postrun.connect(worker.drop_request_id, weak=False)
signals.task_failure.connect(worker.count_task_failure, weak=False)
signals.after_setup_logger.connect(worker.structured_worker_logs, weak=False)
signals.after_setup_task_logger.connect(worker.structured_worker_logs, weak=False)
# A pool process reports itself up once `worker_process_init` has run; warming the report
# renderer there takes a second or two, more on a busy machine, against Celery's 4 s default.
app.conf.worker_proc_alive_timeout = 60


REPORTS_QUEUE = "reports"  # where reviews.tasks.render_report is routed (CELERY_TASK_ROUTES)
# Whether this worker renders reports: decided at `worker_init` from the queues it consumes, read
# by its pool processes, which inherit it. True until a worker says otherwise.
_renders_reports = True


@signals.worker_init.connect
def prepare_report_renderer(sender=None, **_kwargs) -> None:
    """Before the pool forks: import WeasyPrint and parse the print stylesheet (plain Python).

    The pool processes inherit both; fonts are loaded in each of them (`warm_report_renderer`).
    Only in a worker that consumes the reports queue: a mail or default-queue worker never
    renders, and would spend a second or two and the fonts' memory in every pool process.
    """
    global _renders_reports
    if sender is not None:
        _renders_reports = REPORTS_QUEUE in sender.app.amqp.queues.consume_from
    if not _renders_reports:
        return
    from reviews import report_render

    report_render.prepare()


@signals.worker_process_init.connect
def warm_report_renderer(**_kwargs) -> None:
    """In each pool process (the worker itself with --pool=solo), before its first task.

    Renders a small report so the first real one finds fonts and styles loaded, then moves what
    the process holds by now (Django, the apps, WeasyPrint) out of the garbage collector's sight.
    """
    if _renders_reports:
        from reviews import report_render

        report_render.warm_up()
    gc.freeze()
