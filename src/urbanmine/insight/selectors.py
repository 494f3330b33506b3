"""Reads for the forecast and the dashboard: the registered stock as plain arrays, stored
forecast results as NumPy arrays, realised impact, hub occupancy. Every function issues a
fixed, small number of queries (no per-row queries)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import numpy as np
from django.conf import settings
from django.db.models import Count, F, FloatField, Min, Q, Sum
from django.utils import timezone

from urbanmine.assets.models import Asset, InterventionKind, PlannedIntervention
from urbanmine.core.cache import public_cached, stable_cached
from urbanmine.core.models import JobStatus
from urbanmine.engine.forecast import USE_TYPES, StockArrays
from urbanmine.hubs.models import Hub
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import LifecycleEvent, Location, Lot
from urbanmine.lots.selectors import MASS, hub_occupancy, plausible_lots, total_kg
from urbanmine.regions.models import ZUID_HOLLAND, Municipality

from .models import ForecastResult, Scenario

#: A lot's mass (kg), computed so that no sum overflows (see `lots.selectors.LotMassKg`);
#: sums count only `plausible_lots` (at most 100,000 t each).
LOT_MASS = MASS
#: Lots that found a next application (reserved, sold or applied): "matched".
MATCHED_STATUSES = [Status.RESERVED, Status.SOLD, Status.APPLIED]


# --------------------------------------------------------------------------- the stock
def province_municipalities() -> list[Municipality]:
    return public_cached(
        "province-municipalities",
        (),
        lambda: list(
            Municipality.objects.filter(province_code=ZUID_HOLLAND)
            .only("id", "code", "name", "population")
            .order_by("code")
        ),
    )


def registered_stock(*, start_year: int, today_year: int | None = None) -> StockArrays:
    """Buildings (B&U) of the registry that stand at the start of `start_year` (4 queries).

    Skipped (counted in `skipped`): GWW objects (no building lifetimes), buildings without
    a construction year, without floor area and passport, not yet built (construction year
    after this year: planned construction is demand, not stock), and buildings whose planned
    demolition lies before `start_year` (already gone).
    """
    today_year = today_year or timezone.localdate().year
    munis = {m.code: m for m in province_municipalities()}
    rows = list(
        Asset.objects.values_list(
            "id", "municipality__code", "use_type", "construction_year", "floor_area_m2", "is_demo"
        ).order_by("id")
    )
    plans = {
        (r["asset_id"], r["kind"]): r["first"]
        for r in PlannedIntervention.objects.filter(
            kind__in=[InterventionKind.DEMOLITION, InterventionKind.RENOVATION]
        )
        .values("asset_id", "kind")
        .annotate(first=Min("planned_start"))
    }
    passports: dict[int, dict[str, float]] = {}
    for r in (
        plausible_lots(Lot.objects.filter(location=Location.IN_ASSET, source_asset__isnull=False))
        .exclude(status=Status.CLOSED)
        .values("source_asset_id", "product_group__material")
        .annotate(kg=Sum(LOT_MASS))
    ):
        if r["kg"]:
            passports.setdefault(r["source_asset_id"], {})[r["product_group__material"]] = float(
                total_kg(r["kg"])
            )
    extra_codes = sorted({r[1] for r in rows} - set(munis))
    codes = tuple(sorted(munis)) + tuple(extra_codes)
    code_idx = {c: i for i, c in enumerate(codes)}
    population = np.array([munis[c].population if c in munis else 0 for c in codes], dtype=float)
    use_idx = {u: i for i, u in enumerate(USE_TYPES)}
    skipped = dict(gww=0, no_year=0, no_mass=0, not_yet_built=0, demolished_before_start=0)
    keys = ("id", "mun", "use", "year", "area", "dem", "ren", "demo")
    out: dict[str, list] = {k: [] for k in keys}
    kept_passports: dict[int, dict[str, float]] = {}
    for asset_id, code, use, year, area, is_demo in rows:
        if use not in use_idx:
            skipped["gww"] += 1
            continue
        if year is None:
            skipped["no_year"] += 1
            continue
        if year > today_year:
            skipped["not_yet_built"] += 1
            continue
        passport = passports.get(asset_id)
        if not area and not passport:
            skipped["no_mass"] += 1
            continue
        dem = plans.get((asset_id, InterventionKind.DEMOLITION))
        if dem is not None and dem.year < start_year:
            skipped["demolished_before_start"] += 1
            continue
        ren = plans.get((asset_id, InterventionKind.RENOVATION))
        if passport:
            kept_passports[len(out["id"])] = passport
        out["id"].append(asset_id)
        out["mun"].append(code_idx[code])
        out["use"].append(use_idx[use])
        out["year"].append(year)
        out["area"].append(float(area or 0))
        out["dem"].append(dem.year if dem else 0)
        out["ren"].append(ren.year if ren and ren.year >= start_year else 0)
        out["demo"].append(bool(is_demo))
    i64 = np.int64
    return StockArrays(
        municipality_codes=codes,
        population=population,
        asset_ids=np.array(out["id"], dtype=i64),
        municipality_idx=np.array(out["mun"], dtype=i64),
        use_type_idx=np.array(out["use"], dtype=i64),
        construction_year=np.array(out["year"], dtype=i64),
        floor_area_m2=np.array(out["area"], dtype=float),
        planned_demolition_year=np.array(out["dem"], dtype=i64),
        planned_renovation_year=np.array(out["ren"], dtype=i64),
        passport_kg=kept_passports,
        skipped=skipped,
        is_demo=np.array(out["demo"], dtype=bool),
    )


# --------------------------------------------------------------------------- results
def scenarios() -> list[Scenario]:
    return list(Scenario.objects.select_related("organisation"))


def reference_scenario_obj() -> Scenario | None:
    return Scenario.objects.filter(is_reference=True).first()


#: A result's arrays (hundreds of kB of JSON): read by `result_arrays` only, from the cache.
ARRAY_FIELDS = ("demolition_kg", "renovation_kg", "demand_kg", "stock_mass_kg")


def latest_result(scenario: Scenario | None, *, done_only: bool = False) -> ForecastResult | None:
    """The scenario's newest result, without its arrays (`result_arrays` reads them)."""
    if scenario is None:
        return None
    qs = ForecastResult.objects.filter(scenario=scenario).defer(*ARRAY_FIELDS)
    if done_only:
        qs = qs.filter(status=JobStatus.DONE)
    return qs.order_by("-created_at", "-id").first()


@dataclass
class ForecastArrays:
    """A stored result as arrays in kg: [year, municipality, material]."""

    years: np.ndarray
    municipality_codes: list[str]
    materials: list[str]
    demolition: np.ndarray
    renovation: np.ndarray
    demand: np.ndarray
    stock: np.ndarray  # [municipality, material]

    @property
    def release(self) -> np.ndarray:
        return self.demolition + self.renovation

    def municipality_index(self, code: str | None) -> int | None:
        if code is None:
            return None
        try:
            return self.municipality_codes.index(code)
        except ValueError:
            return None


def result_arrays(result: ForecastResult) -> ForecastArrays:
    """A result's arrays. A finished result never changes: its arrays are kept in the
    shared cache under its id, so the dashboard neither reads nor parses the JSON again."""
    if result.pk is None or result.status != JobStatus.DONE:
        return _result_arrays(result, _array_values(result))
    return stable_cached(
        "forecast-arrays",
        (result.pk, result.finished_at),
        lambda: _result_arrays(result, _array_values(result)),
    )


def _array_values(result: ForecastResult) -> dict:
    deferred = result.get_deferred_fields()
    if result.pk is None or not deferred.intersection(ARRAY_FIELDS):
        return {name: getattr(result, name) for name in ARRAY_FIELDS}
    return ForecastResult.objects.filter(pk=result.pk).values(*ARRAY_FIELDS).get()


def _result_arrays(result: ForecastResult, values: dict) -> ForecastArrays:
    n_y = result.end_year - result.start_year + 1
    n_p, n_m = len(result.municipality_codes), len(result.materials)

    def arr(data, shape):
        a = np.asarray(data, dtype=np.float64)
        return a.reshape(shape) if a.size else np.zeros(shape)

    return ForecastArrays(
        years=np.arange(result.start_year, result.end_year + 1),
        municipality_codes=list(result.municipality_codes),
        materials=list(result.materials),
        demolition=arr(values["demolition_kg"], (n_y, n_p, n_m)),
        renovation=arr(values["renovation_kg"], (n_y, n_p, n_m)),
        demand=arr(values["demand_kg"], (n_y, n_p, n_m)),
        stock=arr(values["stock_mass_kg"], (n_p, n_m)),
    )


# --------------------------------------------------------------------------- realised
# The dashboard's aggregates are public and the same for everyone: they come from the
# shared cache (core/cache.py), invalidated by every write to lots, events, assets or hubs.
def _code(municipality: Municipality | None) -> str:
    return municipality.code if municipality is not None else ""


def realised_impact(municipality: Municipality | None = None) -> dict[str, float]:
    """Realised reuse from the lifecycle events (see `_realised_impact`)."""
    return public_cached(
        "realised-impact", (_code(municipality),), lambda: _realised_impact(municipality)
    )


def matched_mass_kg(municipality: Municipality | None = None) -> float:
    """Mass of lots that found a next application (see `_matched_mass_kg`)."""
    return public_cached(
        "matched-mass", (_code(municipality),), lambda: _matched_mass_kg(municipality)
    )


def _realised_impact(municipality: Municipality | None = None) -> dict[str, float]:
    """Realised reuse from the lifecycle events, one aggregate query.

    applied: execution events (mass diverted from waste, CO2 avoided); committed: reservations
    and sales (connection / sale events) — recorded again at application, so kept apart.
    The municipality is where the lot was harvested (its source asset).
    """
    qs = LifecycleEvent.objects.all()
    if municipality is not None:
        qs = qs.filter(lot__source_asset__municipality=municipality)
    # a corrected step never happened (its correction event keeps the record)
    applied = Q(step=Step.EXECUTION, corrected_by__isnull=True)
    committed = Q(step__in=[Step.CONNECTION, Step.SALE], corrected_by__isnull=True)
    agg = qs.aggregate(
        applied_kg=Sum("waste_diverted_kg", filter=applied),
        applied_co2_kg=Sum("co2_avoided_kg", filter=applied),
        applied_lots=Count("lot", filter=applied, distinct=True),
        committed_co2_kg=Sum("co2_avoided_kg", filter=committed),
        r3_lots=Count("lot", filter=applied & Q(r_strategy="R3"), distinct=True),
    )
    return {k: float(v or 0) for k, v in agg.items()}


def _matched_mass_kg(municipality: Municipality | None = None) -> float:
    """Mass of lots that found a next application (reserved, sold or applied), one query."""
    qs = plausible_lots(Lot.objects.filter(status__in=MATCHED_STATUSES))
    if municipality is not None:
        qs = qs.filter(source_asset__municipality=municipality)
    return float(total_kg(qs.aggregate(m=Sum(LOT_MASS))["m"]))


#: The rungs of the R-ladder the chain realises, in ladder order (issue #14): applications
#: (R3 reuse .. R7 repurpose) and exits (R8 recycle, R9 recover, disposal below the ladder).
LADDER = ["R3", "R4", "R5", "R6", "R7", "R8", "R9", "dispose"]


def realised_ladder(municipality: Municipality | None = None) -> dict[str, float]:
    """kg realised per rung of the R-ladder (see `_realised_ladder`)."""
    return public_cached(
        "realised-ladder", (_code(municipality),), lambda: _realised_ladder(municipality)
    )


def _realised_ladder(municipality: Municipality | None = None) -> dict[str, float]:
    """Mass per R-strategy from what really happened: applications (a material applied again
    within one building life counts once, like its CO2: `lots.steps._credited_before`) and
    exits (recycling, energy recovery, disposal). One aggregate query."""
    qs = LifecycleEvent.objects.filter(
        Q(step=Step.EXIT) | (Q(step=Step.EXECUTION) & ~Q(payload__has_key="credited_before")),
        corrected_by__isnull=True,
    )
    if municipality is not None:
        qs = qs.filter(lot__source_asset__municipality=municipality)
    rows = qs.values("step", "r_strategy").annotate(
        kg=Sum(F("quantity") * F("lot__mass_kg_per_unit"), output_field=FloatField())
    )
    out = dict.fromkeys(LADDER, 0.0)
    for r in rows:
        rung = r["r_strategy"] or ("dispose" if r["step"] == Step.EXIT else "R3")
        if rung in out:
            out[rung] += float(r["kg"] or 0)
    return out


def realised_by_municipality() -> dict[str, float]:
    """Applied (reused) kg per source municipality code (public; from the shared cache)."""
    return public_cached("realised-by-municipality", (), _realised_by_municipality)


def _realised_by_municipality() -> dict[str, float]:
    """Applied (reused) kg per source municipality code, one query."""
    rows = (
        LifecycleEvent.objects.filter(step=Step.EXECUTION, corrected_by__isnull=True)
        .values("lot__source_asset__municipality__code")
        .annotate(kg=Sum("waste_diverted_kg"))
    )
    return {
        r["lot__source_asset__municipality__code"]: float(r["kg"] or 0)
        for r in rows
        if r["lot__source_asset__municipality__code"]
    }


def demo_presence() -> dict[str, bool]:
    """Which registries hold synthetic demo records (public; from the shared cache): the
    dashboard marks every figure they feed with DEMO. Three EXISTS queries."""
    return public_cached("demo-presence", (), _demo_presence)


def _demo_presence() -> dict[str, bool]:
    return {
        "assets": Asset.objects.filter(is_demo=True).exists(),
        "lots": Lot.objects.filter(is_demo=True).exists(),
        "hubs": Hub.objects.filter(is_demo=True).exists(),
    }


# --------------------------------------------------------------------------- hubs
def hub_overview(municipality: Municipality | None = None) -> list[HubLine]:
    """Occupancy and dwell-time alerts per hub (see `_hub_overview`)."""
    return public_cached(
        "hub-overview", (_code(municipality),), lambda: _hub_overview(municipality)
    )


@dataclass
class HubLine:
    hub: Hub
    held_t: float
    capacity_t: float | None
    fill: float | None
    n_warning: int
    n_alert: int


def _hub_overview(municipality: Municipality | None = None) -> list[HubLine]:
    """Occupancy (lots.selectors.hub_occupancy) and dwell-time alerts per hub: 3 queries.

    Levels follow lots.selectors.hub_stock: warning past HUB_DWELL_WARNING_DAYS (6 months),
    alert past HUB_DWELL_ALERT_DAYS (9 months) at the hub.
    """
    qs = Hub.objects.select_related("municipality").order_by("name")
    if municipality is not None:
        qs = qs.filter(municipality=municipality)
    hubs = list(qs)
    if not hubs:
        return []
    held = hub_occupancy(hubs)
    now = timezone.now()
    warn_before = now - timedelta(days=settings.HUB_DWELL_WARNING_DAYS)
    alert_before = now - timedelta(days=settings.HUB_DWELL_ALERT_DAYS)
    dwell = {
        r["hub_id"]: r
        for r in Lot.objects.filter(hub__in=hubs, location=Location.AT_HUB)
        .exclude(status__in=[Status.CLOSED, Status.APPLIED])
        .values("hub_id")
        .annotate(
            n_alert=Count("id", filter=Q(hub_since__lt=alert_before)),
            n_warning=Count("id", filter=Q(hub_since__lt=warn_before, hub_since__gte=alert_before)),
        )
    }
    out = []
    for h in hubs:
        t = float(held.get(h.id, Decimal(0))) / 1000
        cap = float(h.capacity_t) if h.capacity_t else None
        d = dwell.get(h.id) or {"n_warning": 0, "n_alert": 0}
        out.append(
            HubLine(
                hub=h,
                held_t=t,
                capacity_t=cap,
                fill=(t / cap) if cap else None,
                n_warning=d.get("n_warning", 0),
                n_alert=d.get("n_alert", 0),
            )
        )
    return out
