"""The service worker of the inspection recording page, so an inspection keeps working offline.

A service worker may control pages only at or below the path its script is served from, so the
script is served from the site's root (`/inspection-sw.js`) rather than from /static/; the page
registers it with its own path as the scope, so it controls the recording page and nothing else.
The script is the static file `js/offline/sw.js`, found the way collectstatic finds it, with the
static prefix put in front; `no-cache` makes the browser ask for a changed script on every visit.
"""

import json
from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.views.decorators.http import require_safe

SCRIPT = "js/offline/sw.js"


@lru_cache(maxsize=1)
def _cached_source() -> str:
    return _read_source()


def _read_source() -> str:
    path = finders.find(SCRIPT)
    with open(path, encoding="utf-8") as script:
        return f"const STATIC_URL = {json.dumps(settings.STATIC_URL)};\n" + script.read()


@require_safe
def inspection_service_worker(request):
    # Read anew in development, where the script is being edited; once per process otherwise.
    source = _read_source() if settings.DEBUG else _cached_source()
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
