"""`urbanmine import-ifc FILE [--asset ASSET_ID] [--dry-run] [--format json]
[--mapping CSV] [--no-geometry] [--use-type TYPE] [--floor-area M2]`: a draft material
passport from an IFC model.

Contract (ARCHITECTURE.md): JSON output `{"elements": [{"ifc_type", "count",
"product_group"}, ...]}` (plus optional fields: `proposed_lots` with quantity, unit,
mass_kg, quantity_source and flags per proposed lot; `lots`: the codes of the stored lots; `mass_kg`, `mass_by_material_kg`, `units`,
`geometry`, `floor_area_m2`, `plausibility`), counting IfcElement instances except
IfcFeatureElement subtypes per entity type as the file names them; exit 1 with a clear
message on a file that is not IFC (or is truncated, older than IFC2X3, or has no units).
Reading is the pure engine (urbanmine.engine.ifc); storing is
urbanmine.lots.services.lots_import_ifc_draft (one transaction: all lots or none).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.engine.ifc import IfcImportError, read_ifc


class Command(BaseCommand):
    help = (
        "A draft material passport from an IFC model: the building elements counted per "
        "entity type, and proposed lots per IFC type, product group and material with "
        "their quantity in the product group's unit, their mass and its source (weight, "
        "volume, geometry or typical). With --asset the lots are stored (all or none)."
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
        parser.add_argument(
            "--no-geometry",
            action="store_true",
            help="skip the geometry kernel (quantity sets and typical masses only; for very "
            "large models; default: setting URBANMINE_IFC_GEOMETRY)",
        )
        parser.add_argument(
            "--use-type",
            default=None,
            help="use type for the plausibility check (default: the asset's)",
        )
        parser.add_argument(
            "--floor-area",
            type=float,
            default=None,
            help="floor area in m2 for the plausibility check (default: the asset's, else "
            "the model's spaces)",
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
        asset = None
        if asset_id is not None:
            from urbanmine.assets.models import Asset

            asset = Asset.objects.filter(pk=asset_id).first()
            if asset is None:
                self._fail(as_json, f"--asset: asset {asset_id} does not exist")
        draft = self._read(path, asset, options, as_json)
        if not as_json:  # the draft and its plausibility are shown before anything is stored
            self._write_text(draft)

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
        if dry_run:
            self.stdout.write("dry run: nothing stored")
        else:
            self.stdout.write(f"stored {len(stored)} lots on asset {asset_id}")

    def _read(self, path: Path, asset: Any, options: dict[str, Any], as_json: bool) -> Any:
        from urbanmine.lots.imports import ifc_assess, ifc_read_options

        read_options = ifc_read_options()
        if options["no_geometry"]:
            read_options["geometry"] = False
        try:
            draft = read_ifc(path, mapping=options["mapping"], **read_options)
        except IfcImportError as exc:
            self._fail(as_json, str(exc))
        ifc_assess(draft, asset, options["use_type"], options["floor_area"])
        return draft

    def _write_text(self, draft: Any) -> None:
        for w in draft.warnings:
            self.stderr.write(f"warning: {w}")
        width = max((len(e.ifc_type) for e in draft.elements), default=8)
        self.stdout.write(f"{draft.source_name} ({draft.schema}): {draft.total_count} elements")
        for e in draft.elements:
            self.stdout.write(
                f"  {e.ifc_type:<{width}} {e.count:>6}  {e.product_group or '-':<24} "
                f"{', '.join(e.materials[:3])}"
            )
        self.stdout.write(
            f"proposed lots (geometry: {draft.geometry}; mapped mass "
            f"{draft.mapped_mass_kg / 1000:,.1f} t):"
        )
        for lot in draft.lots:
            digits = 0 if lot.unit == "piece" else 3
            quantity = "-" if lot.quantity is None else f"{lot.quantity:,.{digits}f} {lot.unit}"
            self.stdout.write(
                f"  {lot.ifc_type:<{width}} {lot.product_group or '(unmapped)':<24} "
                f"{lot.material[:30]:<30} {quantity:>18} {lot.mass_kg / 1000:>10,.3f} t  "
                f"{lot.quantity_source or '-':<8} {' '.join(lot.flags)}"
            )
        verdict = draft.plausibility
        if verdict.get("status") not in (None, "unknown"):
            self.stdout.write(
                f"plausibility: {verdict['kg_per_m2']:,.0f} kg/m2 of floor area "
                f"({verdict['status']}; plausible {verdict['range_kg_per_m2'][0]:,.0f}-"
                f"{verdict['range_kg_per_m2'][1]:,.0f} for {verdict['use_type']})"
            )

    def _fail(self, as_json: bool, message: str) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message}, ensure_ascii=False))
        raise CommandError(message, returncode=1)
