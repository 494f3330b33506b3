"""Writes of the insight app: scenarios and forecast jobs.

The forecast itself is computed by the pure engine (`urbanmine.engine.forecast`) on plain
arrays assembled by `selectors.registered_stock`; this module only adapts and stores.
Jobs run through `urbanmine.core.jobs.run_job`: on a Celery worker when a broker is set, in
a thread of the web process otherwise (embedded set-up), inline when `URBANMINE_JOBS_INLINE`
is true (tests) or `inline=True` (docs/development/jobs.md).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urbanmine.core.jobs import job_cancel, job_function, run_job
from urbanmine.core.models import JobStatus
from urbanmine.engine.forecast import (
    BaselineStock,
    IntensityTable,
    LifetimeTable,
    ParamsError,
    ScenarioForecast,
    ScenarioParams,
    StockArrays,
    forecast_province,
    forecast_scenario,
    read_baseline,
    read_intensities,
    read_lifetimes,
)
from urbanmine.organisations.membership import acting_organisation_or_none

from . import selectors
from .models import ForecastResult, Scenario
from .permissions import forecast_may_cancel, forecast_may_run, scenario_may_edit


# --------------------------------------------------------------------------- tables
@lru_cache(maxsize=1)
def intensity_table() -> IntensityTable:
    return read_intensities(Path(settings.DERIVED_DATA_DIR) / "material_intensity_nl.csv")


@lru_cache(maxsize=1)
def lifetime_table() -> LifetimeTable:
    return read_lifetimes(Path(settings.DERIVED_DATA_DIR) / "lifetimes.csv")


@lru_cache(maxsize=1)
def baseline_stock() -> BaselineStock:
    """The province baseline (data/baseline_*.csv, scripts/derive_baseline_stock.py)."""
    return read_baseline(Path(settings.DERIVED_DATA_DIR))


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
                    "Calibrated lifetimes, 35 percent reuse potential, the construction "
                    "programme of the province baseline; 2025–2050."
                ),
                params=ScenarioParams().to_json(),
                is_reference=True,
            )
    except IntegrityError:  # created concurrently
        return Scenario.objects.get(is_reference=True)


# --------------------------------------------------------------------------- compute
#: The engine reports its stages by key; the user reads them in the interface's language.
PROGRESS_MESSAGES = {
    "mass": gettext_lazy("Building mass per material (%(n)d registered buildings)…"),
    "survival": gettext_lazy("Survival model and planned demolitions…"),
    "renovation": gettext_lazy("Planned renovations…"),
    "programme": gettext_lazy("Demand of the construction programme…"),
}


def forecast_compute(
    stock: StockArrays,
    params: ScenarioParams,
    *,
    progress=lambda pct, msg: None,
    baseline: BaselineStock | None = None,
) -> ScenarioForecast:
    """The engine's forecast on the platform's cited tables, reporting progress in the
    interface's language: the province baseline with the registry overriding it
    (`engine.forecast.forecast_province`), or the registered stock alone without a
    baseline (`forecast_scenario`)."""

    def report(pct: int, stage: str, details) -> None:
        progress(pct, str(PROGRESS_MESSAGES[stage]) % dict(details))

    if baseline is not None:
        return forecast_province(
            baseline,
            stock,
            params,
            intensities=intensity_table(),
            lifetimes=lifetime_table(),
            progress=report,
        )
    return forecast_scenario(
        stock, params, intensities=intensity_table(), lifetimes=lifetime_table(), progress=report
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
        run_job(result, forecast_execute, inline=True, result_id=result.id)
        result.refresh_from_db()
        return result
    transaction.on_commit(lambda: run_job(result, forecast_execute, result_id=result.id))
    return result


def forecast_cancel(*, result: ForecastResult, actor) -> bool:
    """Stop a queued or running forecast (its starter or whoever may run forecasts). False
    when it had ended already."""
    if not forecast_may_cancel(actor, result):
        raise PermissionDenied(_("Only the province cancels a forecast."))
    return job_cancel(result)


def forecast_ensure(scenario: Scenario) -> ForecastResult:
    """The latest result of `scenario`; starts a first one when there is none."""
    found = selectors.latest_result(scenario)
    if found is not None and found.status not in (JobStatus.FAILED, JobStatus.CANCELLED):
        return found
    return forecast_start(scenario=scenario, actor=None)


@job_function
def forecast_execute(*, result_id: int) -> ForecastResult:
    """The job: read the stock, run the engine, store the arrays. Failures are recorded."""
    result = ForecastResult.objects.select_related("scenario").get(pk=result_id)
    try:
        params = ScenarioParams.from_json(result.params)
        result.report_progress(5, _("Reading the registered stock…"))
        stock = selectors.registered_stock(start_year=params.start_year)
        computed = forecast_compute(
            stock, params, progress=result.report_progress, baseline=baseline_stock()
        )
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
        result.message = _(
            "Baseline of the province; %(n)d registered buildings override it (%(p)d with a "
            "passport)."
        ) % {
            "n": computed.stats["n_buildings"],
            "p": computed.stats["n_passports"],
        }
    except Exception as exc:  # recorded on the result for the user to see
        result.finish(exc)
    else:
        result.finish()
    return result
