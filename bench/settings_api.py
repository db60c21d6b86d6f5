"""Settings of bench/api.py's gunicorn: the product's, with the benchmark URLconf on top."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_api"
