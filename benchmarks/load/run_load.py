"""Load test of issue #19 in one command: PostgreSQL with the demo x10, gunicorn with Redis
as the shared cache, locust headless per scenario; writes benchmarks/results/load.md and
the raw CSVs next to it (benchmarks/results/load/).

    .venv/bin/python benchmarks/load/run_load.py            # everything (about 10 minutes)
    .venv/bin/python benchmarks/load/run_load.py --reuse-db --scenarios supply,passport

Steps: (re)create the database `urbanmine_load` (127.0.0.1:5432, user postgres), migrate,
load `urbanmine demo --scale 10`, compute the reference forecast (the dashboard's), flush
a dedicated Redis database (redis://127.0.0.1:6379/7), start gunicorn (the project's
gunicorn.conf.py when present, otherwise 2 x cores + 1 gthread workers), then run each
scenario for --run-time with --users concurrent users. The API rate limits are raised for
the run (URBANMINE_API_ANON_RATE / URBANMINE_API_USER_RATE = 1000000/min): every locust user
comes from 127.0.0.1 and would share one anonymous budget of 120 requests a minute.
Database connections are kept per worker thread (URBANMINE_DB_CONN_MAX_AGE=60).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HERE = Path(__file__).resolve().parent
DB_NAME = "urbanmine_load"
PG = "postgres://postgres@127.0.0.1:5432"

#: scenario -> (locust user classes, the requests whose target is checked, req/s, p95 ms)
SCENARIOS: dict[str, tuple[list[str], str, float | None, float | None]] = {
    "supply": (["SupplyVisitor"], "anonymous supply list", 150, 300),
    "api-public": (["ApiPublicClient"], "public API list (anonymous)", 150, 300),
    "api": (["ApiClient"], "API lot list + detail (token)", 150, 300),
    "passport": (["PassportOwner"], "an owner's passport", 50, 500),
    "dashboard": (["DashboardVisitor"], "province dashboard", None, None),
    "mixed": (
        [
            "SupplyVisitor",
            "DashboardVisitor",
            "PassportOwner",
            "ApiClient",
            "ApiPublicClient",
            "StepRecorder",
        ],
        "all together, with lifecycle steps as writes",
        None,
        None,
    ),
}
#: weights of the user classes in the mixed scenario (the locustfile reads them from the
#: environment): about 2 of 50 users record steps
MIXED_WEIGHTS = {
    "SupplyVisitor": 10,
    "DashboardVisitor": 3,
    "PassportOwner": 4,
    "ApiClient": 4,
    "ApiPublicClient": 4,
    "StepRecorder": 1,
}


def sh(cmd: list[str], env: dict, check: bool = True, **kw) -> subprocess.CompletedProcess:
    print("+", " ".join(cmd), flush=True)
    return subprocess.run(cmd, env=env, cwd=REPO, check=check, **kw)


def base_env(args) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(REPO / "src"),
            "DJANGO_SETTINGS_MODULE": "urbanmine.settings",
            "DATABASE_URL": f"{PG}/{args.db}",
            "URBANMINE_REDIS_URL": args.redis,
            "URBANMINE_CACHE_PREFIX": "urbanmine-load",
            "URBANMINE_API_ANON_RATE": "1000000/min",
            "URBANMINE_API_USER_RATE": "1000000/min",
            "URBANMINE_DB_CONN_MAX_AGE": "60",
            "URBANMINE_DEBUG": "false",
            "URBANMINE_LOG_LEVEL": "ERROR",
            "URBANMINE_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "URBANMINE_CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{args.port}",
        }
    )
    return env


def recreate_database(env: dict, scale: int, db: str) -> dict:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {db}")
    sh([str(VENV_BIN / "urbanmine"), "migrate", "-v0"], env)
    out = sh(
        [str(VENV_BIN / "urbanmine"), "demo", "--scale", str(scale), "--format", "json"],
        env,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


PREPARE = """
import json, sys
import django
django.setup()
sys.path.insert(0, {here!r})
from scenario_data import scenario_data
from urbanmine.insight import services
services.forecast_ensure(services.reference_scenario_ensure())  # inline: the dashboard's
from urbanmine.assets.models import Asset
from urbanmine.lots.models import LifecycleEvent, Lot
data = scenario_data()
data["db"] = {{"assets": Asset.objects.count(), "lots": Lot.objects.count(),
              "events": LifecycleEvent.objects.count()}}
json.dump(data, open({path!r}, "w"))
"""


def prepare(env: dict, path: Path) -> dict:
    env = dict(env, URBANMINE_JOBS_INLINE="true")
    code = PREPARE.format(here=str(HERE), path=str(path))
    sh([sys.executable, "-c", code], env)
    return json.loads(path.read_text())


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def gunicorn_cmd(args) -> tuple[list[str], str]:
    cmd = [str(VENV_BIN / "gunicorn"), "urbanmine.wsgi", "--bind", f"127.0.0.1:{args.port}"]
    conf = REPO / "gunicorn.conf.py"
    workers = args.workers or 2 * (os.cpu_count() or 1) + 1
    if conf.exists() and not args.workers:
        cmd += ["--config", str(conf)]
        return cmd, f"project gunicorn.conf.py (threads {args.threads or 'as configured'})"
    cmd += ["--workers", str(workers), "--worker-class", "gthread"]
    cmd += ["--threads", str(args.threads or 4), "--access-logfile", "/dev/null"]
    return cmd, f"{workers} gthread workers x {args.threads or 4} threads"


def wait_ready(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if server.poll() is not None:  # e.g. the port is taken: another server would answer
            raise SystemExit(f"gunicorn exited ({server.returncode}); is port {port} free?")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/supply/", timeout=10).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer")


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def server_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by gunicorn's master and workers."""
    import psutil

    master = psutil.Process(pid)
    total = 0.0
    for proc in [master, *master.children(recursive=True)]:
        try:
            t = proc.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def run_scenario(name: str, args, env: dict, out_dir: Path, server_pid: int) -> dict:
    classes = SCENARIOS[name][0]
    prefix = out_dir / f"load_{name}"
    load_before = loadavg()
    env = dict(env)
    for cls, w in MIXED_WEIGHTS.items():
        env[f"URBANMINE_LOAD_WEIGHT_{cls}"] = str(w if name == "mixed" else 1)
    cmd = [
        str(VENV_BIN / "locust"),
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--users",
        str(args.users),
        "--spawn-rate",
        str(args.spawn_rate),
        "--run-time",
        args.run_time,
        "--host",
        f"http://127.0.0.1:{args.port}",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        *classes,
    ]
    if args.warmup and args.warmup != "0s":
        # the same users for a short while, not recorded: the cache holds the pages they
        # visit most, as it does on a server that has been up for a while
        # (without the writers: each write is legal once, the recorded run makes them)
        warm = [c for c in cmd if c not in ("--csv", str(prefix), "StepRecorder")]
        warm[warm.index("--run-time") + 1] = args.warmup
        sh(warm, env, check=False, stdout=subprocess.DEVNULL)
    cpu0 = server_cpu_s(server_pid)
    sh(cmd, env, check=False, stdout=subprocess.DEVNULL)  # exits 1 on any failed request
    cpu = server_cpu_s(server_pid) - cpu0
    rows = read_stats(prefix)
    n = next(r["n"] for r in rows if r["name"] == "all requests")
    return {
        "name": name,
        "load_before": load_before,
        "load_after": loadavg(),
        "rows": rows,
        "cpu_ms_per_request": 1000 * cpu / n if n else 0.0,
    }


def read_stats(prefix: Path) -> list[dict]:
    rows = []
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh):
            rows.append(
                {
                    "name": r["Name"] if r["Type"] else "all requests",
                    "method": r["Type"],
                    "n": int(r["Request Count"]),
                    "errors": int(r["Failure Count"]),
                    "rps": float(r["Requests/s"]),
                    "p50": float(r["50%"] or 0),
                    "p95": float(r["95%"] or 0),
                    "p99": float(r["99%"] or 0),
                }
            )
    return rows


def target_line(name: str, rows: list[dict]) -> str:
    _classes, what, rps, p95 = SCENARIOS[name]
    total = next(r for r in rows if r["name"] == "all requests")
    checked = [r for r in rows if r["name"] != "all requests" and "login" not in r["name"]]
    errors = sum(r["errors"] for r in rows)
    if rps is None:
        return f"{what}: no target; {total['rps']:.1f} req/s, {errors} errors."
    got_rps = sum(r["rps"] for r in checked)
    got_p95 = max((r["p95"] for r in checked), default=0)
    met = got_rps >= rps and got_p95 < p95 and errors == 0
    return (
        f"{what}: target >= {rps:g} req/s, p95 < {p95:g} ms, 0 errors -> "
        f"{got_rps:.1f} req/s, p95 {got_p95:g} ms, {errors} errors: "
        f"**{'met' if met else 'NOT met'}**."
    )


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "unknown"


def write_report(path: Path, setup: dict, results: list[dict], args) -> None:
    lines = [
        "# Load test (issue #19): demo x10 on PostgreSQL, gunicorn, Redis cache",
        "",
        f"Measured {setup['when']} with `.venv/bin/python benchmarks/load/run_load.py"
        f"{' ' + ' '.join(sys.argv[1:]) if sys.argv[1:] else ''}`"
        " (benchmarks/load/locustfile.py; raw CSVs in `benchmarks/results/load/`).",
        "",
        "## Setup",
        "",
        f"- machine: {setup['cpu']}, {os.cpu_count()} cores, shared with other sessions"
        " (the load average before each run is listed; locust runs on the same cores)",
        f"- commit: {setup['commit']}",
        f"- database: PostgreSQL `{args.db}`, `urbanmine demo --scale {args.scale}`:"
        f" {setup['db']['assets']} assets, {setup['db']['lots']} lots,"
        f" {setup['db']['events']} lifecycle events"
        f" ({setup['published']} lots published at the start)",
        f"- server: gunicorn, {setup['gunicorn']}; DB connections kept (CONN_MAX_AGE 60 s)",
        f"- cache: Redis `{args.redis}` (flushed before the run), public content cached"
        " (core/cache.py); API rate limits raised to 1000000/min for the run",
        f"- load: locust {setup['locust']}, {args.users} users, spawn rate {args.spawn_rate}/s,"
        f" {args.run_time} per scenario after an unrecorded warm-up of {args.warmup} with the"
        " same users (the cache is flushed before each scenario, then filled by the warm-up),"
        " FastHttpUser, 50-150 ms think time per user",
        "",
        "## Results",
        "",
    ]
    for res in results:
        name = res["name"]
        lines += [
            f"### {name}: {SCENARIOS[name][1]}",
            "",
            f"Load average (1, 5, 15 min) before the run: {res['load_before']}; after:"
            f" {res['load_after']}. Server CPU per request (gunicorn's user + system time"
            f" / requests): {res['cpu_ms_per_request']:.1f} ms, i.e. at most"
            f" {1000 * (os.cpu_count() or 1) / max(res['cpu_ms_per_request'], 0.001):.0f}"
            " req/s on these cores if the server had them to itself.",
            "",
            "| request | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for r in res["rows"]:
            label = f"{r['method']} {r['name']}".strip()
            lines.append(
                f"| {label} | {r['n']} | {r['rps']:.1f} | {r['p50']:g} | {r['p95']:g} |"
                f" {r['p99']:g} | {r['errors']} |"
            )
        lines += ["", target_line(name, res["rows"]), ""]
    history = HERE / "history.md"
    if history.exists():
        lines += [history.read_text(encoding="utf-8").rstrip(), ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scenarios", default=",".join(SCENARIOS))
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--spawn-rate", type=float, default=25)
    p.add_argument("--run-time", default="60s")
    p.add_argument("--warmup", default="15s", help="unrecorded run first (0s: none)")
    p.add_argument("--scale", type=int, default=10)
    p.add_argument("--db", default=DB_NAME, help="the PostgreSQL database (default: %(default)s)")
    p.add_argument("--reuse-db", action="store_true", help="keep the database as it is")
    p.add_argument("--workers", type=int, default=0, help="default: gunicorn.conf.py or 2n+1")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--pause", type=float, default=20, help="seconds between scenarios")
    p.add_argument("--redis", default="redis://127.0.0.1:6379/7")
    p.add_argument("--out", default=str(REPO / "benchmarks" / "results"))
    args = p.parse_args()
    names = [n for n in args.scenarios.split(",") if n]
    unknown = set(names) - set(SCENARIOS)
    if unknown:
        p.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    out = Path(args.out)
    raw = out / "load"
    raw.mkdir(parents=True, exist_ok=True)
    env = base_env(args)
    if not args.reuse_db:
        recreate_database(env, args.scale, args.db)
    work = REPO / "var" / "load"
    work.mkdir(parents=True, exist_ok=True)
    data_path = work / "scenario.json"
    data = prepare(env, data_path)
    env["URBANMINE_LOAD_DATA"] = str(data_path)
    cmd, gunicorn_desc = gunicorn_cmd(args)
    import locust

    setup = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_name(),
        "commit": git_commit(),
        "db": data["db"],
        "published": data["published_lots"],
        "gunicorn": gunicorn_desc,
        "locust": locust.__version__,
    }
    results = []
    for i, name in enumerate(names):
        if i:
            time.sleep(args.pause)  # let the previous run's load settle
        flush_redis(args.redis)  # every scenario starts with a cold cache
        server = subprocess.Popen(cmd, env=env, cwd=REPO, start_new_session=True)
        try:
            wait_ready(args.port, server)
            results.append(run_scenario(name, args, env, raw, server.pid))
        finally:
            if server.poll() is None:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
    for f in raw.glob("*_exceptions.csv"):
        f.unlink()
    write_report(out / "load.md", setup, results, args)
    print(f"wrote {out / 'load.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
