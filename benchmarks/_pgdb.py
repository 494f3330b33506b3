"""A fresh PostgreSQL database for a benchmark run (shared by the import benchmarks)."""

from __future__ import annotations


def pg_fresh(url: str) -> bool:
    """Drop and recreate the benchmark database; False when PostgreSQL is not reachable."""
    try:
        import psycopg
    except ImportError:
        return False
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return False
    return True
