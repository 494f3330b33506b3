"""The dashboard's tables, built from a stored forecast and a few aggregate queries.

Every chart is a `Table` (columns with units in their names, rows of plain values): the page
draws it with Chart.js and `?format=csv&chart=<key>` downloads exactly the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import material_label
from urbanmine.engine.forecast import ScenarioParams, reference_scenario
from urbanmine.regions.models import Municipality

from . import selectors

KT = 1e6  # kg per kt

CHARTS = {
    "release-demand": _("Release versus demand per year"),
    "materials": _("Release and demand per material"),
    "chain": _("Chain of potential"),
    "municipalities": _("Municipalities compared"),
    "hubs": _("Hub occupancy and dwell times"),
    "r-ladder": _("Realised per R-strategy"),
}


@dataclass
class Table:
    key: str
    columns: list[str]
    rows: list[list]

    def column(self, name: str) -> list:
        i = self.columns.index(name)
        return [r[i] for r in self.rows]


def _r(x: float, nd: int = 6) -> float:
    return round(float(x), nd)


def _slice(arr: np.ndarray, mun: int | None) -> np.ndarray:
    """[year, material] for one municipality, or summed over the province."""
    return arr[:, mun, :] if mun is not None else arr.sum(axis=1)


def release_demand_table(fa: selectors.ForecastArrays, params: ScenarioParams, mun) -> Table:
    dem = _slice(fa.demolition, mun).sum(axis=1)
    ren = _slice(fa.renovation, mun).sum(axis=1)
    demand = _slice(fa.demand, mun).sum(axis=1)
    rows = [
        [
            int(y),
            _r(dem[i] / KT),
            _r(ren[i] / KT),
            _r((dem[i] + ren[i]) / KT),
            _r((dem[i] + ren[i]) * params.reuse_share / KT),
            _r(demand[i] / KT),
        ]
        for i, y in enumerate(fa.years.tolist())
    ]
    return Table(
        "release-demand",
        [
            "year",
            "demolition_kt",
            "renovation_kt",
            "release_kt",
            "reusable_kt",
            "demand_kt",
        ],
        rows,
    )


def materials_table(fa: selectors.ForecastArrays, params: ScenarioParams, mun) -> Table:
    rel = _slice(fa.release, mun).sum(axis=0)
    demand = _slice(fa.demand, mun).sum(axis=0)
    stock = fa.stock[mun] if mun is not None else fa.stock.sum(axis=0)
    order = np.argsort(-(rel + demand), kind="stable")
    rows = [
        [
            fa.materials[m],
            material_label(fa.materials[m]),
            _r(rel[m] / KT),
            _r(rel[m] * params.reuse_share / KT),
            _r(demand[m] / KT),
            _r(stock[m] / KT),
        ]
        for m in order.tolist()
    ]
    return Table(
        "materials",
        ["material", "label", "release_kt", "reusable_kt", "demand_kt", "stock_kt"],
        rows,
    )


def chain_table(
    fa: selectors.ForecastArrays,
    params: ScenarioParams,
    mun,
    *,
    matched_kg: float,
    applied_kg: float,
) -> Table:
    """Released → reusable → matched → applied, up to the reference's horizon (2030),
    beside the Metabolic 2024 reference scenario (province level)."""
    ref = reference_scenario()
    upto = fa.years <= ref.horizon_year
    demand = float(_slice(fa.demand[upto], mun).sum()) / KT
    released = float(_slice(fa.release[upto], mun).sum()) / KT
    reusable = released * params.reuse_share
    matched, applied = matched_kg / KT, applied_kg / KT

    def share(x):
        return _r(x / demand, 5) if demand else None

    rows = [
        ["demand", _r(demand), 1.0 if demand else None, ref.demand_kt, 1.0],
        ["released", _r(released), share(released), ref.release_kt, _r(ref.release_over_demand, 5)],
        [
            "reusable",
            _r(reusable),
            share(reusable),
            _r(ref.reusable_kt, 1),
            _r(ref.reusable_over_demand, 5),
        ],
        ["matched", _r(matched, 6), share(matched), None, None],
        ["applied", _r(applied, 6), share(applied), None, None],
    ]
    return Table(
        "chain",
        [
            "stage",
            "forecast_kt",
            "forecast_share_of_demand",
            "reference_kt",
            "reference_share_of_demand",
        ],
        rows,
    )


def municipalities_table(
    fa: selectors.ForecastArrays,
    params: ScenarioParams,
    municipalities: list[Municipality],
    realised_kg: dict[str, float],
) -> Table:
    """Release and demand over the forecast window per municipality, ranked by release;
    per inhabitant as a yearly average over the window (population CBS 1-1-2024), each from
    the municipality's own stock (baseline + registry) and programme."""
    rel = fa.release.sum(axis=(0, 2))
    demand = fa.demand.sum(axis=(0, 2))
    n_years = max(len(fa.years), 1)
    pos = {c: i for i, c in enumerate(fa.municipality_codes)}
    rows: list[list] = []
    for m in municipalities:
        i = pos.get(m.code)
        r = float(rel[i]) if i is not None else 0.0
        d = float(demand[i]) if i is not None else 0.0
        pop = m.population or 0
        rows.append(
            [
                m.code,
                m.name,
                pop,
                _r(r / KT),
                _r(r * params.reuse_share / KT),
                _r(d / KT),
                _r(realised_kg.get(m.code, 0.0) / 1000),
                _r(r / pop / n_years, 3) if pop else None,
                _r(d / pop / n_years, 3) if pop else None,
            ]
        )
    rows.sort(key=lambda row: -row[3])
    return Table(
        "municipalities",
        [
            "code",
            "name",
            "population",
            "release_kt",
            "reusable_kt",
            "demand_kt",
            "realised_reuse_t",
            "release_kg_per_inhabitant_per_year",
            "demand_kg_per_inhabitant_per_year",
        ],
        rows,
    )


def hubs_table(lines: list[selectors.HubLine]) -> Table:
    rows = [
        [
            h.hub.name,
            h.hub.municipality.name,
            h.hub.get_typology_display(),
            _r(h.held_t, 3),
            _r(h.capacity_t, 1) if h.capacity_t is not None else None,
            _r(h.fill * 100, 1) if h.fill is not None else None,
            h.n_warning,
            h.n_alert,
        ]
        for h in lines
    ]
    return Table(
        "hubs",
        [
            "hub",
            "municipality",
            "typology",
            "held_t",
            "capacity_t",
            "fill_pct",
            "lots_6_to_9_months",
            "lots_over_9_months",
        ],
        rows,
    )


def ladder_table(ladder: dict[str, float]) -> Table:
    """t realised per rung of the R-ladder, highest rung first (from lifecycle events)."""
    return Table(
        "r-ladder",
        ["r_strategy", "realised_t"],
        [[rung, _r(kg / 1000, 3)] for rung, kg in ladder.items()],
    )


def build(
    *,
    result,
    municipality: Municipality | None,
    municipalities: list[Municipality],
    charts: set[str] | None = None,
    realised: dict[str, float] | None = None,
) -> dict[str, Table]:
    """The tables of the dashboard for one stored result (None: only the realised ones).

    `charts` limits the work to some tables (CSV downloads build one)."""
    want = set(CHARTS) if charts is None else charts
    out: dict[str, Table] = {}
    params = ScenarioParams.from_json(result.params) if result else ScenarioParams()
    fa = selectors.result_arrays(result) if result else None
    mun = fa.municipality_index(municipality.code) if (fa and municipality) else None
    if fa is not None and municipality is not None and mun is None:
        fa = None  # a municipality outside the forecast
    if fa is not None:
        if "release-demand" in want:
            out["release-demand"] = release_demand_table(fa, params, mun)
        if "materials" in want:
            out["materials"] = materials_table(fa, params, mun)
        if "chain" in want:
            if realised is None:
                realised = selectors.realised_impact(municipality)
            out["chain"] = chain_table(
                fa,
                params,
                mun,
                matched_kg=selectors.matched_mass_kg(municipality),
                applied_kg=realised["applied_kg"],
            )
        if "municipalities" in want:
            out["municipalities"] = municipalities_table(
                fa, params, municipalities, selectors.realised_by_municipality()
            )
    if "hubs" in want:
        out["hubs"] = hubs_table(selectors.hub_overview(municipality))
    if "r-ladder" in want:
        out["r-ladder"] = ladder_table(selectors.realised_ladder(municipality))
    return out
