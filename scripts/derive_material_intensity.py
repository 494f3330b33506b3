"""Derive the Dutch material-intensity and lifetime tables the forecast runs on.

Writes, from the public data directory (raw files are never copied into the repository):
- src/urbanmine/data/material_intensity_nl.csv: MI.csv contract columns (use_type,
  period_start, period_end, material, kg_per_m2) + source, version, licence, n_buildings, method.
- src/urbanmine/data/lifetimes.csv: LIFETIMES.csv columns + source, note.

Usage: python scripts/derive_material_intensity.py [DATA_DIR] [--out-dir DIR]
DATA_DIR defaults to $URBANMINE_DATA_DIR, else ../shared/data next to the repository.

Material intensity method (per platform use type x construction period x material), first
level with at least MIN_POINTS data points wins:
  L1 nl-cell      median of the Dutch Sprecher et al. buildings (MIR-DB v1.2) of this use
                  type built in this period;
  L2 nl-use-type  median of the Dutch buildings of this use type (any period);
  L3 nl-function  median of the Dutch buildings of the same MIR-DB function (RS/RM/NR);
  L4 rasmi        RASMI OECD_EU15 p50 for (function, assumed structure);
  L5 mirdb-eu15   median of all MIR-DB v1.2 OECD_EU15 buildings of the same function;
  else 0 (no-data).
Medians are over buildings that report the material (NA = "not reported", not zero).
Concrete and brick: Sprecher's "concrete" column includes "Concrete and brickwork", and brick
is reported separately in only 7 of 61 buildings. Adding a RASMI brick value would double
count, so the Dutch stony total (concrete + brick where reported) is taken by L1-L3 and split
into concrete and brick with the RASMI p50 brick share for (function, structure).
Assumed structures (RASMI needs one): house = masonry (M, Dutch cavity-wall row houses),
apartment and non-residential = concrete (C).
Periods: the MODERATE/EPISCOPE construction bands (1800-1944, 1945-1969, ..., 2011-2030), so a
period split appears wherever Dutch points suffice (L1) and a stock by band maps one-to-one.
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from urbanmine.engine.forecast.tables import USE_TYPES as ENGINE_USE_TYPES  # noqa: E402
from urbanmine.engine.stock import MODERATE_PERIOD_YEARS  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MIN_POINTS = 3

PERIODS = [
    (1800, 1944),
    (1945, 1969),
    (1970, 1979),
    (1980, 1989),
    (1990, 1999),
    (2000, 2010),
    (2011, 2030),
]
USE_TYPES = list(ENGINE_USE_TYPES)
FUNCTION = {"house": "RS", "apartment": "RM"} | {u: "NR" for u in USE_TYPES[2:]}
STRUCTURE = {"house": "M"} | {u: "C" for u in USE_TYPES[1:]}
# Ten materials (MIR-DB names): the stony bulk (concrete, brick, aggregates, mortar_plaster)
# is >90 % of the mass; steel, aluminum, glass, wood carry most of the CO2 and reuse value
# (the report names steel, concrete, brick as the largest CO2 gains); gypsum boards and
# plastics are the main space-plan / finishing fractions with their own recycling routes.
MATERIALS = [
    "concrete",
    "brick",
    "steel",
    "wood",
    "glass",
    "aggregates",
    "mortar_plaster",
    "plaster_board_gypsum",
    "aluminum",
    "plastics",
]
RASMI_MATERIALS = {"concrete", "brick", "wood", "steel", "glass", "plastics", "aluminum", "copper"}
# Sprecher building_type -> platform use type.
BUILDING_TYPE = {
    "Row": "house",
    "Single": "house",
    "Appartment": "apartment",
    "High_rise": "apartment",
    "Office": "office",
    "office": "office",
    "Commercial": "retail",
    "School": "education",
    "Gym hall": "education",
    "Health care": "healthcare",
    "Industrial": "industrial",
    "Industrial, Meeting area": "industrial",
    "Hotel": "other",
    "Meeting area": "other",
    "Other": "other",
}
SPRECHER_DOI = "10.1111/jiec.13143"
SRC_NL = (
    "Sprecher et al. (2022) J. Ind. Ecol. doi:10.1111/jiec.13143, via MIR-DB v1.2 "
    "(Heeren & Fishman 2019, Sci. Data doi:10.1038/s41597-019-0021-x)"
)
SRC_RASMI = "RASMI (Fishman et al. 2024, Sci. Data doi:10.1038/s41597-024-03190-7)"
SRC_MIRDB = "MIR-DB v1.2 (Heeren & Fishman 2019, Sci. Data doi:10.1038/s41597-019-0021-x)"
VER_MIRDB = "MIR-DB v1.2 nheeren/material_intensity_db@350fa3b"
VER_RASMI = "RASMI MI_ranges_20230905 (zenodo 10.5281/zenodo.10124951)"
LIC = "no licence file in the source repository; open-access article (CC BY 4.0): cite it"

# --- lifetimes -------------------------------------------------------------------------
# Calibration target: CBS StatLine 81955ENG "Dwellings and non-residential stock; changes,
# utility function, regions", The Netherlands, June 2022 (from BAG): (initial stock, demolished
# that month), transcribed from https://www.cbs.nl/en-gb/figures/detail/81955eng . Annual rate
# = 12 x monthly demolitions / stock (one month: noisy; objects, not floor area).
CBS_81955_JUNE_2022 = {
    "housing": (8_077_688, 929),
    "office": (94_802, 60),
    "shop": (127_613, 19),
    "education": (13_474, 11),
    "health care": (22_868, 16),
    "industry": (211_918, 71),
    "other": (441_955, 110),
}
LIFETIME_MAP = {  # use type -> (CBS function, MODERATE subsectors for the age structure)
    "house": ("housing", ["Single family- Terraced houses"]),
    "apartment": ("housing", ["Multifamily houses", "Apartment blocks"]),
    "office": ("office", ["Offices"]),
    "retail": ("shop", ["Trade"]),
    "education": ("education", ["Education"]),
    "healthcare": ("health care", ["Health"]),
    "industrial": ("industry", ["Other non-residential buildings"]),
    "other": ("other", ["Other non-residential buildings", "Hotels and Restaurants"]),
}
WEIBULL_SHAPE = 2.5  # estimate: one rate cannot identify the shape (see note column)
MODERATE_BANDS = MODERATE_PERIOD_YEARS
CALIBRATION_YEAR = 2022.5


def default_data_dir() -> Path:
    env = os.environ.get("URBANMINE_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "data"


def num(value: str) -> float | None:
    try:
        f = float(value)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


def load_mirdb(data_dir: Path) -> list[dict[str, str]]:
    path = data_dir / "material_intensity" / "mirdb_v1.2_buildings.csv"
    with path.open(encoding="cp1252", newline="") as fh:
        return list(csv.DictReader(fh))


def load_rasmi(data_dir: Path) -> dict[tuple[str, str, str], tuple[float, int]]:
    """(material, function, structure) -> (p50 kg/m2, raw MIR-DB count) for OECD_EU15."""
    import openpyxl

    wb = openpyxl.load_workbook(
        data_dir / "material_intensity" / "RASMI_MI_ranges_20230905.xlsx",
        read_only=True,
        data_only=True,
    )
    out: dict[tuple[str, str, str], tuple[float, int]] = {}
    for sheet in wb.sheetnames:
        rows = wb[sheet].iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(rows)]
        col = {h: i for i, h in enumerate(header)}
        for r in rows:
            if r[col["R5_32"]] == "OECD_EU15":
                out[(sheet, str(r[col["function"]]), str(r[col["structure"]]))] = (
                    float(r[col["p_50"]]),
                    int(r[col["raw_HF_db_count"]]),
                )
    wb.close()
    return out


def period_of(year: int) -> tuple[int, int] | None:
    return next((p for p in PERIODS if p[0] <= year <= p[1]), None)


def derive_intensities(data_dir: Path) -> list[dict[str, object]]:
    rows = load_mirdb(data_dir)
    rasmi = load_rasmi(data_dir)
    dutch = [r for r in rows if r["country"] == "Netherlands" and r["DOI"] == SPRECHER_DOI]
    assert len(dutch) == 61, f"expected 61 Sprecher et al. rows, found {len(dutch)}"
    points: list[tuple[str, str, tuple[int, int] | None, dict[str, str]]] = []
    for r in dutch:
        use = BUILDING_TYPE[r["building_type"]]
        points.append((use, FUNCTION[use], period_of(int(r["construction_period_start"])), r))
    eu15 = [r for r in rows if r["R5_32"] == "OECD_EU15"]

    def stony(r: dict[str, str]) -> float | None:
        c = num(r["concrete"])
        return None if c is None else c + (num(r["brick"]) or 0.0)

    def value(r: dict[str, str], mat: str) -> float | None:
        return stony(r) if mat == "stony" else num(r[mat])

    def dutch_level(use: str, period: tuple[int, int], mat: str) -> tuple[float, int, str] | None:
        levels = [
            ("nl-cell", lambda u, f, p: u == use and p == period),
            ("nl-use-type", lambda u, f, p: u == use),
            ("nl-function", lambda u, f, p: f == FUNCTION[use]),
        ]
        for label, keep in levels:
            vals = [
                v for u, f, p, r in points if keep(u, f, p) and (v := value(r, mat)) is not None
            ]
            if len(vals) >= MIN_POINTS:
                return statistics.median(vals), len(vals), label
        return None

    out: list[dict[str, object]] = []
    for use in USE_TYPES:
        fn, st = FUNCTION[use], STRUCTURE[use]
        for period in PERIODS:
            stony_nl = dutch_level(use, period, "stony")
            assert stony_nl is not None  # every function has >= 3 Dutch concrete points
            c50, c_n = rasmi[("concrete", fn, st)]
            b50, b_n = rasmi[("brick", fn, st)]
            brick_share = b50 / (b50 + c50)
            for mat in MATERIALS:
                if mat in ("concrete", "brick"):
                    total, n, label = stony_nl
                    share = brick_share if mat == "brick" else 1.0 - brick_share
                    kg, src, ver = (
                        total * share,
                        f"{SRC_NL}; split: {SRC_RASMI}",
                        f"{VER_MIRDB}; {VER_RASMI}",
                    )
                    method = (
                        f"{label} median of concrete+brick (n={n}) x RASMI OECD_EU15 {fn}-{st} p50 "
                        f"{mat} share {share:.3f}"
                    )
                elif (nl := dutch_level(use, period, mat)) is not None:
                    kg, n, label = nl
                    src, ver, method = SRC_NL, VER_MIRDB, f"{label} median (n={n})"
                elif mat in RASMI_MATERIALS:
                    kg, n = rasmi[(mat, fn, st)]
                    src, ver, method = (
                        SRC_RASMI,
                        VER_RASMI,
                        f"rasmi OECD_EU15 {fn}-{st} p50 (raw MIR-DB n={n})",
                    )
                else:
                    vals = [
                        v for r in eu15 if r["function"] == fn and (v := num(r[mat])) is not None
                    ]
                    if len(vals) >= MIN_POINTS:
                        kg, n = statistics.median(vals), len(vals)
                        src, ver, method = SRC_MIRDB, VER_MIRDB, f"mirdb-eu15 {fn} median (n={n})"
                    else:
                        kg, n, src, ver, method = 0.0, 0, SRC_MIRDB, VER_MIRDB, "no-data: 0"
                out.append(
                    {
                        "use_type": use,
                        "period_start": period[0],
                        "period_end": period[1],
                        "material": mat,
                        "kg_per_m2": round(kg, 3),
                        "source": src,
                        "version": ver,
                        "licence": LIC,
                        "n_buildings": n,
                        "method": method,
                    }
                )
    return out


def weibull_rate(years: list[float], weights: list[float], shape: float, scale: float) -> float:
    """Floor-area-weighted Weibull hazard (per year) of a stock at CALIBRATION_YEAR."""
    total = sum(weights)
    acc = 0.0
    for y, w in zip(years, weights, strict=True):
        age = max(CALIBRATION_YEAR - y, 0.0)
        acc += w * (shape / scale) * (age / scale) ** (shape - 1.0)
    return acc / total


def derive_lifetimes(data_dir: Path) -> list[dict[str, object]]:
    path = data_dir / "building_stock" / "moderate_netherlands_2020.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        moderate = list(csv.DictReader(fh))
    out: list[dict[str, object]] = []
    for use, (cbs_fn, subsectors) in LIFETIME_MAP.items():
        stock_n, demolished = CBS_81955_JUNE_2022[cbs_fn]
        target = 12.0 * demolished / stock_n
        years: list[float] = []
        weights: list[float] = []
        for r in moderate:
            if r["subsector"] in subsectors:
                a, b = MODERATE_BANDS[r["bage"]]
                for y in range(a, b + 1):
                    years.append(float(y))
                    weights.append(float(r["area_Mm2"]) / (b - a + 1))
        lo, hi = 10.0, 5000.0  # hazard falls as the scale grows: bisection on log scale
        for _ in range(200):
            mid = math.sqrt(lo * hi)
            if weibull_rate(years, weights, WEIBULL_SHAPE, mid) > target:
                lo = mid
            else:
                hi = mid
        scale = round(math.sqrt(lo * hi), 1)
        mean = scale * math.gamma(1.0 + 1.0 / WEIBULL_SHAPE)
        out.append(
            {
                "use_type": use,
                "weibull_shape": WEIBULL_SHAPE,
                "weibull_scale_years": scale,
                "source": (
                    "calibrated: CBS StatLine 81955ENG (June 2022, NL, function "
                    f"'{cbs_fn}': {demolished} demolished of {stock_n}) x MODERATE v1.2 NL 2020 "
                    f"age structure ({'+'.join(subsectors)}; doi:10.5281/zenodo.10655098)"
                ),
                "note": (
                    f"estimate: shape {WEIBULL_SHAPE} assumed (a single demolition rate cannot "
                    f"identify it); scale solved so the floor-area-weighted hazard in mid-2022 equals "
                    f"{target * 100:.3f} %/yr (12 x monthly demolitions / stock; one month, noisy); "
                    f"mean lifetime {mean:.0f} y. Scales of 100-120 y would imply 5-7x the observed "
                    "demolition rate for dwellings"
                ),
            }
        )
    return out


def write_csv(path: Path, rows: list[dict[str, object]]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    tmp.replace(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=default_data_dir())
    parser.add_argument("--out-dir", type=Path, default=REPO / "src" / "urbanmine" / "data")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        print(f"data directory {args.data_dir} not found (set URBANMINE_DATA_DIR)", file=sys.stderr)
        return 1
    mi = derive_intensities(args.data_dir)
    write_csv(args.out_dir / "material_intensity_nl.csv", mi)
    lt = derive_lifetimes(args.data_dir)
    write_csv(args.out_dir / "lifetimes.csv", lt)
    methods: dict[str, int] = defaultdict(int)
    for r in mi:
        methods[str(r["method"]).split(" ", 1)[0]] += 1
    print(
        f"wrote {len(mi)} intensity rows ({dict(methods)}) and {len(lt)} lifetime rows to {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
