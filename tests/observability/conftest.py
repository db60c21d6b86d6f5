import io
import json
import logging

import pytest

from partnership.observability.logs import JSONFormatter, RequestIdFilter


class Lines:
    """What the project's JSON handler writes, one parsed object a line."""

    def __init__(self, stream: io.StringIO):
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    def all(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]

    def of(self, logger: str) -> list[dict]:
        return [line for line in self.all() if line["logger"] == logger]


@pytest.fixture
def json_lines():
    """A handler like the console's (the JSON format, the request id filter) on the root
    logger, at DEBUG, for the test's duration."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JSONFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    request_logger = logging.getLogger("tandem.request")
    old_level = request_logger.level
    root.addHandler(handler)
    request_logger.setLevel(logging.DEBUG)
    try:
        yield Lines(stream)
    finally:
        root.removeHandler(handler)
        request_logger.setLevel(old_level)
