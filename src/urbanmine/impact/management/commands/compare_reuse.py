"""`urbanmine compare-reuse`: reuse versus new (CO2 kg, first cost, TCO) with factor sources.

A thin wrapper around urbanmine.engine.impact.compare_reuse, reading the derived factor table
from settings.DERIVED_DATA_DIR. Bad input exits with code 2 and names the field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.engine.impact import ALL_STEPS, CsvFactorSource, ImpactError, compare_reuse
from urbanmine.engine.ranking import read_catalogue


class Command(BaseCommand):
    help = "Compare reusing a product group with buying new: CO2 (kg), first cost and TCO (EUR)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--product-group", required=True, help="catalogue code")
        parser.add_argument("--quantity", type=float, required=True, help="units delivered")
        parser.add_argument("--distance-km", type=float, required=True, help="reuse transport km")
        parser.add_argument("--quality", default="B", help="A, B or C (default B)")
        parser.add_argument(
            "--steps",
            default=None,
            help=f"comma-separated processing steps (default all: {','.join(ALL_STEPS)})",
        )
        parser.add_argument("--storage-days", type=float, default=0.0)
        parser.add_argument(
            "--mass-kg-per-unit", type=float, default=None, help="default: catalogue typical mass"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        try:
            result = self._run(options)
        except ImpactError as exc:
            if as_json:
                self.stdout.write(json.dumps({"status": "error", **exc.as_dict()}))
            raise CommandError(f"{exc} (field: {exc.field})", returncode=2) from exc
        if as_json:
            self.stdout.write(json.dumps({"status": "ok", **result.to_dict()}, indent=2))
            return
        f = result.factor
        out = [
            result.summary,
            f"{result.product_group}: {result.quantity:g} units = {result.mass_kg:,.0f} kg "
            f"(quality {result.quality}, {result.distance_km:g} km, steps {', '.join(result.steps) or 'none'})",
            f"CO2 kg      new {result.co2_new_kg:>12,.0f}   reuse {result.co2_reuse_kg:>12,.0f}",
            f"first EUR   new {result.first_cost_new_eur:>12,.0f}   reuse {result.first_cost_reuse_eur:>12,.0f}",
            f"TCO EUR     new {result.tco_new_eur:>12,.0f}   reuse {result.tco_reuse_eur:>12,.0f}",
            f"CO2 avoided (mass x (virgin - reuse)) {result.co2_avoided_kg:,.0f} kg; "
            f"waste avoided {result.waste_avoided_kg:,.0f} kg",
            f"flags: {', '.join(result.flags) or 'none'}",
            f"virgin factor: {f.virgin_co2_kg_per_kg:.4g} kg CO2-eq/kg [{f.status}] {f.citation()}",
            "assumptions:",
        ]
        out += [
            f"  {a.name}: {a.value:.4g} {a.unit} [{a.status}] {a.source}"
            for a in result.assumptions
        ]
        self.stdout.write("\n".join(out))

    def _run(self, options: dict[str, Any]) -> Any:
        data = Path(settings.DERIVED_DATA_DIR)
        source = CsvFactorSource(data / "impact_factors.csv")
        code = options["product_group"]
        mass = options["mass_kg_per_unit"]
        if mass is None:
            entries = {e.code: e for e in read_catalogue(data / "catalogue.csv")}
            if code not in entries:
                raise ImpactError(f"unknown product group {code!r}", field="product_group")
            mass = entries[code].typical_mass_kg_per_unit
        steps = options["steps"]
        return compare_reuse(
            source,
            code,
            options["quantity"],
            options["distance_km"],
            mass_kg_per_unit=mass,
            quality=options["quality"],
            steps=None if steps is None else [s for s in steps.split(",") if s.strip()],
            storage_days=options["storage_days"],
        )
