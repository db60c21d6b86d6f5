"""Take the Celery broker down for a test (a closed port, no eager mode) and bring it back."""

from config.celery import app

DOWN = "redis://127.0.0.1:1/0"


class Broker:
    def __init__(self, settings, monkeypatch):
        self.settings, self.monkeypatch = settings, monkeypatch

    def down(self):
        self.settings.CELERY_TASK_ALWAYS_EAGER = False
        self.monkeypatch.setattr(app.conf, "broker_url", DOWN)
        # No pooled connection or producer to the real broker (an earlier test may hold one).
        self.monkeypatch.setattr(app, "_pool", None)
        self.monkeypatch.setattr(app.amqp, "_producer_pool", None)

    def up(self):
        self.monkeypatch.undo()
        self.settings.CELERY_TASK_ALWAYS_EAGER = True
