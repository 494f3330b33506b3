"""Stock-driven release forecast: Weibull survival x material intensity, vectorised in NumPy.

Pure Python + NumPy (never imports Django). Public entry points:

- `release_by_municipality(...)`: arrays in (per building: municipality index, use type index,
  construction year, mass per material), kg per [year, municipality, material] out.
- `forecast_release(stock, intensities, lifetimes, start, end)`: the same from floor area x
  intensity table, with planned demolitions/renovations; what `forecast-file` runs.
- `material_demand(...)`: demand of planned construction or renovation (floor area x MI).
- `read_stock`, `read_intensities`, `read_lifetimes`, `write_release_csv`: the file contract.
- `forecast_province(baseline, registered, params, ...)`: the province baseline
  (`read_baseline`, `BaselineStock`) with the registry overriding it, and its coverage.
- `reference_scenario()`: the Metabolic 2024 Zuid-Holland figures and derived ratios.
- `forecast_scenario(stock, params, intensities=, lifetimes=)`: the platform's scenario run on
  the registered stock (`StockArrays`, `ScenarioParams`): release, demand and stock mass.
"""

from .baseline import BaselineStock, forecast_province, read_baseline
from .csvio import (
    check_coverage,
    read_intensities,
    read_lifetimes,
    read_stock,
    write_release_csv,
)
from .demand import material_demand
from .errors import ForecastError
from .reference import ReferenceScenario, reference_scenario
from .release import (
    NO_PLAN,
    ReleaseResult,
    Stock,
    forecast_release,
    release_by_municipality,
)
from .scenario import (
    DEFAULT_END_YEAR,
    DEFAULT_PROGRAMME_M2,
    DEFAULT_REUSE_SHARE,
    DEFAULT_START_YEAR,
    MAX_YEAR,
    MIN_YEAR,
    PROGRESS_STAGES,
    ParamsError,
    ProgressCallback,
    Regional,
    ScenarioForecast,
    ScenarioParams,
    StockArrays,
    forecast_scenario,
    weibull_parameters,
)
from .survival import conditional_survival, release_fractions, survival
from .tables import (
    LAYER_SHARES,
    USE_TYPES,
    IntensityTable,
    LifetimeTable,
    renovation_share,
)

__all__ = [
    "DEFAULT_END_YEAR",
    "DEFAULT_PROGRAMME_M2",
    "DEFAULT_REUSE_SHARE",
    "DEFAULT_START_YEAR",
    "LAYER_SHARES",
    "MAX_YEAR",
    "MIN_YEAR",
    "NO_PLAN",
    "PROGRESS_STAGES",
    "USE_TYPES",
    "ForecastError",
    "IntensityTable",
    "LifetimeTable",
    "ParamsError",
    "ProgressCallback",
    "Regional",
    "BaselineStock",
    "ReferenceScenario",
    "ReleaseResult",
    "ScenarioForecast",
    "ScenarioParams",
    "Stock",
    "StockArrays",
    "check_coverage",
    "conditional_survival",
    "forecast_province",
    "forecast_release",
    "forecast_scenario",
    "material_demand",
    "read_baseline",
    "read_intensities",
    "read_lifetimes",
    "read_stock",
    "reference_scenario",
    "release_by_municipality",
    "release_fractions",
    "renovation_share",
    "survival",
    "weibull_parameters",
    "write_release_csv",
]
