"""scripts/backup_roundtrip.py: a custom-format dump of the real schema (append-only
triggers included) restores into a fresh database with every row, and the scratch database
is gone afterwards. The round trips need PostgreSQL: the SQLite run skips them."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest
from django.db import connection

from tests.ops.processes import ROOT

SCRIPT = ROOT / "scripts" / "backup_roundtrip.py"

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the backup round trip is for PostgreSQL"
)


def _url(name: str) -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    return (
        f"postgresql://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"
    )


def _databases(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute("SELECT datname FROM pg_database").fetchall()}


def _roundtrip(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--database-url", url],
        capture_output=True,
        text=True,
        timeout=300,
    )


@postgres_only
@pytest.mark.django_db(transaction=True)  # committed rows: pg_dump sees them
def test_a_dump_restores_every_row_and_the_event_history(chain):
    from tests.support.chain import harvest_into_hub, identify_bricks
    from urbanmine.lots.models import LifecycleEvent

    harvest_into_hub(chain, identify_bricks(chain, 1200))
    identify_bricks(chain, 300)
    events = LifecycleEvent.objects.count()
    assert events >= 3
    url = _url(connection.settings_dict["NAME"])
    before = _databases(url)

    r = _roundtrip(url)

    assert r.returncode == 0, r.stdout + r.stderr
    assert f"lifecycle events: {events}, md5 by id" in r.stdout
    assert "OK: every table has the same rows" in r.stdout
    assert "triggers" in r.stdout
    assert _databases(url) == before  # the scratch database was dropped


@postgres_only
def test_a_missing_database_is_a_failure_not_a_pass():
    url = _url("um_ops_no_such_database")
    r = _roundtrip(url)
    assert r.returncode == 2, r.stdout + r.stderr
    assert "OK" not in r.stdout


def test_a_sqlite_url_is_refused():
    r = subprocess.run(
        [sys.executable, str(SCRIPT), "--database-url", "sqlite:///var/urbanmine.sqlite3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "PostgreSQL" in r.stderr


def test_differences_are_named_table_by_table():
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import backup_roundtrip as b
    finally:
        sys.path.remove(str(SCRIPT.parent))
    same = b.TableState(3, "a")
    problems = b.compare(
        {"public.lots": same, "public.hubs": same, "public.gone": same, "(triggers)": same},
        {
            "public.lots": b.TableState(2, "a"),
            "public.hubs": b.TableState(3, "b"),
            "(triggers)": b.TableState(2, "c"),
        },
    )
    assert problems == [
        "(triggers): 3 rows, restored 2",
        "public.gone: only in the source database",
        "public.hubs: same 3 rows, different content",
        "public.lots: 3 rows, restored 2",
    ]
