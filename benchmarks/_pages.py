"""Shared by the page benchmarks: a fresh demo database and timing of pages in-process."""

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = int(os.environ.get("BENCH_DEMO_SCALE", "10"))


def demo_database(prefix: str) -> float:
    """Migrate a fresh SQLite database in a temporary var directory (or DATABASE_URL), load
    `urbanmine demo --scale SCALE` into it, set Django up on it; returns the load seconds."""
    var = tempfile.mkdtemp(prefix=prefix)
    env = dict(os.environ, URBANMINE_VAR_DIR=var)
    cli = [sys.executable, "-m", "urbanmine"]
    subprocess.run([*cli, "migrate", "-v0"], check=True, env=env, cwd=ROOT)
    t0 = time.perf_counter()
    subprocess.run(
        [*cli, "demo", "--scale", str(SCALE), "--format", "json"],
        check=True,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    load_s = time.perf_counter() - t0
    os.environ.update(URBANMINE_VAR_DIR=var, DJANGO_SETTINGS_MODULE="urbanmine.settings")
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()
    return load_s


def measure(client, url: str, repeat: int = 15) -> tuple[float, float, int, int]:
    """(median ms, worst ms, queries of the last request, response bytes) after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            r = client.get(url)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    return statistics.median(times), max(times), len(q.captured_queries), len(r.content)


def page_table(rows, target_ms: float, target_ok: bool) -> list[str]:
    """The results table of measured pages (label, median, worst, queries, bytes) and the
    target line of the dashboard benchmarks."""
    return [
        "| page | median ms | worst ms | queries | KiB |",
        "|---|---:|---:|---:|---:|",
        *[
            f"| {label} | {m:.0f} | {w:.0f} | {nq} | {size / 1024:.0f} |"
            for label, m, w, nq, size in rows
        ],
        "",
        f"Target (dashboard pages < {target_ms} ms median): {'met' if target_ok else 'NOT met'}.",
    ]
