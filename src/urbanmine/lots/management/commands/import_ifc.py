"""`urbanmine import-ifc FILE [--asset ASSET_ID] [--dry-run] [--format json]
[--mapping CSV]`: a draft material passport from an IFC model.

Contract (ARCHITECTURE.md): JSON output `{"elements": [{"ifc_type", "count",
"product_group"}, ...]}` (plus optional fields), counting IfcElement instances except
IfcFeatureElement subtypes per entity type as the file names them; exit 1 with a clear
message on a file that is not IFC. Reading is the pure engine (urbanmine.engine.ifc);
storing is urbanmine.lots.services.lots_import_ifc_draft (one transaction).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.engine.ifc import IfcImportError, read_ifc

from .import_inventory import _known_product_groups


class Command(BaseCommand):
    help = (
        "Count the building elements of an IFC model per entity type (with materials, "
        "take-off quantities and a suggested product group) as a draft material passport."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the IFC model (.ifc, STEP physical file)")
        parser.add_argument("--asset", type=int, default=None, help="asset id to store lots on")
        parser.add_argument("--dry-run", action="store_true", help="read only; store nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--mapping",
            default=None,
            help="IFC type/material -> product group table (default: data/ifc_mapping.csv)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        path = Path(options["file"])
        asset_id: int | None = options["asset"]
        dry_run: bool = options["dry_run"]
        if asset_id is None:
            dry_run = True  # without --asset the command only reports the draft
        if not path.is_file():
            self._fail(as_json, f"{path}: no such file")
        if asset_id is not None:
            try:
                from django.apps import apps

                asset_model = apps.get_model("assets", "Asset")
                if not asset_model.objects.filter(pk=asset_id).exists():
                    self._fail(as_json, f"--asset: asset {asset_id} does not exist")
            except (ImportError, LookupError):
                pass
        codes = _known_product_groups()
        try:
            draft = read_ifc(path, mapping=options["mapping"], known_product_groups=codes or None)
        except IfcImportError as exc:
            self._fail(as_json, str(exc))

        stored: list[Any] = []
        if not dry_run:
            assert asset_id is not None
            from urbanmine.lots.services import lots_import_ifc_draft

            try:
                stored = (
                    lots_import_ifc_draft(
                        asset_id=asset_id, draft=draft, actor=None, source_name=path.name
                    )
                    or []
                )
            except ValidationError as exc:
                self._fail(as_json, "; ".join(exc.messages))

        if as_json:
            payload = draft.to_dict()
            payload.update(
                dry_run=dry_run,
                asset=asset_id,
                stored=len(stored),
                lots=[getattr(lot, "code", None) for lot in stored],
            )
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
            return
        for w in draft.warnings:
            self.stderr.write(f"warning: {w}")
        width = max((len(e.ifc_type) for e in draft.elements), default=8)
        self.stdout.write(f"{draft.source_name} ({draft.schema}): {draft.total_count} elements")
        for e in draft.elements:
            self.stdout.write(
                f"  {e.ifc_type:<{width}} {e.count:>6}  {e.product_group or '-':<24} "
                f"{', '.join(e.materials[:3])}"
            )
        if dry_run:
            self.stdout.write("dry run: nothing stored")
        else:
            self.stdout.write(f"stored {len(stored)} lots on asset {asset_id}")

    def _fail(self, as_json: bool, message: str) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        raise CommandError(message, returncode=1)
