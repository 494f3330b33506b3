"""Top 10 secondary product groups per scope: environmental gain x ease of processing.

Why two views of "gain": per tonne reused (steel, aluminium, PV score high) and total
potential (per-tonne gain x the material's mass in the Dutch building stock, where concrete
and brick weigh in). The report's finding (largest CO2 gains: steel, concrete, brick) is
about totals; ranking on per-tonne gain alone would hide concrete. Both are shown, and
both weights are adjustable. Pure Python: never imports Django.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from urbanmine.engine.impact import FactorSource, ImpactError

SCOPES = ("gww", "bu")


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    name_en: str
    name_nl: str
    scope: str  # gww | bu | both
    material: str
    unit: str
    typical_mass_kg_per_unit: float
    volume_scarcity: str
    processing_effort: str
    standardisation: int
    detachability: int
    testing_burden: int
    market_readiness: int

    def in_scope(self, scope: str) -> bool:
        return self.scope == scope or self.scope == "both"


def read_catalogue(path: str | Path) -> list[CatalogueEntry]:
    """The product catalogue CSV (src/urbanmine/data/catalogue.csv)."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise ImpactError(f"cannot read {path}: {exc.strerror}", field="catalogue") from None
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            out.append(
                CatalogueEntry(
                    code=row["code"],
                    name_en=row["name_en"],
                    name_nl=row["name_nl"],
                    scope=row["scope"],
                    material=row["material"],
                    unit=row["unit"],
                    typical_mass_kg_per_unit=float(row["typical_mass_kg_per_unit"]),
                    volume_scarcity=row["volume_scarcity"],
                    processing_effort=row["processing_effort"],
                    standardisation=int(row["standardisation"]),
                    detachability=int(row["detachability"]),
                    testing_burden=int(row["testing_burden"]),
                    market_readiness=int(row["market_readiness"]),
                )
            )
        except (KeyError, ValueError) as exc:
            raise ImpactError(
                f"{path.name} line {line}: bad catalogue row ({exc})", field="catalogue", row=line
            ) from None
    return out


@dataclass(frozen=True)
class RankingWeights:
    """Visible, adjustable weights. Top-level: impact vs ease; then within each."""

    impact: float = 0.5
    ease: float = 0.5
    # within impact (log-scaled, min-max normalised within the scope)
    gain_per_tonne: float = 0.5
    total_potential: float = 0.5
    price_value: float = 0.0  # optional: new price avoided per tonne (EUR/t)
    # within ease (catalogue 1-5 scores; testing burden counts inversely)
    standardisation: float = 0.25
    detachability: float = 0.25
    testing: float = 0.25
    market_readiness: float = 0.25

    def validate(self) -> None:
        for name, value in asdict(self).items():
            if not math.isfinite(value) or value < 0:
                raise ImpactError(f"weight {name} must be >= 0, got {value}", field=name)
        if self.impact + self.ease <= 0:
            raise ImpactError("weights impact and ease are both zero", field="impact")
        if self.gain_per_tonne + self.total_potential + self.price_value <= 0:
            raise ImpactError("all impact sub-weights are zero", field="gain_per_tonne")
        if self.standardisation + self.detachability + self.testing + self.market_readiness <= 0:
            raise ImpactError("all ease sub-weights are zero", field="standardisation")


@dataclass(frozen=True)
class RankedGroup:
    rank: int
    code: str
    name_en: str
    name_nl: str
    scope: str
    material: str
    gain_kg_per_t: float  # (virgin - reuse) CO2 per tonne reused
    potential_kg_per_m2: float  # gain per kg x material stream (kg per m2 floor area)
    price_eur_per_t: float
    impact_score: float  # 0-1
    ease_score: float  # 0-1
    score: float  # 0-1
    explanation: str  # English sentence; the parts below let an interface say it in its language
    flagged: bool  # reuse processing emits more than virgin
    source: str
    status: str
    impact_level: str = "medium"  # high | medium | low
    ease_level: str = "moderate"  # easy | moderate | hard
    ease_notes: tuple[str, ...] = ()  # keys of EASE_NOTES, strengths first
    source_label: str = ""  # "source version" of the factor row, short

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _log_norm(values: list[float]) -> list[float]:
    """log10 then min-max over positive values; non-positive -> 0 (no gain)."""
    logs = [math.log10(v) if v > 0 else None for v in values]
    pos = [v for v in logs if v is not None]
    if not pos:
        return [0.0] * len(values)
    lo, hi = min(pos), max(pos)
    span = hi - lo
    return [0.0 if v is None else (1.0 if span == 0 else (v - lo) / span) for v in logs]


def ease_score(entry: CatalogueEntry, weights: RankingWeights) -> float:
    """Weighted mean of the 1-5 scores mapped to 0-1 (testing burden inverted)."""
    parts = [
        (weights.standardisation, entry.standardisation),
        (weights.detachability, entry.detachability),
        (weights.testing, 6 - entry.testing_burden),
        (weights.market_readiness, entry.market_readiness),
    ]
    total = sum(w for w, _ in parts)
    return sum(w * (s - 1) / 4 for w, s in parts) / total


def _label(x: float, high: str, mid: str, low: str) -> str:
    return high if x >= 2 / 3 else mid if x >= 1 / 3 else low


# ease notes: key -> English words (interfaces translate the keys)
EASE_NOTES = {
    "standardised": "standardised",
    "detachable": "detachable",
    "little_testing": "little testing",
    "established_market": "established market",
    "not_standardised": "not standardised",
    "hard_to_detach": "hard to detach",
    "needs_testing": "needs testing/certification",
    "small_market": "small market",
}


def ease_notes(e: CatalogueEntry) -> tuple[str, ...]:
    """The catalogue scores worth naming: strengths (>= 4) first, then weaknesses (<= 2)."""
    return tuple(
        key
        for ok, key in (
            (e.standardisation >= 4, "standardised"),
            (e.detachability >= 4, "detachable"),
            (e.testing_burden <= 2, "little_testing"),
            (e.market_readiness >= 4, "established_market"),
            (e.standardisation <= 2, "not_standardised"),
            (e.detachability <= 2, "hard_to_detach"),
            (e.testing_burden >= 4, "needs_testing"),
            (e.market_readiness <= 2, "small_market"),
        )
        if ok
    )


def _ease_words(e: CatalogueEntry) -> str:
    return ", ".join(EASE_NOTES[k] for k in ease_notes(e)) or "average on all criteria"


def rank_groups(
    catalogue: Iterable[CatalogueEntry],
    source: FactorSource,
    scope: str,
    weights: RankingWeights | None = None,
    top: int | None = 10,
) -> list[RankedGroup]:
    """Rank the product groups of `scope` (groups with scope `both` count in both)."""
    if scope not in SCOPES:
        raise ImpactError(f"scope must be one of {', '.join(SCOPES)}, got {scope!r}", field="scope")
    w = weights or RankingWeights()
    w.validate()
    if top is not None and top < 1:
        raise ImpactError("top must be >= 1", field="top")
    entries = [e for e in catalogue if e.in_scope(scope)]
    factors = [source.factor(e.code) for e in entries]
    gain_t = [f.gain_kg_per_kg * 1000.0 for f in factors]
    potential = [f.gain_kg_per_kg * f.stream_kg_per_m2 for f in factors]
    price_t = [f.virgin_price_eur_per_kg * 1000.0 for f in factors]
    n_gain, n_pot, n_price = _log_norm(gain_t), _log_norm(potential), _log_norm(price_t)
    wsum = w.gain_per_tonne + w.total_potential + w.price_value
    impact = [
        (w.gain_per_tonne * g + w.total_potential * p + w.price_value * v) / wsum
        for g, p, v in zip(n_gain, n_pot, n_price, strict=True)
    ]
    ease = [ease_score(e, w) for e in entries]
    top_w = w.impact + w.ease
    scores = [(w.impact * i + w.ease * s) / top_w for i, s in zip(impact, ease, strict=True)]
    order = sorted(range(len(entries)), key=lambda k: (-scores[k], -impact[k], entries[k].code))
    out = []
    for rank, k in enumerate(order, start=1):
        e, f = entries[k], factors[k]
        flagged = f.reuse_exceeds_virgin
        src = f"{f.source} {f.version}".strip() or "no source"
        est = ", estimate" if f.status != "cited" else ""
        if flagged:
            gain_txt = (
                f"No CO2 gain: reuse processing exceeds virgin ({gain_t[k]:,.0f} kg/t: "
                f"{e.material.replace('_', ' ')}, {src}{est})"
            )
        else:
            gain_txt = (
                f"{_label(impact[k], 'High', 'Medium', 'Low')} CO2 gain ({gain_t[k]:,.0f} kg/t: "
                f"{e.material.replace('_', ' ')}, {src}{est}; potential {potential[k]:,.1f} kg/m2 of stock)"
            )
        expl = (
            f"{gain_txt} and {_label(ease[k], 'easy', 'moderate', 'hard')} to process "
            f"({_ease_words(e)})"
        )
        out.append(
            RankedGroup(
                rank=rank,
                code=e.code,
                name_en=e.name_en,
                name_nl=e.name_nl,
                scope=e.scope,
                material=e.material,
                gain_kg_per_t=round(gain_t[k], 3),
                potential_kg_per_m2=round(potential[k], 4),
                price_eur_per_t=round(price_t[k], 2),
                impact_score=round(impact[k], 4),
                ease_score=round(ease[k], 4),
                score=round(scores[k], 4),
                explanation=expl,
                flagged=flagged,
                source=f.citation(),
                status=f.status,
                impact_level=_label(impact[k], "high", "medium", "low"),
                ease_level=_label(ease[k], "easy", "moderate", "hard"),
                ease_notes=ease_notes(e),
                source_label=src,
            )
        )
    return out if top is None else out[:top]
