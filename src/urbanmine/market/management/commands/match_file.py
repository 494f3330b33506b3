"""`urbanmine match-file INSTANCE.json --out RESULT.json`: the matching engine on a file.

A thin wrapper: no database, all logic in `urbanmine.engine.matching`. A malformed instance
exits with code 2 and a message naming the item and field; nothing is solved.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from urbanmine.engine.matching import SOLVERS, InstanceError, check, load_instance, solve

WRITE_RESERVE = 0.03  # share of --time-limit kept for checking and writing (at most 5 s)
MIN_SOLVE_SECONDS = 0.01  # the solver always gets this long (it returns a feasible result)


class Command(BaseCommand):
    help = "Match supply to demand for a JSON instance (version 1) and write the result JSON."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("instance", help="instance JSON file")
        parser.add_argument("--out", help="result JSON file (default: print to stdout)")
        parser.add_argument("--solver", choices=SOLVERS, default="optimal")
        parser.add_argument("--time-limit", type=float, default=None, help="seconds (optimal)")
        parser.add_argument(
            "--rel-gap",
            type=float,
            default=None,
            help="optimal: stop once the proven relative gap is at most this (e.g. 0.001); "
            "status `optimal` still means a gap <= 1e-6",
        )
        parser.add_argument(
            "--max-memory-gb",
            type=float,
            default=None,
            help="optimal: memory budget in GiB (default 4); above it the engine streams the "
            "candidate routes instead of storing them, and never refuses an instance",
        )
        parser.add_argument("--format", choices=("text", "json"), default="text")

    def handle(self, *args, **opts):
        started = time.perf_counter()  # the time limit covers loading and writing too
        path = Path(opts["instance"])
        if not path.is_file():
            raise CommandError(f"instance file not found: {path}", returncode=2)
        if opts["time_limit"] is not None and opts["time_limit"] <= 0:
            raise CommandError("--time-limit must be > 0 seconds", returncode=2)
        if opts["rel_gap"] is not None and not 0 <= opts["rel_gap"] < 1:
            raise CommandError("--rel-gap must be in [0, 1)", returncode=2)
        if opts["max_memory_gb"] is not None and opts["max_memory_gb"] <= 0:
            raise CommandError("--max-memory-gb must be > 0", returncode=2)
        try:
            inst = load_instance(path)
        except InstanceError as exc:
            raise CommandError(f"invalid instance {path}: {exc}", returncode=2) from exc
        limit = opts["time_limit"]
        if limit is not None:
            # what loading took, and a reserve for checking and writing the result
            spent = time.perf_counter() - started
            limit = max(MIN_SOLVE_SECONDS, limit - spent - min(5.0, WRITE_RESERVE * limit))
        result = solve(
            inst,
            solver=opts["solver"],
            time_limit=limit,
            rel_gap=opts["rel_gap"],
            max_memory_gb=opts["max_memory_gb"],
        )
        report = check(inst, result)
        payload = json.dumps(result.to_dict(), indent=1)
        if opts["out"]:
            Path(opts["out"]).write_text(payload + "\n", encoding="utf-8")
        elif opts["format"] != "json":
            self.stdout.write(payload)
        summary = {
            "status": result.status,
            "solver": opts["solver"],
            "objective_eur": result.objective_eur,
            "bound_eur": result.bound_eur,
            "gap": result.gap,
            "assignments": len(result.assignments),
            "totals": result.totals.to_dict(),
            "solve_seconds": result.extra.get("solve_seconds"),
            "check_violations": len(report.violations),
            "out": opts["out"],
        }
        if opts["format"] == "json":
            self.stdout.write(json.dumps(summary))
        elif opts["out"]:
            gap = "n/a" if result.gap is None else f"{100 * result.gap:.4f}%"
            self.stdout.write(
                f"{result.status}: {result.objective_eur:,.2f} EUR (gap {gap}), "
                f"{len(result.assignments)} assignments, {result.totals.mass_kg / 1000:,.1f} t, "
                f"{result.totals.co2_avoided_kg / 1000:,.1f} t CO2 avoided -> {opts['out']}"
            )
        if report.violations:
            raise CommandError(
                "result failed the checker: " + "; ".join(map(str, report.violations[:5]))
            )
