#!/usr/bin/env python3
"""Prove that a PostgreSQL backup of urbanmine restores: dump, restore, compare, clean up.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/urbanmine python scripts/backup_roundtrip.py

1. `pg_dump --format=custom` of DATABASE_URL (what the nightly backup makes, docs/deploy.md);
2. `pg_restore` into a fresh scratch database on the same server (`<name>_restore_<pid>`);
3. compares, table by table, the row count and an md5 over the rows (sorted, as text), and
   reports the lifecycle events' checksum (md5 over the events ordered by id);
4. drops the scratch database (also after a failure).

Exits 0 when every table matches, 1 on any difference, 2 when a step fails (the tool's
message is printed). Needs pg_dump/pg_restore of the server's major version and a role that
may create databases. `--keep-dump PATH` keeps the dump (e.g. to test an off-site copy).
Standalone: psycopg only, no Django.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

EVENTS_TABLE = "lots_lifecycleevent"


@dataclass(frozen=True)
class TableState:
    rows: int
    md5: str


def with_database(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name:
        raise SystemExit("DATABASE_URL names no database")
    return name


def tables(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """Every ordinary table outside the system schemas, as (schema, name)."""
    return conn.execute(
        """
        SELECT schemaname, tablename FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
        ORDER BY schemaname, tablename
        """
    ).fetchall()


def table_state(conn: psycopg.Connection, schema: str, table: str) -> TableState:
    """Row count and an md5 over the rows as text in a fixed order (no key needed)."""
    query = sql.SQL(
        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), ''))"
        " FROM {}.{} AS t"
    ).format(sql.Identifier(schema), sql.Identifier(table))
    rows, md5 = conn.execute(query).fetchone()  # type: ignore[misc]
    return TableState(rows, md5)


def events_checksum(conn: psycopg.Connection) -> str | None:
    """md5 over the lifecycle events ordered by id: the history that must never change."""
    exists = conn.execute("SELECT to_regclass(%s)", (EVENTS_TABLE,)).fetchone()
    if not exists or exists[0] is None:
        return None
    query = sql.SQL(
        "SELECT md5(coalesce(string_agg(e::text, E'\\n' ORDER BY e.id), '')) FROM {} AS e"
    ).format(sql.Identifier(EVENTS_TABLE))
    return conn.execute(query).fetchone()[0]  # type: ignore[index]


def _session(conn: psycopg.Connection) -> None:
    """The rows' text must not depend on the session: fixed time zone, dates, floats."""
    conn.execute("SET TIME ZONE 'UTC'")
    conn.execute("SET DateStyle = 'ISO, YMD'")
    conn.execute("SET extra_float_digits = 3")


SCHEMA_OBJECTS = {
    # a restore that lost the append-only triggers, a constraint or an index is no backup
    "triggers": "SELECT tgrelid::regclass::text || '.' || tgname FROM pg_trigger"
    " WHERE NOT tgisinternal",
    "constraints": "SELECT conrelid::regclass::text || '.' || conname FROM pg_constraint"
    " WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)",
    "indexes": "SELECT schemaname || '.' || indexname FROM pg_indexes"
    " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    # new rows after a restore must not collide with restored ids
    "sequences": "SELECT schemaname || '.' || sequencename || '=' || coalesce(last_value, 0)"
    " FROM pg_sequences",
}


def schema_objects(conn: psycopg.Connection) -> dict[str, TableState]:
    """Triggers, constraints, indexes and sequence positions, as pseudo-tables."""
    out = {}
    for kind, query in SCHEMA_OBJECTS.items():
        names = sorted(row[0] for row in conn.execute(query).fetchall())
        out[f"({kind})"] = TableState(
            len(names), hashlib.md5("\n".join(names).encode()).hexdigest()
        )
    return out


def state(conn: psycopg.Connection) -> tuple[dict[str, TableState], str | None]:
    states = {f"{s}.{t}": table_state(conn, s, t) for s, t in tables(conn)}
    return states | schema_objects(conn), events_checksum(conn)


def dump_with_state(url: str, dump: Path) -> tuple[dict[str, TableState], str | None]:
    """pg_dump runs on the snapshot this transaction exports, so the counts and checksums
    describe exactly what was dumped, even while the site keeps writing."""
    with psycopg.connect(url, autocommit=True) as conn:
        _session(conn)
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot_id = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
            run(
                [
                    "pg_dump",
                    "--format=custom",
                    "--no-owner",
                    f"--snapshot={snapshot_id}",
                    f"--file={dump}",
                    f"--dbname={url}",
                ]
            )
            return state(conn)


def restored_state(url: str) -> tuple[dict[str, TableState], str | None]:
    with psycopg.connect(url, autocommit=True) as conn:
        _session(conn)
        return state(conn)


def run(cmd: list[str]) -> None:
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"FAILED: {' '.join(cmd[:2])} …\n{result.stderr.strip()}", file=sys.stderr)
        raise SystemExit(2)


def compare(source: dict[str, TableState], restored: dict[str, TableState]) -> list[str]:
    problems = []
    for name in sorted(source.keys() | restored.keys()):
        a, b = source.get(name), restored.get(name)
        if a is None or b is None:
            problems.append(f"{name}: only in the {'restored' if a is None else 'source'} database")
        elif a.rows != b.rows:
            problems.append(f"{name}: {a.rows} rows, restored {b.rows}")
        elif a.md5 != b.md5:
            problems.append(f"{name}: same {a.rows} rows, different content")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--keep-dump", type=Path, help="keep the dump at this path")
    args = parser.parse_args(argv)
    url = args.database_url
    if not url.startswith(("postgres://", "postgresql://")):
        print("DATABASE_URL must be a PostgreSQL URL (postgres://…)", file=sys.stderr)
        return 2
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            print(f"{tool} not found (apt-get install postgresql-client)", file=sys.stderr)
            return 2

    name = database_name(url)
    scratch = f"{name}_restore_{os.getpid()}"
    admin_url = with_database(url, "postgres")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="urbanmine-backup-") as tmp:
        dump = args.keep_dump or Path(tmp) / f"{name}.dump"
        source, source_events = dump_with_state(url, dump)
        dumped_s = time.monotonic() - started
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        try:
            run(
                [
                    "pg_restore",
                    "--exit-on-error",
                    "--no-owner",
                    "--no-privileges",
                    f"--dbname={with_database(url, scratch)}",
                    str(dump),
                ]
            )
            restored, restored_events = restored_state(with_database(url, scratch))
        finally:
            with psycopg.connect(admin_url, autocommit=True) as admin:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(scratch)
                    )
                )
        size_kb = dump.stat().st_size // 1024

    problems = compare(source, restored)
    if source_events != restored_events:
        problems.append(f"lifecycle events: checksum {source_events} != {restored_events}")
    rows = sum(s.rows for name, s in source.items() if not name.startswith("("))
    objects = ", ".join(f"{s.rows} {n.strip('()')}" for n, s in source.items() if n.startswith("("))
    events = source.get(f"public.{EVENTS_TABLE}")
    print(
        f"database {name}: {len(source) - len(SCHEMA_OBJECTS)} tables, {rows} rows, {objects};"
        f" dump {size_kb} kB "
        f"(dumped in {dumped_s:.1f} s, round trip {time.monotonic() - started:.1f} s)"
    )
    print(
        f"lifecycle events: {events.rows if events else 0}, md5 by id {source_events}"
        f" (restored {restored_events})"
    )
    print(f"scratch database {scratch}: restored, compared, dropped")
    if problems:
        print("DIFFERENCES:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print("OK: every table has the same rows, and the schema its objects, after the restore")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except psycopg.Error as e:  # the server, the database or the role: not a difference
        print(f"FAILED: {e}".strip(), file=sys.stderr)
        sys.exit(2)
