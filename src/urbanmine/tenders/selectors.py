"""Reads of the tender tool, shaped for its pages, exports, API and the dashboard panel."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from urbanmine.assets.models import Asset, PassportEstimate
from urbanmine.catalogue.factors import factor_source
from urbanmine.catalogue.models import ProductGroup, material_label
from urbanmine.engine import tenders as engine
from urbanmine.engine.impact import ImpactError
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import LifecycleEvent, Lot

from .models import Ambition, AmbitionLevel, Clause, Commitment, Tender, TenderStatus
from .permissions import ambitions_visible_filter, tenders_visible_filter


# ---------------------------------------------------------------- reference tables
@lru_cache(maxsize=1)
def harvestable_shares() -> dict[str, float]:
    return engine.read_harvestable_shares(
        Path(settings.DERIVED_DATA_DIR) / "tender_harvestable_shares.csv"
    )


@lru_cache(maxsize=1)
def hazard_rules() -> tuple[engine.HazardRule, ...]:
    return tuple(
        engine.read_hazard_rules(Path(settings.DERIVED_DATA_DIR) / "tender_hazards_by_period.csv")
    )


# ----------------------------------------------------------------------- passport
@dataclass
class PassportMasses:
    """Mass per product group (inventory) or per material (estimate) of an asset."""

    masses_kg: dict[str, float]
    basis: str  # "inventory" | "estimate" | ""
    labels: dict[str, str]

    @property
    def total_kg(self) -> float:
        return sum(self.masses_kg.values())


def passport_masses(asset: Asset) -> PassportMasses:
    """The asset's passport by product group: its lots identified in it (not closed); with
    no lots, its estimate by material; otherwise nothing."""
    masses: dict[str, float] = defaultdict(float)
    labels: dict[str, str] = {}
    lots = (
        Lot.objects.filter(source_asset=asset)
        .exclude(status=Status.CLOSED)
        .select_related("product_group")
        .only(
            "quantity",
            "mass_kg_per_unit",
            "product_group__code",
            "product_group__name_nl",
            "product_group__name_en",
        )
    )
    for lot in lots:
        code = lot.product_group.code
        masses[code] += float(lot.mass_kg)
        labels[code] = lot.product_group.name
    if masses:
        return PassportMasses(dict(masses), "inventory", labels)
    estimate = PassportEstimate.objects.filter(asset=asset).first()
    if estimate is not None:
        ms = {m: float(kg) for m, kg in estimate.materials_kg.items() if float(kg) > 0}
        return PassportMasses(ms, "estimate", {m: material_label(m) for m in ms})
    return PassportMasses({}, "", {})


@dataclass
class Potential:
    rows: list[engine.GroupPotential]
    realistic_pct: float
    passport: PassportMasses
    construction_year: int | None


def realistic_potential(asset: Asset) -> Potential:
    passport = passport_masses(asset)
    rows, pct = engine.realistic_targets(
        passport.masses_kg, harvestable_shares(), hazard_rules(), asset.construction_year
    )
    return Potential(rows, pct, passport, asset.construction_year)


def co2_gain_kg_per_kg(passport: PassportMasses) -> float:
    """Mass-weighted CO2 avoided per kg reused (virgin − reuse factor) over the passport;
    materials of an estimate take the mean of their product groups' factors."""
    source = factor_source()
    by_material: dict[str, list[float]] = defaultdict(list)
    gains: dict[str, float] = {}
    for code in source.product_groups():
        f = source.factor(code)
        gains[code] = f.gain_kg_per_kg
        by_material[f.material].append(f.gain_kg_per_kg)
    total = weighted = 0.0
    for key, kg in passport.masses_kg.items():
        if key in gains:
            g = gains[key]
        elif by_material.get(key):
            g = sum(by_material[key]) / len(by_material[key])
        else:
            continue
        total += kg
        weighted += kg * g
    if total <= 0:
        # no passport: the mean gain over the factor table
        values = list(gains.values())
        return sum(values) / len(values) if values else 0.0
    return weighted / total


# ---------------------------------------------------------------------- ambitions
def ambitions_for(user) -> QuerySet[Ambition]:
    return (
        Ambition.objects.filter(ambitions_visible_filter(user))
        .select_related("owner", "asset", "parent")
        .prefetch_related("municipalities")
        .order_by("-year", "name", "id")
    )


def area_ambitions_for_asset(asset: Asset, phase: str | None = None) -> QuerySet[Ambition]:
    """Area ambitions that cover the asset's municipality (a project inherits one)."""
    qs = Ambition.objects.filter(level=AmbitionLevel.AREA, municipalities=asset.municipality_id)
    return qs.filter(phase=phase) if phase else qs


def targets_of(ambition: Ambition | None) -> engine.AmbitionTargets:
    if ambition is None:
        return engine.AmbitionTargets()

    def f(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    return engine.AmbitionTargets(
        harvest_pct=f(ambition.harvest_pct),
        secondary_pct=f(ambition.secondary_pct),
        min_r_level=ambition.min_r_level,
        detachability_score=f(ambition.detachability_score),
        co2_reduction_pct=f(ambition.co2_reduction_pct),
        group_harvest_pct={k: float(v) for k, v in (ambition.group_targets or {}).items()},
    )


def group_names(codes) -> dict[str, str]:
    return {g.code: g.name for g in ProductGroup.objects.filter(code__in=list(codes))}


# ------------------------------------------------------------------------ clauses
def latest_clauses() -> list[Clause]:
    """The newest version of every clause, by code, with its product groups and author."""
    rows = list(
        Clause.objects.select_related("author")
        .prefetch_related("product_groups")
        .order_by("code", "-version")
    )
    seen: set[str] = set()
    out = []
    for c in rows:
        if c.code not in seen:
            seen.add(c.code)
            out.append(c)
    return out


# ------------------------------------------------------------------------ tenders
def tenders_for(user) -> QuerySet[Tender]:
    return (
        Tender.objects.filter(tenders_visible_filter(user))
        .select_related("asset", "owner", "ambition")
        .order_by("-created_at", "-id")
    )


def tender_for_page(pk: int) -> Tender | None:
    return (
        Tender.objects.select_related("asset__municipality", "owner", "ambition", "awarded_bid")
        .prefetch_related(
            Prefetch(
                "tender_clauses__clause",
                queryset=Clause.objects.select_related("author").prefetch_related("product_groups"),
            ),
            "bids",
        )
        .filter(pk=pk)
        .first()
    )


def bid_tonnes(tender: Tender, bid) -> float:
    pct = bid.harvest_pct if tender.phase == "demolition" else bid.secondary_pct
    return float(tender.mass_basis_t) * float(pct or 0) / 100.0


def criteria_of(tender: Tender) -> engine.Criteria:
    return engine.Criteria(
        discount_eur_per_t=float(tender.discount_eur_per_t or 0),
        eur_per_quality_point=float(tender.eur_per_quality_point or 0),
    )


@dataclass
class Ranking:
    rows: list[dict]
    break_even_eur_per_t: float | None
    cheapest: str
    most_circular: str
    sensitivity: list[tuple[float, str]]
    co2_gain_kg_per_kg: float


def tender_ranking(tender: Tender) -> Ranking | None:
    """Bids ranked under the tender's criteria, with the fictitious discounts, tonnes kept
    in use and CO2 avoided per bid, the break-even discount per tonne (cheapest versus most
    circular bid) and the winner over a range of discounts."""
    bids = list(tender.bids.all())
    if not bids:
        return None
    engine_bids = [
        engine.Bid(
            key=str(b.pk),
            price_eur=float(b.price_eur),
            tonnes=bid_tonnes(tender, b),
            r_level=b.r_level,
            quality_points=float(b.reuse_plan_score or 0),
        )
        for b in bids
    ]
    by_key = {str(b.pk): b for b in bids}
    criteria = criteria_of(tender)
    try:
        gain = co2_gain_kg_per_kg(passport_masses(tender.asset))
    except ImpactError:
        gain = 0.0
    results = engine.rank_bids(engine_bids, criteria)
    rows = [
        {
            "bid": by_key[r.bid.key],
            "rank": r.rank,
            "tonnes": r.bid.tonnes,
            "discount_eur": r.discount_eur,
            "quality_bonus_eur": r.quality_bonus_eur,
            "fictitious_eur": r.discount_eur + r.quality_bonus_eur,
            "assessed_eur": r.assessed_eur,
            "co2_avoided_t": r.bid.tonnes * gain,
        }
        for r in results
    ]
    cheapest = min(engine_bids, key=lambda b: (b.price_eur, b.key))
    circular = max(engine_bids, key=lambda b: (b.tonnes, -b.price_eur))
    be = engine.break_even_discount(cheapest, circular, criteria)
    top = max(be or 0.0, float(tender.discount_eur_per_t or 0), 10.0)
    steps = [round(top * 2 * i / 8, 2) for i in range(9)]
    sens = [(d, by_key[k].bidder) for d, k in engine.sensitivity(engine_bids, criteria, steps)]
    return Ranking(rows, be, by_key[cheapest.key].bidder, by_key[circular.key].bidder, sens, gain)


# ---------------------------------------------------------------------- realisation
def lot_histories(asset_ids: list[int]) -> dict[int, list[engine.LotHistory]]:
    """Per asset, its lots with the dates of their first harvest and of their first sale
    or application after it, from their lifecycle events (two queries for any number of
    assets; corrected events do not count)."""
    lots = list(
        Lot.objects.filter(source_asset_id__in=asset_ids)
        .exclude(status=Status.CLOSED)
        .only("id", "source_asset_id", "quantity", "mass_kg_per_unit", "r_strategy")
    )
    harvested: dict[int, date] = {}
    resold: dict[int, date] = {}
    level: dict[int, str] = {}
    events = (
        LifecycleEvent.objects.filter(
            lot_id__in=[lot.pk for lot in lots],
            step__in=[Step.DISMANTLING, Step.SALE, Step.EXECUTION],
            corrected_by__isnull=True,
        )
        .order_by("occurred_at", "id")
        .values_list("lot_id", "step", "occurred_at", "r_strategy")
    )
    for lot_id, step, when, r in events:
        if step == Step.DISMANTLING:
            harvested.setdefault(lot_id, when.date())
        elif lot_id in harvested:
            resold.setdefault(lot_id, when.date())
            if r:
                level.setdefault(lot_id, r)
    out: dict[int, list[engine.LotHistory]] = {a: [] for a in asset_ids}
    for lot in lots:
        out[lot.source_asset_id].append(
            engine.LotHistory(
                product_group="",
                mass_kg=float(lot.mass_kg),
                harvested_on=harvested.get(lot.pk),
                resold_on=resold.get(lot.pk),
                r_level=level.get(lot.pk) or lot.r_strategy,
            )
        )
    return out


def tender_realisation(tender: Tender) -> engine.Realisation:
    return engine.realisation(lot_histories([tender.asset_id])[tender.asset_id])


def asset_commitments(asset: Asset, viewer) -> list[dict]:
    """The commitments of the asset's awarded tenders the viewer may see, with realisation."""
    tenders = list(
        tenders_for(viewer)
        .filter(asset=asset, status=TenderStatus.AWARDED, commitment__isnull=False)
        .select_related("commitment__bid")
    )
    if not tenders:
        return []
    realised = engine.realisation(lot_histories([asset.pk])[asset.pk])
    return [{"tender": t, "commitment": t.commitment, "realisation": realised} for t in tenders]


# ---------------------------------------------------------------- dashboard panel
def dashboard_rows() -> list[dict]:
    """Per area ambition (demolition, newest 20): the target harvest %, and the harvest %
    committed in and realised by the awarded tenders in its municipalities (by mass).
    One query without ambitions, five with."""
    areas = list(
        Ambition.objects.filter(level=AmbitionLevel.AREA, phase="demolition")
        .prefetch_related("municipalities")
        .order_by("-year", "name", "id")[:20]
    )
    if not areas:
        return []
    commitments = list(
        Commitment.objects.filter(tender__phase="demolition").select_related("tender__asset")
    )
    histories = lot_histories(sorted({c.tender.asset_id for c in commitments}))
    by_muni: dict[int, list[tuple[Commitment, engine.Realisation]]] = defaultdict(list)
    for c in commitments:
        r = engine.realisation(histories[c.tender.asset_id])
        by_muni[c.tender.asset.municipality_id].append((c, r))
    rows = []
    for a in areas:
        pairs = [p for m in a.municipalities.all() for p in by_muni.get(m.pk, [])]
        mass = sum(r.mass_kg for _c, r in pairs)
        harvested = sum(r.harvested_kg for _c, r in pairs)
        committed = sum(r.mass_kg * float(c.harvest_pct or 0) / 100 for c, r in pairs)
        rows.append(
            {
                "ambition": a,
                "target_pct": a.harvest_pct,
                "committed_pct": 100 * committed / mass if mass else None,
                "realised_pct": 100 * harvested / mass if mass else None,
                "projects": len(pairs),
                "is_demo": a.is_demo,
            }
        )
    return rows
