"""Lifecycle events are append-only below the ORM too: database triggers refuse UPDATE and
DELETE on `lots_lifecycleevent` (PostgreSQL and SQLite), whatever path a write takes (a base
manager, an upsert, raw SQL, a database shell).

SQLite has no session settings, so its triggers ask a function this app registers on every
connection, `urbanmine_history_open()`: false unless code runs inside `history_maintenance()`
(used only to empty a test database). Another SQLite client does not know the function, so
its trigger fails closed. On PostgreSQL nothing opens the history; TRUNCATE (an owner's
operation, used by the test runner) fires no row trigger.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

APPEND_ONLY_MESSAGE = "lifecycle events are append-only"
_state = threading.local()

POSTGRESQL_INSTALL = f"""
CREATE OR REPLACE FUNCTION urbanmine_history_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '{APPEND_ONLY_MESSAGE} (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER lots_lifecycleevent_append_only
  BEFORE UPDATE OR DELETE ON lots_lifecycleevent
  FOR EACH ROW EXECUTE FUNCTION urbanmine_history_append_only();
"""
POSTGRESQL_REMOVE = """
DROP TRIGGER IF EXISTS lots_lifecycleevent_append_only ON lots_lifecycleevent;
DROP FUNCTION IF EXISTS urbanmine_history_append_only();
"""
SQLITE_INSTALL = [
    f"""CREATE TRIGGER lots_lifecycleevent_no_update BEFORE UPDATE ON lots_lifecycleevent
    WHEN NOT urbanmine_history_open()
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE} (UPDATE refused)'); END""",
    f"""CREATE TRIGGER lots_lifecycleevent_no_delete BEFORE DELETE ON lots_lifecycleevent
    WHEN NOT urbanmine_history_open()
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE} (DELETE refused)'); END""",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS lots_lifecycleevent_no_update",
    "DROP TRIGGER IF EXISTS lots_lifecycleevent_no_delete",
]


def history_is_open() -> int:
    return 1 if getattr(_state, "open", False) else 0


@contextmanager
def history_maintenance() -> Iterator[None]:
    """Open the SQLite history in this thread (emptying a test database). Never used by the
    platform's own writes."""
    _state.open = True
    try:
        yield
    finally:
        _state.open = False


def register_sqlite_function(sender, connection, **kwargs) -> None:
    """`connection_created` receiver: the function the SQLite triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "urbanmine_history_open", 0, history_is_open, deterministic=False
        )


def install(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRESQL_INSTALL, SQLITE_INSTALL)


def remove(apps, schema_editor) -> None:
    _run(schema_editor, POSTGRESQL_REMOVE, SQLITE_REMOVE)


def _run(schema_editor, postgresql: str, sqlite: list[str]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(postgresql, params=None)  # no placeholders: % is plpgsql's
    elif vendor == "sqlite":
        for statement in sqlite:
            schema_editor.execute(statement, params=None)
