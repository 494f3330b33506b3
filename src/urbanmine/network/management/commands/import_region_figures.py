"""`urbanmine import-region-figures FILE --source TEXT --actor USERNAME [--dry-run]
[--format json]`: load another region's published figures for the network's regional
comparison (docs/network-figures.md describes the file).

Exit 0 when the file is valid (with --dry-run nothing is stored); otherwise exit 1, nothing
stored, and each error names row, column and reason. The actor is the facilitator (a user
of the province's matchmaker organisation, or the data steward)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.core.forms import error_text
from urbanmine.network.services import MAX_FIGURE_BYTES, FigureImportError, figures_import


class Command(BaseCommand):
    help = "Import another region's published figures (CSV) for the regional comparison."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--source", required=True, help="publisher, publication, year")
        parser.add_argument("--actor", required=True, help="the facilitator's user name")
        parser.add_argument("--dry-run", action="store_true", help="check only, store nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def _fail(self, as_json: bool, errors: list[dict]) -> None:
        if as_json:
            self.stdout.write(json.dumps({"valid": False, "errors": errors}, ensure_ascii=False))
            raise CommandError("", returncode=1)
        raise CommandError(
            "\n".join(f"row {e['row']}, column {e['column']}: {e['message']}" for e in errors),
            returncode=1,
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        path: Path = options["file"]
        if not path.is_file():
            self._fail(as_json, [{"row": 0, "column": "FILE", "message": f"{path}: no such file"}])
        users = get_user_model().objects
        actor = users.filter(username=options["actor"]).first()
        if actor is None:
            self._fail(
                as_json,
                [{"row": 0, "column": "--actor", "message": f"no account {options['actor']!r}"}],
            )
        with path.open("rb") as f:
            data = f.read(MAX_FIGURE_BYTES + 1)
        try:
            batch = figures_import(
                actor=actor,
                data=data,
                source=options["source"],
                filename=path.name,
                dry_run=options["dry_run"],
            )
        except FigureImportError as e:
            self._fail(
                as_json,
                [{"row": x.row, "column": x.column, "message": x.message} for x in e.errors],
            )
        except (ValidationError, PermissionDenied) as e:
            message = error_text(e) if isinstance(e, ValidationError) else str(e)
            self._fail(as_json, [{"row": 0, "column": "-", "message": message}])
        rows = batch.rows if batch is not None else None
        if as_json:
            self.stdout.write(
                json.dumps(
                    {"valid": True, "stored": rows or 0, "dry_run": options["dry_run"]},
                    ensure_ascii=False,
                )
            )
        elif batch is None:
            self.stdout.write("valid; nothing stored (--dry-run)")
        else:
            self.stdout.write(f"{rows} figures imported (import {batch.pk})")
