"""The municipality groups of Zuid-Holland for the regional comparison: the six COROP areas
(CBS), read from the derived table `data/municipality_groups_zh.csv`
(scripts/derive_municipality_groups.py; Bron: CBS, CC BY 4.0)."""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class MunicipalityGroup:
    code: str
    name: str
    municipality_codes: tuple[str, ...]


@functools.cache
def municipality_groups() -> tuple[MunicipalityGroup, ...]:
    path = Path(settings.DERIVED_DATA_DIR) / "municipality_groups_zh.csv"
    members: dict[tuple[str, str], list[str]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            members.setdefault((row["group_code"], row["group_name"]), []).append(
                row["municipality_code"]
            )
    return tuple(
        MunicipalityGroup(code, name, tuple(sorted(codes)))
        for (code, name), codes in sorted(members.items())
    )
