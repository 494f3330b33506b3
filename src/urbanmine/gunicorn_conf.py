"""gunicorn's configuration for urbanmine (`make serve`; docs/deploy.md).

    gunicorn -c python:urbanmine.gunicorn_conf

Everything comes from the environment, with defaults for one host behind a TLS proxy:
URBANMINE_BIND (127.0.0.1:8000; several addresses comma-separated), URBANMINE_WEB_WORKERS
(2 x cores + 1), URBANMINE_WEB_THREADS (1: sync workers; more switches to gthread),
URBANMINE_WEB_TIMEOUT (s a worker may be silent), URBANMINE_WEB_GRACEFUL_TIMEOUT (s to
finish requests on stop or reload), URBANMINE_WEB_MAX_REQUESTS (0: workers are not recycled).

Signals: HUP reloads gracefully (new workers with new code and configuration start, old ones
finish their requests; `systemctl reload`), TERM stops gracefully, TTIN/TTOU add/remove a
worker. Access log on stdout, errors on stderr (journald collects both);
URBANMINE_LOG_FORMAT=json writes both as JSON lines like the application's own log.

Read by gunicorn's master, which never imports Django: no settings here, only the
environment (src/urbanmine/settings.py reads the same URBANMINE_* names).
"""

import os
from pathlib import Path


def cores() -> int:
    """The CPUs this process may run on (a cgroup/affinity limit counts, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


VAR_DIR = Path(os.environ.get("URBANMINE_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")

wsgi_app = "urbanmine.wsgi:application"
proc_name = "urbanmine"
bind = [
    address.strip()
    for address in os.environ.get("URBANMINE_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]
workers = int(os.environ.get("URBANMINE_WEB_WORKERS") or 2 * cores() + 1)
threads = int(os.environ.get("URBANMINE_WEB_THREADS") or 1)
timeout = int(os.environ.get("URBANMINE_WEB_TIMEOUT") or 60)
graceful_timeout = int(os.environ.get("URBANMINE_WEB_GRACEFUL_TIMEOUT") or 30)
keepalive = 5  # behind a proxy that keeps connections open to us
# Recycling workers bounds a slow leak, but ends the jobs of the in-process runner (jobs run
# in a thread of the web worker unless Celery is configured): off by default.
max_requests = int(os.environ.get("URBANMINE_WEB_MAX_REQUESTS") or 0)
max_requests_jitter = max_requests // 10
# Not preloaded: a reload (HUP) then starts workers on the new code after an upgrade.
preload_app = False
# Heartbeat files in memory, not on a disk that may stall.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Signals and systemd are the control interface; no socket under $HOME.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = "info"
# client, user, time, request line, status, bytes, referrer, user agent, duration, request id
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %({x-request-id}o)s'
)

if os.environ.get("URBANMINE_LOG_FORMAT", "text").strip().lower() == "json":
    _json = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(levelname)s %(name)s %(message)s",
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": "timestamp",
    }
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": _json},
        "handlers": {
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
            "gunicorn.error": {"level": "INFO", "handlers": ["error"], "propagate": False},
        },
        "root": {"level": "WARNING", "handlers": []},
    }

# Prometheus: every worker writes its counters to files here, so /metrics adds up all
# workers (urbanmine/core/metrics.py). Set before a worker imports prometheus_client.
PROMETHEUS_DIR = Path(
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(VAR_DIR / "prometheus"))
)
PROMETHEUS_DIR.mkdir(parents=True, exist_ok=True)


def on_starting(server) -> None:
    """A fresh metrics directory per start of the master (not per reload: counters of
    replaced workers stay counted)."""
    for stale in PROMETHEUS_DIR.glob("*.db"):
        stale.unlink(missing_ok=True)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
