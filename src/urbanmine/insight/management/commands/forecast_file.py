"""`urbanmine forecast-file`: the stock-driven release forecast on files (no database).

A thin wrapper around urbanmine.engine.forecast; see the Forecast contract in
ARCHITECTURE.md. Bad input exits with code 2 naming file, data row/line and field, and
writes nothing (RELEASE.csv is written to a temp file and renamed only after success).
"""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.engine.forecast import (
    ForecastError,
    check_coverage,
    forecast_release,
    read_intensities,
    read_lifetimes,
    read_stock,
    write_release_csv,
)

MAX_HORIZON_YEARS = 1000


def _default(name: str) -> Path:
    return Path(settings.DERIVED_DATA_DIR) / name


class Command(BaseCommand):
    help = (
        "Forecast the mass released by demolition per year x municipality x material "
        "(Weibull survival x material intensity) and write RELEASE.csv."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--stock",
            required=True,
            help="STOCK.csv: id, municipality_code, "
            "use_type, construction_year, floor_area_m2 [, planned_demolition_year]",
        )
        parser.add_argument(
            "--intensities",
            default=None,
            help="MI.csv (default: the derived Dutch table material_intensity_nl.csv)",
        )
        parser.add_argument(
            "--lifetimes",
            default=None,
            help="LIFETIMES.csv (default: the derived table lifetimes.csv)",
        )
        parser.add_argument("--start", type=int, required=True, help="first forecast year")
        parser.add_argument("--end", type=int, required=True, help="last forecast year")
        parser.add_argument("--out", required=True, help="RELEASE.csv to write")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        try:
            summary = self._run(options)
        except ForecastError as exc:
            if as_json:
                self.stdout.write(json.dumps({"status": "error", **exc.as_dict()}))
            raise CommandError(str(exc), returncode=2) from exc
        if as_json:
            self.stdout.write(json.dumps(summary, indent=2))
        else:
            self.stdout.write(
                f"wrote {summary['rows']} rows to {summary['out']}: "
                f"{summary['released_kg_total'] / 1e6:,.1f} kt released {summary['start']}-"
                f"{summary['end']} from {summary['buildings']} buildings "
                f"({summary['stock_mass_kg'] / 1e6:,.1f} kt standing)"
            )

    def _run(self, options: dict[str, Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        start, end = options["start"], options["end"]
        if start > end:
            raise ForecastError(f"--start {start} is after --end {end}", field="--start")
        if end - start > MAX_HORIZON_YEARS:
            raise ForecastError(f"horizon longer than {MAX_HORIZON_YEARS} years", field="--end")
        out = Path(options["out"])
        if not out.parent.is_dir():
            raise ForecastError(f"output directory {out.parent} does not exist", field="--out")
        stock_path = Path(options["stock"])
        mi_path = (
            Path(options["intensities"])
            if options["intensities"]
            else _default("material_intensity_nl.csv")
        )
        lt_path = Path(options["lifetimes"]) if options["lifetimes"] else _default("lifetimes.csv")
        lifetimes = read_lifetimes(lt_path, name=lt_path.name)
        intensities = read_intensities(mi_path, name=mi_path.name)
        stock = read_stock(
            stock_path,
            known_use_types=lifetimes.use_types,
            current_year=datetime.date.today().year,
            name=stock_path.name,
        )
        check_coverage(
            stock,
            intensities,
            stock_path=stock_path,
            stock_name=stock_path.name,
            intensities_name=mi_path.name,
        )
        if stock.planned_demolition_year is not None:
            early = (stock.planned_demolition_year != 0) & (stock.planned_demolition_year < start)
            if early.any():
                b = int(early.nonzero()[0][0])
                raise ForecastError(
                    f"planned demolition {int(stock.planned_demolition_year[b])} is before --start "
                    f"{start}: the building is not standing at the start",
                    file=stock_path.name,
                    row=b + 1,
                    field="planned_demolition_year",
                )
        result = forecast_release(stock, intensities, lifetimes, start, end)
        rows = write_release_csv(out, result)
        by_year = result.demolition_kg.sum(axis=(1, 2))
        by_mat = result.demolition_kg.sum(axis=(0, 1))
        return {
            "status": "ok",
            "out": str(out),
            "rows": rows,
            "buildings": len(stock),
            "municipalities": len(stock.municipality_codes),
            "materials": sorted(result.materials),
            "start": start,
            "end": end,
            "intensities": str(mi_path),
            "lifetimes": str(lt_path),
            "released_kg_total": float(by_year.sum()),
            "stock_mass_kg": float(result.stock_mass_kg.sum()),
            "released_kg_by_year": {
                int(y): float(v) for y, v in zip(result.years, by_year, strict=True)
            },
            "released_kg_by_material": {
                m: float(v) for m, v in sorted(zip(result.materials, by_mat, strict=True))
            },
            "seconds": round(time.perf_counter() - t0, 3),
        }
