"""The filtered audit log as CSV, every text cell through `safe_cell`: object names and
changed values are typed by users (`=HYPERLINK(...)` as an asset name)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import timezone

from urbanmine.core.exports import safe_row

from .selectors import AuditRow

COLUMNS = ["timestamp", "actor", "action", "object_type", "object_id", "object", "changes"]


def audit_csv(rows: Iterable[AuditRow]) -> bytes:
    """UTF-8 with BOM (Excel opens it right), comma separated, one line per entry."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        entry = row.entry
        changes = "; ".join(f"{c.field}: {c.old} → {c.new}" for c in row.changes)
        writer.writerow(
            safe_row(
                [
                    timezone.localtime(entry.timestamp).isoformat(timespec="seconds"),
                    row.actor,
                    row.action,
                    row.object_type,
                    entry.object_pk,
                    entry.object_repr,
                    changes,
                ]
            )
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")
