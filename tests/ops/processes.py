"""Real processes for the operations tests: free ports, waiting, plain HTTP."""

from __future__ import annotations

import os
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.executable).parent.parent  # the suite's own virtual environment


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate: Callable[[], object], timeout_s: float, what: str) -> object:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")


def get(url: str, headers: dict[str, str] | None = None, timeout_s: float = 20):
    """(status, headers, body) without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with opener.open(request, timeout=timeout_s) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def clean_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The suite's environment minus what pytest set for itself, plus `extra`."""
    env = {**os.environ, "URBANMINE_VAR_DIR": str(var_dir), **extra}
    for name in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "URBANMINE_JOBS_INLINE"):
        if name not in extra:
            env.pop(name, None)
    return env
