"""`make worker`: a Celery worker on the project's app that answers a ping over the broker
and stops with a warm shutdown on TERM (as systemd stops it). Needs Redis at 127.0.0.1:6379
(URBANMINE_REQUIRE_REDIS=1 turns the skip into a failure, as CI sets it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess

import psutil
import pytest

from tests.ops.processes import ROOT, VENV, clean_env, wait_until

BROKER = "redis://127.0.0.1:6379/11"  # a database of its own: no other worker answers


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


@pytest.fixture
def redis():
    if not _redis_up():
        if os.environ.get("URBANMINE_REQUIRE_REDIS"):
            pytest.fail("Redis is not running at 127.0.0.1:6379 (URBANMINE_REQUIRE_REDIS)")
        pytest.skip("Redis is not running at 127.0.0.1:6379")


def test_make_worker_answers_a_ping_and_stops_warmly(redis, tmp_path):
    from celery import Celery

    env = clean_env(tmp_path, CELERY_BROKER_URL=BROKER, CELERY_TASK_DEFAULT_QUEUE="ops-test")
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):
        env.pop(name, None)
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        make = subprocess.Popen(
            ["make", "-C", str(ROOT), "-o", f"{VENV}/.installed", f"VENV={VENV}", "worker"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    client = Celery(broker=BROKER)
    try:
        replies = wait_until(lambda: client.control.ping(timeout=1), 90, "a pong from the worker")
        assert [r for reply in replies for r in reply.values()] == [{"ok": "pong"}]
        text = log.read_text()
        assert "urbanmine" in text and "ops-test" in text  # the project's app and queue
        (celery,) = psutil.Process(make.pid).children()
        celery.send_signal(signal.SIGTERM)
        assert make.wait(60) == 0
        assert "Warm shutdown" in log.read_text()
    finally:
        if make.poll() is None:
            for child in psutil.Process(make.pid).children(recursive=True):
                child.kill()
            make.kill()
            make.wait(10)
        client.close()
