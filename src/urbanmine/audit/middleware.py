"""auditlog's middleware without what the client writes.

auditlog's own copies three request headers into every entry: the first X-Forwarded-For
address, X-Forwarded-Port and X-Correlation-ID. All three are the client's to choose, and a
value the table refuses (`X-Forwarded-Port: -1` against its positive-integer check, on
SQLite too; `X-Forwarded-For: x` into PostgreSQL's `inet`; a correlation id over 255
characters) made every audited write of that request fail with a 500.

Here the log keeps no address at all (data minimisation: the reverse proxy's access log has
it, under its own retention) and the correlation id is the request id of the application's
logs (`core.middleware.RequestIdMiddleware`: a checked token of at most 64 characters), so
an entry leads to the log lines and the access-log line of the same request.
"""

from __future__ import annotations

from auditlog.cid import correlation_id
from auditlog.context import set_extra_data
from auditlog.middleware import AuditlogMiddleware as LibraryAuditlogMiddleware


class AuditlogMiddleware(LibraryAuditlogMiddleware):
    @staticmethod
    def _get_remote_addr(request) -> None:
        return None

    @staticmethod
    def _get_remote_port(request) -> None:
        return None

    def __call__(self, request):
        correlation_id.set(getattr(request, "request_id", None))
        with set_extra_data(context_data=self.get_extra_data(request)):
            return self.get_response(request)
