"""The history is append-only below the ORM: every path that would change or remove a
lifecycle event is refused by the database (on SQLite and PostgreSQL)."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError

from urbanmine.lots.history import history_maintenance
from urbanmine.lots.models import LifecycleEvent

REFUSED = (DatabaseError, IntegrityError, InternalError)


def _first(identified_lot) -> LifecycleEvent:
    return LifecycleEvent.objects.filter(lot=identified_lot).order_by("id").first()


def _attempts(event):
    table = LifecycleEvent._meta.db_table
    return {
        "base manager update": lambda: LifecycleEvent._base_manager.filter(pk=event.pk).update(
            notes="changed"
        ),
        "base manager delete": lambda: LifecycleEvent._base_manager.filter(pk=event.pk).delete(),
        "bulk_update": lambda: LifecycleEvent._base_manager.bulk_update(
            [_with_notes(event)], ["notes"]
        ),
        "upsert": lambda: LifecycleEvent._base_manager.bulk_create(
            [_copy(event)],
            update_conflicts=True,
            unique_fields=["id"],
            update_fields=["notes"],
        ),
        "raw SQL update": lambda: _sql(f"UPDATE {table} SET notes = 'x' WHERE id = %s", event.pk),
        "raw SQL delete": lambda: _sql(f"DELETE FROM {table} WHERE id = %s", event.pk),
    }


def _with_notes(event):
    event.notes = "changed"
    return event


def _copy(event):
    copy = LifecycleEvent._base_manager.get(pk=event.pk)
    copy.notes = "changed"
    return copy


def _sql(statement, pk):
    with connection.cursor() as cursor:
        cursor.execute(statement, [pk])


@pytest.mark.parametrize(
    "path",
    [
        "base manager update",
        "base manager delete",
        "bulk_update",
        "upsert",
        "raw SQL update",
        "raw SQL delete",
    ],
)
def test_the_database_refuses_every_change_of_an_event(identified_lot, path):
    event = _first(identified_lot)
    before = (event.notes, LifecycleEvent.objects.count())
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        _attempts(event)[path]()
    after = LifecycleEvent.objects.get(pk=event.pk)
    assert (after.notes, LifecycleEvent.objects.count()) == before


def test_new_events_are_still_written(chain, identified_lot):
    from urbanmine.lots.lifecycle import Step
    from urbanmine.lots.services import lot_record_step

    n = LifecycleEvent.objects.count()
    lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.demolisher_user)
    assert LifecycleEvent.objects.count() == n + 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite maintenance switch")
def test_only_the_maintenance_context_opens_the_sqlite_history(identified_lot):
    event = _first(identified_lot)
    with history_maintenance(), transaction.atomic():
        LifecycleEvent._base_manager.filter(pk=event.pk).update(notes="maintenance")
        transaction.set_rollback(True)
    with pytest.raises(REFUSED), transaction.atomic():
        LifecycleEvent._base_manager.filter(pk=event.pk).update(notes="after")
