"""Writes of the insight app: scenarios and forecast jobs.

The forecast itself is computed by the pure engine (`urbanmine.engine.forecast`) on plain
arrays assembled by `selectors.registered_stock`; this module only adapts and stores.
Jobs run through `urbanmine.core.jobs.run_job`: in a thread of the web process by default
(embedded set-up), inline when `URBANMINE_JOBS_INLINE` is true (tests) or `inline=True`.
Celery with a broker is the scale-out path (a later issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from urbanmine.core.jobs import run_job
from urbanmine.core.models import JobStatus
from urbanmine.engine.forecast import (
    USE_TYPES,
    IntensityTable,
    LifetimeTable,
    material_demand,
    read_intensities,
    read_lifetimes,
    release_by_municipality,
    renovation_share,
)
from urbanmine.organisations.membership import acting_organisation_or_none

from . import selectors
from .models import ForecastResult, Scenario
from .params import ParamsError, ScenarioParams
from .permissions import forecast_may_run, scenario_may_edit


# --------------------------------------------------------------------------- tables
@lru_cache(maxsize=1)
def intensity_table() -> IntensityTable:
    return read_intensities(Path(settings.DERIVED_DATA_DIR) / "material_intensity_nl.csv")


@lru_cache(maxsize=1)
def lifetime_table() -> LifetimeTable:
    return read_lifetimes(Path(settings.DERIVED_DATA_DIR) / "lifetimes.csv")


def weibull_parameters(params: ScenarioParams) -> tuple[np.ndarray, np.ndarray]:
    """(shape, scale_years) per entry of USE_TYPES: the calibrated table, then overrides."""
    table = lifetime_table()
    pos = {u: i for i, u in enumerate(table.use_types)}
    shape = np.array([table.weibull_shape[pos[u]] for u in USE_TYPES], dtype=float)
    scale = np.array([table.weibull_scale_years[pos[u]] for u in USE_TYPES], dtype=float)
    for i, u in enumerate(USE_TYPES):
        over = params.lifetimes.get(u, {})
        shape[i] = over.get("shape", shape[i])
        scale[i] = over.get("scale_years", scale[i])
    return shape, scale


# --------------------------------------------------------------------------- scenarios
def _validated(params: dict) -> dict:
    try:
        return ScenarioParams.from_json(params).to_json()
    except ParamsError as e:
        raise ValidationError({"params": f"{e.field}: {e.message}"}) from None


@transaction.atomic
def scenario_create(
    *, actor, name: str, params: dict | None = None, description: str = ""
) -> Scenario:
    if not scenario_may_edit(actor):
        raise PermissionDenied(_("Only the province edits forecast scenarios."))
    if Scenario.objects.filter(name=name).exists():
        raise ValidationError({"name": _("A scenario with this name exists already.")})
    return Scenario.objects.create(
        name=name,
        description=description,
        params=_validated(params or {}),
        created_by=actor,
        organisation=acting_organisation_or_none(actor),
    )


@transaction.atomic
def scenario_update(
    *, actor, scenario: Scenario, name: str, params: dict, description: str = ""
) -> Scenario:
    if not scenario_may_edit(actor):
        raise PermissionDenied(_("Only the province edits forecast scenarios."))
    if Scenario.objects.filter(name=name).exclude(pk=scenario.pk).exists():
        raise ValidationError({"name": _("A scenario with this name exists already.")})
    scenario.name, scenario.description = name, description
    scenario.params = _validated(params)
    scenario.save()
    return scenario


@transaction.atomic
def scenario_make_reference(*, actor, scenario: Scenario) -> Scenario:
    """The reference scenario is the one the public dashboard shows."""
    if not scenario_may_edit(actor):
        raise PermissionDenied(_("Only the province edits forecast scenarios."))
    Scenario.objects.filter(is_reference=True).exclude(pk=scenario.pk).update(is_reference=False)
    scenario.is_reference = True
    scenario.save(update_fields=["is_reference", "updated_at"])
    return scenario


def reference_scenario_ensure() -> Scenario:
    """The default reference scenario (all defaults), created on first use."""
    found = selectors.reference_scenario_obj()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Scenario.objects.create(
                name=_("Reference (defaults)"),
                description=_(
                    "Calibrated lifetimes, 35 percent reuse potential, the default construction "
                    "programme; 2025–2050."
                ),
                params=ScenarioParams().to_json(),
                is_reference=True,
            )
    except IntegrityError:  # created concurrently
        return Scenario.objects.get(is_reference=True)


# --------------------------------------------------------------------------- compute
@dataclass
class ComputedForecast:
    """kg arrays [year, municipality, material] and the stock mass [municipality, material]."""

    years: np.ndarray
    municipality_codes: tuple[str, ...]
    materials: tuple[str, ...]
    demolition_kg: np.ndarray
    renovation_kg: np.ndarray
    demand_kg: np.ndarray
    stock_mass_kg: np.ndarray
    stats: dict


def _intensity_years(table: IntensityTable, use_idx: np.ndarray, year: np.ndarray) -> np.ndarray:
    """Clamp years into the periods the table covers per use type (the 2011–2030 build-up is
    used for construction after 2030; the oldest period for buildings before 1800)."""
    out = year.copy()
    for i, u in enumerate(USE_TYPES):
        k = table.use_types.index(u)
        rows = table.period_use_type_idx == k
        lo, hi = int(table.period_start[rows].min()), int(table.period_end[rows].max())
        sel = use_idx == i
        out[sel] = np.clip(year[sel], lo, hi)
    return out


def _demand(
    table: IntensityTable,
    materials: tuple[str, ...],
    n_mat_all: int,
    use_idx: np.ndarray,
    placed_year: np.ndarray,
    area: np.ndarray,
    mun_idx: np.ndarray,
    n_mun: int,
    years: np.ndarray,
    share: np.ndarray | None = None,
) -> np.ndarray:
    """Engine demand placed in `placed_year`, at the intensity of the clamped year."""
    out = np.zeros((years.size, n_mun, n_mat_all))
    mi_year = _intensity_years(table, use_idx, placed_year)
    for yi, y in enumerate(years.tolist()):
        sel = placed_year == y
        if not np.any(sel):
            continue
        d = material_demand(
            intensities=table,
            use_types=USE_TYPES,
            use_type_idx=use_idx[sel],
            year=mi_year[sel],
            floor_area_m2=area[sel],
            municipality_idx=mun_idx[sel],
            n_municipalities=n_mun,
            start_year=int(mi_year[sel].min()),
            end_year=int(mi_year[sel].max()),
            materials=materials,
            share_by_material=share,
        )
        out[yi, :, : len(materials)] = d.sum(axis=0)
    return out


def forecast_compute(
    stock: selectors.RegisteredStock, params: ScenarioParams, *, progress=lambda pct, msg: None
) -> ComputedForecast:
    """Release (demolition + planned renovation) of the registered stock and demand of the
    construction programme and of the planned renovations, via the engine.

    Building mass per material: the passport's mass (lots still in the asset) for every
    material the passport records; floor area × intensity (use type, construction period)
    for the others. Planned demolitions override the survival model (whole mass in that
    year). Programme demand is spread over municipalities by population.
    """
    table = intensity_table()
    mi_mats = tuple(table.materials)
    extra = sorted({m for p in stock.passport_kg.values() for m in p} - set(mi_mats))
    materials = mi_mats + tuple(extra)
    mat_pos = {m: i for i, m in enumerate(materials)}
    n, n_mun, n_mat = len(stock), len(stock.municipality_codes), len(materials)
    years = np.arange(params.start_year, params.end_year + 1)
    shape, scale = weibull_parameters(params)

    progress(20, _("Building mass per material for %(n)d buildings…") % {"n": n})
    mass = np.zeros((n, n_mat))
    if n:
        mi_year = _intensity_years(table, stock.use_type_idx, stock.construction_year)
        row = table.row_index(USE_TYPES, stock.use_type_idx, mi_year)
        assert np.all(row >= 0)
        mass[:, : len(mi_mats)] = stock.floor_area_m2[:, None] * table.kg_per_m2[row]
    for b, passport in stock.passport_kg.items():
        for m, kg in passport.items():
            mass[b, mat_pos[m]] = kg

    progress(40, _("Survival model and planned demolitions…"))
    demolition = release_by_municipality(
        municipality_idx=stock.municipality_idx,
        n_municipalities=n_mun,
        use_type_idx=stock.use_type_idx,
        construction_year=stock.construction_year,
        mass_kg=mass,
        weibull_shape=shape,
        weibull_scale_years=scale,
        start_year=params.start_year,
        end_year=params.end_year,
        planned_demolition_year=stock.planned_demolition_year,
    )

    progress(60, _("Planned renovations…"))
    ren = stock.planned_renovation_year
    dem = stock.planned_demolition_year
    ren_sel = (ren != 0) & ((dem == 0) | (ren < dem))
    share_all = renovation_share(materials)
    renovation = np.zeros_like(demolition)
    ren_demand = np.zeros_like(demolition)
    if np.any(ren_sel):
        renovation = release_by_municipality(
            municipality_idx=stock.municipality_idx[ren_sel],
            n_municipalities=n_mun,
            use_type_idx=stock.use_type_idx[ren_sel],
            construction_year=stock.construction_year[ren_sel],
            mass_kg=mass[ren_sel] * share_all[None, :],
            weibull_shape=shape,
            weibull_scale_years=scale,
            start_year=params.start_year,
            end_year=params.end_year,
            planned_demolition_year=ren[ren_sel],
        )
        ren_demand = _demand(
            table,
            mi_mats,
            n_mat,
            stock.use_type_idx[ren_sel],
            ren[ren_sel],
            stock.floor_area_m2[ren_sel],
            stock.municipality_idx[ren_sel],
            n_mun,
            years,
            share=share_all[: len(mi_mats)],
        )

    progress(75, _("Demand of the construction programme…"))
    pop = stock.population.astype(float)
    weights = pop / pop.sum() if pop.sum() > 0 else np.full(n_mun, 1.0 / max(n_mun, 1))
    uses = np.arange(len(USE_TYPES))
    p_use = np.repeat(uses, n_mun)
    p_mun = np.tile(np.arange(n_mun), len(USE_TYPES))
    p_area = np.array([params.programme_m2.get(u, 0.0) for u in USE_TYPES])[p_use] * weights[p_mun]
    keep = p_area > 0
    programme = np.zeros_like(demolition)
    if np.any(keep) and years.size:
        n_keep = int(keep.sum())
        programme = _demand(
            table,
            mi_mats,
            n_mat,
            np.tile(p_use[keep], years.size),
            np.repeat(years, n_keep),
            np.tile(p_area[keep], years.size),
            np.tile(p_mun[keep], years.size),
            n_mun,
            years,
        )
    stock_mass = np.zeros((n_mun, n_mat))
    for m in range(n_mat):
        stock_mass[:, m] = np.bincount(stock.municipality_idx, weights=mass[:, m], minlength=n_mun)
    stats = {
        "n_buildings": n,
        "n_passports": len(stock.passport_kg),
        "n_planned_demolitions": int(np.count_nonzero(stock.planned_demolition_year)),
        "n_planned_renovations": int(np.count_nonzero(ren_sel)),
        "floor_area_m2": float(stock.floor_area_m2.sum()),
        "skipped": dict(stock.skipped),
    }
    return ComputedForecast(
        years=years,
        municipality_codes=stock.municipality_codes,
        materials=materials,
        demolition_kg=demolition,
        renovation_kg=renovation,
        demand_kg=programme + ren_demand,
        stock_mass_kg=stock_mass,
        stats=stats,
    )


# --------------------------------------------------------------------------- jobs
def forecast_start(*, scenario: Scenario, actor=None, inline: bool | None = None) -> ForecastResult:
    """Queue a forecast of `scenario` over the registered stock and run it as a job.

    `actor=None` is the system (the dashboard filling its first result); a user must be
    allowed to edit scenarios. `inline=True` runs synchronously (tests, scripts); None
    follows the URBANMINE_JOBS_INLINE setting; otherwise a background thread after commit.
    """
    if actor is not None and not forecast_may_run(actor):
        raise PermissionDenied(_("Only the province runs forecasts."))
    result = ForecastResult.objects.create(
        scenario=scenario, started_by=actor, params=scenario.params
    )
    if inline or (inline is None and settings.URBANMINE_JOBS_INLINE):
        forecast_execute(result_id=result.id)
        result.refresh_from_db()
        return result
    transaction.on_commit(lambda: run_job(forecast_execute, result_id=result.id))
    return result


def forecast_ensure(scenario: Scenario) -> ForecastResult:
    """The latest result of `scenario`; starts a first one when there is none."""
    found = selectors.latest_result(scenario)
    if found is not None and found.status != JobStatus.FAILED:
        return found
    return forecast_start(scenario=scenario, actor=None)


def forecast_execute(*, result_id: int) -> ForecastResult:
    """The job: read the stock, run the engine, store the arrays. Failures are recorded."""
    result = ForecastResult.objects.select_related("scenario").get(pk=result_id)
    try:
        params = ScenarioParams.from_json(result.params)
        result.report_progress(5, _("Reading the registered stock…"))
        stock = selectors.registered_stock(start_year=params.start_year)
        computed = forecast_compute(stock, params, progress=result.report_progress)
        result.report_progress(90, _("Storing the result…"))

        def js(a: np.ndarray) -> list:
            return np.round(a, 3).tolist()

        result.start_year, result.end_year = params.start_year, params.end_year
        result.municipality_codes = list(computed.municipality_codes)
        result.materials = list(computed.materials)
        result.demolition_kg = js(computed.demolition_kg)
        result.renovation_kg = js(computed.renovation_kg)
        result.demand_kg = js(computed.demand_kg)
        result.stock_mass_kg = js(computed.stock_mass_kg)
        result.stats = computed.stats
        result.message = _("%(n)d buildings (%(p)d with a passport).") % {
            "n": computed.stats["n_buildings"],
            "p": computed.stats["n_passports"],
        }
    except Exception as exc:  # recorded on the result for the user to see
        result.finish(exc)
    else:
        result.finish()
    return result
