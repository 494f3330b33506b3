"""`urbanmine import-inventory FILE [--asset ASSET_ID] [--dry-run] [--format json]
[--column-map JSON] [--max-rows N] [--time-limit SECONDS]`: validate an inventory
(CSV/XLSX) and store it as lots of an asset.

Contract (ARCHITECTURE.md): exit 0 when the file is valid (with --dry-run nothing is
stored); otherwise exit 1, nothing stored, and each error names row, column and reason.
Parsing is the pure engine (urbanmine.engine.inventory); storing is one transaction in
urbanmine.lots.services.lots_import_inventory (all or nothing). Masses are checked
against the catalogue's bounds as on the web; the command allows more rows and time than a
web upload (`--max-rows`, `--time-limit`: an operator at a terminal may wait, a web request
may not).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from urbanmine.catalogue.selectors import (
    product_group_codes,
    product_group_mass_references,
    product_group_name_aliases,
)
from urbanmine.engine.inventory import (
    InventoryIssue,
    InventoryLimits,
    InventoryParseResult,
    parse_inventory,
)

#: Text output lists at most this many errors (JSON always lists all of them).
MAX_TEXT_ERRORS = 200
PROGRESS_MIN_ROWS = 5000
#: Default limits of the command: ten times the 100,000 rows of the import benchmark
#: (stored in one transaction in about 80 s on SQLite), and 15 minutes of parsing (an XLSX
#: of a million rows reads in about 100 s).
DEFAULT_MAX_ROWS = 1_000_000
DEFAULT_TIME_LIMIT_S = 900.0


def _known_product_groups() -> set[str]:
    """The catalogue codes an inventory may use (installed by `urbanmine migrate`)."""
    return product_group_codes()


def _product_group_names() -> dict[str, str]:
    return product_group_name_aliases()


def _parse_column_map(value: str | None) -> dict[str, str] | None:
    if not value:
        return None
    text = value
    if not value.lstrip().startswith("{"):
        path = Path(value)
        if not path.is_file():
            raise CommandError(
                "--column-map: give a JSON object such as "
                '\'{"Artikelgroep": "product_group"}\' or the path of a JSON file',
                returncode=1,
            )
        text = path.read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CommandError(f"--column-map: invalid JSON ({exc})", returncode=1) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise CommandError(
            "--column-map: expected a JSON object mapping your column names to template fields",
            returncode=1,
        )
    return data


class _Progress:
    """tqdm on stderr, shown only for large files (and only on a terminal)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int | None) -> None:
        if self.bar is None:
            if total is not None and total < PROGRESS_MIN_ROWS:
                return
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, unit=" rows", file=sys.stderr, disable=None, mininterval=0.5
            )
        if total is not None and self.bar.total != total:
            self.bar.total = total
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (
        "Validate an inventory file (CSV or XLSX, template columns product_group, "
        "description, quantity, unit, mass_kg_per_unit, quality, hazardous, "
        "expected_release_date) and store its rows as lots of an asset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the inventory (.csv or .xlsx)")
        parser.add_argument("--asset", type=int, default=None, help="asset id to store lots on")
        parser.add_argument("--dry-run", action="store_true", help="validate only; store nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="publish the lots at once (default: drafts the owner reviews and publishes)",
        )
        parser.add_argument(
            "--column-map",
            default=None,
            help="JSON object (or JSON file) mapping your columns to template fields, e.g. "
            '\'{"Artikelgroep": "product_group", "Stuks": "quantity"}\'',
        )
        parser.add_argument(
            "--max-rows",
            type=int,
            default=DEFAULT_MAX_ROWS,
            help=f"refuse a file with more rows below the header (default {DEFAULT_MAX_ROWS:,})",
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            default=DEFAULT_TIME_LIMIT_S,
            help="seconds the parse may take before the file is refused "
            f"(default {DEFAULT_TIME_LIMIT_S:g}; 0: no limit)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        path = Path(options["file"])
        asset_id: int | None = options["asset"]
        dry_run: bool = options["dry_run"]
        if asset_id is None and not dry_run:
            self._fail(as_json, "--asset", "--asset ASSET_ID is required (or use --dry-run)")
        if not path.is_file():
            self._fail(as_json, "FILE", f"{path}: no such file")
        column_map = _parse_column_map(options["column_map"])
        if asset_id is not None:
            self._check_asset(asset_id, as_json)

        codes, names = _known_product_groups(), _product_group_names()
        limits = self._limits(options, as_json)
        progress = _Progress()
        try:
            result = parse_inventory(
                path,
                path.name,
                codes,
                timezone.localdate(),
                column_map=column_map,
                product_group_aliases=names,
                on_progress=progress,
                limits=limits,
            )
        finally:
            progress.close()

        if not result.ok:
            self._report(result, as_json, stored=0, dry_run=dry_run, asset_id=asset_id)
            n = len(result.errors)
            raise CommandError(
                f"{path.name}: {n} error{'s' if n != 1 else ''}; nothing stored", returncode=1
            )

        stored: list[Any] = []
        if not dry_run:
            assert asset_id is not None
            from urbanmine.lots.services import lots_import_inventory

            try:
                stored = lots_import_inventory(
                    asset_id=asset_id,
                    rows=result.rows,
                    actor=None,
                    source_name=path.name,
                    publish=options["publish"],
                )
            except ValidationError as exc:
                messages = _validation_messages(exc)
                issue = InventoryIssue(
                    None,
                    "--asset" if "asset" in messages else None,
                    "; ".join(m for ms in messages.values() for m in ms),
                )
                result.errors.append(issue)
                self._report(result, as_json, stored=0, dry_run=dry_run, asset_id=asset_id)
                raise CommandError(f"{path.name}: {issue}; nothing stored", returncode=1) from exc
        self._report(
            result,
            as_json,
            stored=len(stored),
            dry_run=dry_run,
            asset_id=asset_id,
            lot_codes=[getattr(lot, "code", None) for lot in stored],
        )

    # ------------------------------------------------------------------ helpers

    def _limits(self, options: dict[str, Any], as_json: bool) -> InventoryLimits:
        max_rows: int = options["max_rows"]
        time_limit: float = options["time_limit"]
        if max_rows < 1:
            self._fail(as_json, "--max-rows", "--max-rows must be at least 1")
        if time_limit < 0:
            self._fail(as_json, "--time-limit", "--time-limit cannot be negative")
        return InventoryLimits(
            max_rows=max_rows,
            time_limit_s=time_limit or None,
            mass_references=product_group_mass_references(),
        )

    def _check_asset(self, asset_id: int, as_json: bool) -> None:
        try:
            from django.apps import apps

            asset_model = apps.get_model("assets", "Asset")
        except (ImportError, LookupError):
            return  # the service reports it
        if not asset_model.objects.filter(pk=asset_id).exists():
            self._fail(as_json, "--asset", f"asset {asset_id} does not exist")

    def _fail(self, as_json: bool, column: str, reason: str) -> NoReturn:
        if as_json:
            payload = {
                "valid": False,
                "errors": [{"row": None, "column": column, "reason": reason, "field": None}],
            }
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
        raise CommandError(f"{column}: {reason}", returncode=1)

    def _report(
        self,
        result: InventoryParseResult,
        as_json: bool,
        *,
        stored: int,
        dry_run: bool,
        asset_id: int | None,
        lot_codes: list[Any] | None = None,
    ) -> None:
        if as_json:
            payload = result.to_dict()
            payload.update(
                dry_run=dry_run,
                asset=asset_id,
                stored=stored,
                total_mass_kg=float(result.total_mass_kg) if result.ok else None,
            )
            if lot_codes:
                payload["lots"] = lot_codes
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        for w in result.warnings:
            self.stderr.write(f"warning: {w}")
        if not result.ok:
            for e in result.errors[:MAX_TEXT_ERRORS]:
                self.stdout.write(f"error: {e}")
            if len(result.errors) > MAX_TEXT_ERRORS:
                self.stdout.write(
                    f"... and {len(result.errors) - MAX_TEXT_ERRORS} more errors "
                    "(use --format json for all)"
                )
            return
        mass_t = result.total_mass_kg / 1000
        summary = f"{len(result.rows)} rows valid ({mass_t:,.3f} t)"
        if dry_run:
            self.stdout.write(f"{summary}; dry run: nothing stored")
        else:
            self.stdout.write(f"{summary}; stored {stored} lots on asset {asset_id}")


def _validation_messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {"": [str(m) for m in exc.messages]}
