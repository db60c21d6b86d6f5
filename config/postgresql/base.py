"""Django's PostgreSQL backend with a health check that needs no round trip while it can.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of every request: one
more round trip than the request needs, the second of an API call's two. A connection that is
idle between requests has nothing to read; when the server ends it (a restart, an idle timeout,
`pg_terminate_backend`) it sends its farewell and closes, and the socket becomes readable. So
the check looks at the socket first, without waiting: nothing to read and not closed on this
side is a usable connection; anything to read (or an unexpected state) goes to Django's own
`SELECT 1`, which decides as before.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None:
            return False
        if connection.closed or getattr(connection, "broken", False):
            return False
        try:
            readable, _writable, _failed = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        if readable:
            return super().is_usable()
        return True
