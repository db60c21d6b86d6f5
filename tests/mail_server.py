"""A real SMTP server for tests (aiosmtpd on a local port) that can refuse mail and records what
it accepted.

    @pytest.fixture
    def mail_server(settings):
        with smtp_server(settings) as server:  # the outbox now sends through it over SMTP
            yield server

        mail_server.refuse()          # every message is answered 451 (try again later)
        mail_server.accept()
        mail_server.messages          # email.message.EmailMessage objects, in arrival order
"""

import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

REFUSAL = "451 4.3.0 Mail server busy, try again later"


class MailServer:
    """The handler: answers DATA with 250 or, while refusing, with a 4xx."""

    def __init__(self):
        self.messages = []
        self.refused = 0
        self.refusing = False
        self.delay = 0.0  # seconds per message: lets two senders overlap
        self._lock = threading.Lock()

    def refuse(self):
        self.refusing = True

    def accept(self):
        self.refusing = False

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            time.sleep(self.delay)  # blocks the server's loop: one message at a time, like a queue
        with self._lock:
            if self.refusing:
                self.refused += 1
                return REFUSAL
            self.messages.append(message_from_bytes(envelope.original_content, policy=policy.SMTP))
        return "250 2.0.0 OK"

    def received(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every message accepted, sorted; the subject unfolded."""
        return sorted((m["To"], " ".join(str(m["Subject"]).split())) for m in self.messages)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(settings):
    """Start the server and point the outbox's transport at it (SMTP, real sockets); `settings`
    is pytest-django's fixture, which restores them."""
    handler = MailServer()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS, settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD = False, "", ""
    settings.EMAIL_TIMEOUT = 10
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
    }
    try:
        yield handler
    finally:
        controller.stop()
