import gc
import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tandem")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A pool process reports itself up once `worker_process_init` has run; warming the report
# renderer there takes a second or two, more on a busy machine, against Celery's 4 s default.
app.conf.worker_proc_alive_timeout = 60


@signals.worker_init.connect
def prepare_report_renderer(**_kwargs) -> None:
    """Before the pool forks: import WeasyPrint and parse the print stylesheet (plain Python).

    The pool processes inherit both; fonts are loaded in each of them (`warm_report_renderer`).
    """
    from reviews import report_render

    report_render.prepare()


@signals.worker_process_init.connect
def warm_report_renderer(**_kwargs) -> None:
    """In each pool process (the worker itself with --pool=solo), before its first task.

    Renders a small report so the first real one finds fonts and styles loaded, then moves what
    the process holds by now (Django, the apps, WeasyPrint) out of the garbage collector's sight.
    """
    from reviews import report_render

    report_render.warm_up()
    gc.freeze()
