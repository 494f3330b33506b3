"""`urbanmine top10 --scope gww|bu`: ranked secondary product groups with scores.

A thin wrapper around urbanmine.engine.ranking.rank_groups (impact x ease of processing) on
the reference catalogue table, so it needs no database; the platform's Top 10 page and API
rank the catalogue as the data steward keeps it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.engine.impact import CsvFactorSource, ImpactError
from urbanmine.engine.ranking import RankingWeights, rank_groups, read_catalogue


class Command(BaseCommand):
    help = "Top 10 secondary product groups per scope: environmental gain x ease of processing."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scope", required=True, help="gww or bu")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--weight-impact", type=float, default=None)
        parser.add_argument("--weight-ease", type=float, default=None)
        parser.add_argument("--top", type=int, default=10)

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        try:
            weights = RankingWeights()
            overrides = {
                k: v
                for k, v in (("impact", options["weight_impact"]), ("ease", options["weight_ease"]))
                if v is not None
            }
            weights = RankingWeights(**{**weights.__dict__, **overrides})
            data = Path(settings.DERIVED_DATA_DIR)
            ranked = rank_groups(
                read_catalogue(data / "catalogue.csv"),
                CsvFactorSource(data / "impact_factors.csv"),
                options["scope"],
                weights,
                top=options["top"],
            )
        except ImpactError as exc:
            if as_json:
                self.stdout.write(json.dumps({"status": "error", **exc.as_dict()}))
            raise CommandError(f"{exc} (field: {exc.field})", returncode=2) from exc
        if as_json:
            payload = {
                "status": "ok",
                "scope": options["scope"],
                "weights": weights.__dict__,
                "groups": [r.to_dict() for r in ranked],
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        lines = [
            f"Top {len(ranked)} secondary product groups ({options['scope']}); weights impact "
            f"{weights.impact:g}, ease {weights.ease:g}"
        ]
        for r in ranked:
            lines.append(
                f"{r.rank:>2}. {r.code:<26} score {r.score:.2f} (impact {r.impact_score:.2f}, "
                f"ease {r.ease_score:.2f}) - {r.explanation}"
            )
        self.stdout.write("\n".join(lines))
