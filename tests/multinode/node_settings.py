"""Settings of the two-node test's gunicorn nodes and worker: the product's, with two changes
that concern the test machine only.

- Static files are named without the manifest, as everywhere in the suite (tests/conftest.py):
  a deployment collects and compresses them once, when the image is built; doing so here would
  cost about 20 seconds of the suite for files the test does not look at.
- The Celery queues live under the run's key prefix in the suite's Redis database (the cache's
  keys carry it too, through CACHE_KEY_PREFIX), so whatever the nodes queued and the worker did
  not get to is removed with the run and never handed to a later test's worker.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS, STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": os.environ["CACHE_KEY_PREFIX"] + ":",
}
