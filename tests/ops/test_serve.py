"""`make serve` in production mode: migrate, collectstatic, then gunicorn with the project's
configuration on a free port, behind a (simulated) TLS proxy, with JSON logs.

One server for the module (SQLite file database in a temporary URBANMINE_VAR_DIR); it serves
pages and probes, adds the metrics of all its workers, survives a graceful reload (HUP:
every worker replaced) and stops cleanly on TERM.
"""

from __future__ import annotations

import functools
import json
import os
import re
import secrets
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from tests.ops.processes import ROOT, VENV, clean_env, free_port, get, wait_until

TOKEN = secrets.token_urlsafe(32)
PROXIED = {"X-Forwarded-Proto": "https", "Host": "localhost"}


@dataclass
class Server:
    make: subprocess.Popen
    base: str
    stdout: Path
    stderr: Path

    @functools.cached_property
    def master(self) -> psutil.Process:
        """make's child: make runs the recipe's last line without a shell."""
        (child,) = psutil.Process(self.make.pid).children()
        assert "gunicorn" in " ".join(child.cmdline())
        return child

    def workers(self) -> set[int]:
        alive = []
        for p in self.master.children():
            try:
                if p.status() != psutil.STATUS_ZOMBIE:
                    alive.append(p.pid)
            except psutil.NoSuchProcess:
                pass
        return set(alive)

    def log_lines(self, which: str) -> list[str]:
        path = self.stdout if which == "stdout" else self.stderr
        return path.read_text(encoding="utf-8", errors="replace").splitlines()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("serve")
    port = free_port()
    env = clean_env(
        var_dir,
        URBANMINE_DEBUG="false",
        URBANMINE_HTTPS="true",
        URBANMINE_SECRET_KEY=secrets.token_urlsafe(50),
        URBANMINE_ALLOWED_HOSTS="localhost,127.0.0.1",
        URBANMINE_BIND=f"127.0.0.1:{port}",
        URBANMINE_WEB_WORKERS="2",
        URBANMINE_WEB_GRACEFUL_TIMEOUT="10",
        URBANMINE_METRICS_TOKEN=TOKEN,
        URBANMINE_LOG_FORMAT="json",
        URBANMINE_LOG_LEVEL="WARNING",
    )
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # when the suite itself runs under make
        env.pop(name, None)
    out, err = var_dir / "stdout.log", var_dir / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        make = subprocess.Popen(
            # the install stamp counts as up to date: this suite runs from the installed venv
            ["make", "-C", str(ROOT), "-o", f"{VENV}/.installed", f"VENV={VENV}", "serve"],
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    srv = Server(make, f"http://127.0.0.1:{port}", out, err)

    def answers():
        if make.poll() is not None:
            raise AssertionError(f"make serve exited: {err.read_text()[-3000:]}")
        try:
            return get(srv.base + "/health/live", timeout_s=2)[0] == 200
        except OSError:
            return False

    try:
        wait_until(answers, 240, "make serve to answer /health/live")
        yield srv
    finally:
        if make.poll() is None:
            for child in psutil.Process(make.pid).children(recursive=True):
                child.send_signal(signal.SIGTERM)
            make.terminate()
            make.wait(30)


def test_make_serve_migrated_collected_and_started_the_configured_workers(server):
    assert len(server.workers()) == 2  # URBANMINE_WEB_WORKERS
    lines = server.log_lines("stdout")
    assert any("Applying" in line or "No migrations to apply" in line for line in lines)
    assert any("static files copied" in line for line in lines)


def test_pages_are_served_behind_the_tls_proxy_with_the_security_headers(server):
    status, headers, body = get(server.base + "/", PROXIED)
    assert status == 200, body[:500]
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "camera=()" in headers["Permissions-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    # plain http reaching the site is sent to https
    status, headers, _ = get(server.base + "/", {"Host": "localhost"})
    assert status == 301 and headers["Location"].startswith("https://")


def test_static_files_come_from_whitenoise(server):
    status, headers, _ = get(server.base + "/static/leaflet/leaflet.js", PROXIED)
    assert status == 200
    assert "javascript" in headers["Content-Type"]


def test_probes_answer_plain_http_on_the_host(server):
    # load balancers and systemd probe gunicorn directly: no redirect to https
    status, _, body = get(server.base + "/health/live", {"Host": "localhost"})
    assert (status, json.loads(body)) == (200, {"status": "ok"})
    status, _, body = get(server.base + "/health/ready", {"Host": "localhost"})
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_metrics_add_up_every_worker_and_need_the_token(server):
    for _ in range(6):  # spread over both workers
        get(server.base + "/health/live", {"Host": "localhost"})
    assert get(server.base + "/metrics", {"Host": "localhost"})[0] == 403
    status, _, body = get(
        server.base + "/metrics", {"Host": "localhost", "Authorization": f"Bearer {TOKEN}"}
    )
    assert status == 200
    text = body.decode()
    served = re.search(
        r'^django_http_requests_total_by_view_transport_method_total\{[^}]*view="health-live"[^}]*\} (\S+)$',
        text,
        re.M,
    )
    assert served and float(served.group(1)) >= 6, text[:2000]
    assert 'urbanmine_jobs{kind="market.matchrun",status="running"} 0.0' in text
    # every worker wrote its own file: the scrape summed them
    assert len(list((Path(server.stdout).parent / "prometheus").glob("counter_*.db"))) >= 2


def test_logs_are_json_lines_with_the_request_id(server):
    rid = "ops-test-" + secrets.token_hex(4)
    status, _, _ = get(server.base + "/no-such-page/", {**PROXIED, "X-Request-ID": rid})
    assert status == 404

    def logged():
        records = [json.loads(line) for line in server.log_lines("stderr") if line.startswith("{")]
        return [r for r in records if r.get("request_id") == rid]

    (record,) = wait_until(logged, 10, "the 404 in the application log")
    assert record["level"] == "WARNING" and record["logger"] == "django.request"
    assert "/no-such-page/" in record["message"] and record["timestamp"]
    access = wait_until(
        lambda: [json.loads(line) for line in server.log_lines("stdout") if rid in line],
        10,
        "the access log line",
    )
    assert access[0]["logger"] == "gunicorn.access"
    assert '"GET /no-such-page/ HTTP/1.1" 404' in access[0]["message"]


def test_a_reload_replaces_every_worker_without_dropping_the_site(server):
    before = server.workers()
    server.master.send_signal(signal.SIGHUP)
    wait_until(
        lambda: (now := server.workers()) and len(now) == 2 and not now & before,
        60,
        "new workers after HUP",
    )
    assert get(server.base + "/", PROXIED)[0] == 200
    assert get(server.base + "/health/ready", {"Host": "localhost"})[0] == 200
    assert server.make.poll() is None


def test_term_stops_gracefully(server):
    # last in the module: the fixture's clean-up then has nothing left to do
    server.master.send_signal(signal.SIGTERM)
    assert server.make.wait(60) == 0
    assert any("Shutting down: Master" in line for line in server.log_lines("stderr"))


def test_the_worker_count_follows_the_cores(tmp_path):
    """Without URBANMINE_WEB_WORKERS: 2 × usable cores + 1 (gunicorn's own reading)."""
    env = clean_env(tmp_path)
    env.pop("URBANMINE_WEB_WORKERS", None)
    gunicorn = [str(VENV / "bin" / "gunicorn"), "-c", "python:urbanmine.gunicorn_conf"]
    r = subprocess.run(
        [*gunicorn, "--print-config"], env=env, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr[-2000:]
    out = r.stdout
    workers = int(re.search(r"^workers\s+= (\d+)$", out, re.M).group(1))
    assert workers == 2 * len(os.sched_getaffinity(0)) + 1
    assert re.search(r"^bind\s+= \['127.0.0.1:8000'\]$", out, re.M)
    assert re.search(r"^accesslog\s+= -$", out, re.M)
    env["URBANMINE_WEB_WORKERS"], env["URBANMINE_WEB_THREADS"] = "3", "4"
    out = subprocess.run(
        [*gunicorn, "--print-config"], env=env, capture_output=True, text=True, timeout=60
    ).stdout
    assert re.search(r"^workers\s+= 3$", out, re.M) and re.search(r"^threads\s+= 4$", out, re.M)
