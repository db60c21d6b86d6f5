"""The two-node test starts real processes (gunicorn, HAProxy, a Celery worker). It is marked
`multinode`, so `-m multinode` runs it alone and `-m "not multinode"` leaves it out."""


def pytest_configure(config):
    config.addinivalue_line("markers", "multinode: starts two gunicorn nodes behind HAProxy")
