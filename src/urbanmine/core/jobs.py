"""Background jobs. The embedded default runs a job in a thread of the web process (no
broker needed); `URBANMINE_JOBS_INLINE=true` runs it synchronously (tests, scripts).
Celery with Redis/RabbitMQ is the scale-out path (a later issue)."""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)


def run_job(fn, *args, **kwargs) -> None:
    if settings.URBANMINE_JOBS_INLINE:
        fn(*args, **kwargs)
        return

    def target():
        close_old_connections()
        try:
            fn(*args, **kwargs)
        except Exception:  # the job records its own failure; keep the thread quiet
            log.exception("background job %s failed", getattr(fn, "__name__", fn))
        finally:
            connection.close()

    threading.Thread(
        target=target, daemon=True, name=f"urbanmine-job-{getattr(fn, '__name__', 'job')}"
    ).start()
