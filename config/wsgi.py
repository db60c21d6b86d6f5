import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _warm_up() -> None:
    """Each gunicorn worker imports this module after forking, before it serves a request.

    Pages render report PDFs too (previews, a published file the worker has not stored yet): load
    the renderer's fonts and styles now, so no reader waits for a cold first render. Not under
    DEBUG, where `runserver` would pay for it on every reload.
    """
    from django.conf import settings

    if not settings.DEBUG:
        from reviews import report_render

        report_render.warm_up()


_warm_up()
