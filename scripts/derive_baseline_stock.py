"""Derive the tables behind the province forecast and the municipality register from the
public files in ../shared/data (read-only), into src/urbanmine/data/ (what the installed
product reads; it never reads ../shared).

Usage: python scripts/derive_baseline_stock.py [DATA_DIR] [--out-dir DIR]
DATA_DIR defaults to $URBANMINE_DATA_DIR, else ../shared/data next to the repository.

Tables written (sources, versions and licences in src/urbanmine/data/SOURCES.md):

- municipalities_nl.csv: the 342 municipalities of 2024 (code, name, province, population
  1-1-2024). Bron: CBS, Gebieden in Nederland 2024.
- municipalities_nl.geojson: their boundaries, simplified for the dashboard map and the
  point lookup (Douglas-Peucker, 0.0005 degrees, coordinates to 4 decimals).
- moderate_nl_2020_mix.csv: floor area of the Dutch stock by urbanmine use type x
  MODERATE construction period (MODERATE v1.2, NL 2020); the demo samples it and the
  baseline splits non-residential floor area by it.
- baseline_floor_area_per_dwelling.csv: mean usable floor area per dwelling by house /
  apartment x ETLocal construction period, from the BAG extract of Den Haag and
  Leidschendam-Voorburg (3DGI wijklabels test data; BAG CC0).
- baseline_stock_zh.csv: per ZH municipality x use type x construction period: dwellings
  and floor area (m2). Dwellings: ETLocal 2023 types x periods rescaled to the CBS 2024
  dwelling stock; floor area = dwellings x the floor area per dwelling above. Non-residential:
  ETLocal's utility floor area (weq x 130 m2) split by the MODERATE NL non-residential mix.
- baseline_municipalities_zh.csv: per ZH municipality: population, dwellings (CBS 2024,
  ETLocal 2023), non-residential floor area, demolitions and dwelling-years 2012-2020
  (CBS 81955NED), the shrunk demolition rate, the hazard multiplier that makes the
  calibrated national lifetimes reproduce it, and the dwelling programme per year.
- baseline_programme_zh.csv: construction programme per municipality x use type, m2 a year.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
from urbanmine.engine.stock import MODERATE_PERIOD_YEARS, MODERATE_USE_TYPES  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "urbanmine" / "data"

ZUID_HOLLAND = "PV28"
#: ETLocal construction periods -> inclusive years. The open first band starts at 1880 (as
#: the MODERATE band "Before 1945" in engine/stock.py); the last ends at 2023, ETLocal's
#: analysis year.
ETLOCAL_PERIODS: dict[str, tuple[int, int]] = {
    "before_1945": (1880, 1944),
    "1945_1964": (1945, 1964),
    "1965_1984": (1965, 1984),
    "1985_2004": (1985, 2004),
    "2005_present": (2005, 2023),
}
#: ETLocal housing types -> urbanmine use type (terraced includes corner houses).
ETLOCAL_TYPES: dict[str, str] = {
    "apartments": "apartment",
    "terraced_houses": "house",
    "semi_detached_houses": "house",
    "detached_houses": "house",
}
#: MODERATE construction periods and subsectors: the vocabulary of engine/stock.py.
MODERATE_PERIODS = MODERATE_PERIOD_YEARS
NONRES_USE_TYPES = ("office", "retail", "education", "healthcare", "other")
#: ETLocal expresses utility floor area in "woningequivalent" of 130 m2 (commits.yml).
M2_PER_WEQ = 130.0
#: Voorne aan Zee (2023) = Brielle + Hellevoetsluis + Westvoorne (CBS).
MERGED_INTO = {"GM0501": "GM1992", "GM0530": "GM1992", "GM0614": "GM1992"}
#: Plan-capacity names (2021 layout) that differ from CBS 2024 names.
PLAN_NAME_ALIASES = {
    "Brielle": "GM1992",
    "Hellevoetsluis": "GM1992",
    "Westvoorne": "GM1992",
}
#: Prior weight of the provincial demolition rate, in dwelling-years (empirical-Bayes
#: shrinkage: a municipality with D demolitions over N dwelling-years gets
#: (D + K r_ZH) / (N + K)); 50,000 ~ 9 years of a 5,500-dwelling municipality.
SHRINK_DWELLING_YEARS = 50_000.0
#: The hazard is matched in the middle of the observation window 2012-2020.
CALIBRATION_YEAR = 2016.5
#: Plausible usable floor area of one dwelling (m2); outside: data errors in the extract.
DWELLING_M2_RANGE = (15.0, 500.0)
ACTIVE_VBO = {"Verblijfsobject in gebruik", "Verbouwing verblijfsobject"}
ACTIVE_PAND = {"Pand in gebruik", "Pand in gebruik (niet ingemeten)", "Verbouwing pand"}
#: Non-residential construction per year in Zuid-Holland (m2), by use type: the documented
#: assumption of engine/forecast/scenario.py (DEFAULT_PROGRAMME_M2), kept; spread over the
#: municipalities by their share of the province's non-residential floor area.
NONRES_PROGRAMME_M2 = {
    "office": 200_000.0,
    "retail": 100_000.0,
    "education": 150_000.0,
    "healthcare": 150_000.0,
    "industrial": 500_000.0,
    "other": 100_000.0,
}


def _default_data_dir() -> Path:
    env = os.environ.get("URBANMINE_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _strip(row: dict) -> dict:
    return {(k or "").strip(): (v or "").strip() for k, v in row.items()}


# --------------------------------------------------------------------------- municipalities
def municipalities(data: Path) -> list[dict]:
    path = data / "gemeenten" / "cbs_gebieden_in_nederland_2024.csv"
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [_strip(r) for r in csv.DictReader(fh, delimiter=";")]
    out = [
        {
            "code": r["Code_1"],
            "name": r["Naam_2"],
            "province_code": r["Code_26"],
            "province_name": r["Naam_27"],
            "population": int(r["Inwonertal_54"] or 0),
        }
        for r in rows
    ]
    return sorted(out, key=lambda r: r["code"])


def boundaries(data: Path, names: dict[str, str]) -> dict:
    from shapely.geometry import mapping, shape

    with open(data / "gemeenten" / "gemeenten_2023-2025_342.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]

    def rounded(coords):
        if isinstance(coords[0], (int, float)):
            return [round(coords[0], 4), round(coords[1], 4)]
        return [rounded(c) for c in coords]

    out = []
    for f in sorted(features, key=lambda f: f["properties"]["gemeenteCode"]):
        code = f["properties"]["gemeenteCode"]
        geom = shape(f["geometry"]).simplify(0.0005, preserve_topology=True)
        g = mapping(geom)
        out.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": names[code]},
                "geometry": {"type": g["type"], "coordinates": rounded(g["coordinates"])},
            }
        )
    return {"type": "FeatureCollection", "features": out}


# --------------------------------------------------------------------------- MODERATE
def moderate_mix(data: Path) -> list[dict]:
    """Floor area (m2) of the Dutch stock per use type x MODERATE period."""
    area: dict[tuple[str, str], float] = defaultdict(float)
    with open(data / "building_stock" / "moderate_netherlands_2020.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            use = MODERATE_USE_TYPES.get(r["subsector"])
            if r["country_code"] != "NLD" or use is None or r["bage"] not in MODERATE_PERIODS:
                continue
            area[(use, r["bage"])] += float(r["area_Mm2"] or 0) * 1e6
    rows = []
    for (use, band), m2 in area.items():
        start, end = MODERATE_PERIODS[band]
        rows.append(
            {"use_type": use, "period_start": start, "period_end": end, "floor_area_m2": round(m2)}
        )
    return sorted(rows, key=lambda r: (r["use_type"], r["period_start"]))


# --------------------------------------------------------------------------- BAG extract
def _period_of(year: int) -> str | None:
    for name, (a, b) in ETLOCAL_PERIODS.items():
        if a <= year <= b or (name == "before_1945" and year < a):
            return name
    return "2005_present" if year > 2023 else None


def floor_area_per_dwelling(zh: Path) -> list[dict]:
    """Mean usable floor area per dwelling by house/apartment x ETLocal period.

    A building (pand) with one dwelling (a VBO with woonfunctie) is a house, one with more is
    an apartment building. Active VBOs and panden only; areas outside DWELLING_M2_RANGE left
    out (counted)."""
    path = zh / "derived" / "wijklabels_bag_vbo_denhaag_lv_flat.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        vbos = [
            r
            for r in csv.DictReader(fh)
            if r["status"] in ACTIVE_VBO
            and r["pand_status"] in ACTIVE_PAND
            and "woonfunctie" in r["gebruiksdoel"].split("|")
            and r["pand_oorspronkelijkbouwjaar"]
        ]
    per_pand: dict[str, int] = defaultdict(int)
    for r in vbos:
        per_pand[r["pand_id"]] += 1
    acc: dict[tuple[str, str], list[float]] = defaultdict(list)
    dropped: dict[tuple[str, str], int] = defaultdict(int)
    for r in vbos:
        use = "house" if per_pand[r["pand_id"]] == 1 else "apartment"
        period = _period_of(int(r["pand_oorspronkelijkbouwjaar"]))
        if period is None:
            continue
        m2 = float(r["oppervlakte_m2"] or 0)
        if DWELLING_M2_RANGE[0] <= m2 <= DWELLING_M2_RANGE[1]:
            acc[(use, period)].append(m2)
        else:
            dropped[(use, period)] += 1
    rows = []
    for use in ("house", "apartment"):
        for period, (a, b) in ETLOCAL_PERIODS.items():
            values = acc[(use, period)]
            rows.append(
                {
                    "use_type": use,
                    "period": period,
                    "period_start": a,
                    "period_end": b,
                    "m2_per_dwelling": round(sum(values) / len(values), 1),
                    "n_dwellings": len(values),
                    "n_left_out": dropped[(use, period)],
                }
            )
    return rows


# --------------------------------------------------------------------------- ETLocal + CBS
def etlocal_zh(zh: Path) -> dict[str, dict]:
    path = zh / "derived" / "zh_etlocal2023_dwellings_by_type_period.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        return {r["geo_id"]: r for r in csv.DictReader(fh)}


def kwb_zh(zh: Path) -> dict[str, dict]:
    with open(zh / "derived" / "zh_cbs_kwb2024_gemeenten.csv", encoding="utf-8") as fh:
        return {r["gemeentecode"]: r for r in csv.DictReader(fh)}


def demolitions_2012_2020(zh: Path, codes: set[str]) -> dict[str, dict[str, float]]:
    """Demolitions (Sloop), dwelling-years (BeginstandVoorraad) and new-build per current
    code, 2012-2020 (CBS 81955NED, dwellings); predecessors summed into their successor."""
    out: dict[str, dict[str, float]] = {
        c: {"sloop": 0.0, "dwelling_years": 0.0, "newbuild": 0.0, "years": 0.0} for c in codes
    }
    path = zh / "ftm_plancapaciteit" / "cbs_woningvoorraad_gemeenten_2012-2020.csv"
    seen: dict[str, set[str]] = defaultdict(set)
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter=";"):
            code = MERGED_INTO.get(r["RegioS"].strip(), r["RegioS"].strip())
            if code not in out:
                continue
            acc = out[code]
            acc["sloop"] += float(r["Sloop_4"] or 0)
            acc["dwelling_years"] += float(r["BeginstandVoorraad_1"] or 0)
            acc["newbuild"] += float(r["Nieuwbouw_2"] or 0)
            seen[code].add(r["Perioden"][:4])
    for code, acc in out.items():
        acc["years"] = float(len(seen[code]))
    return out


def plan_capacity_zh(zh: Path, name_to_code: dict[str, str]) -> dict[str, float]:
    """Planned housing capacity 2021-2030 ('totaal', hard + soft) per current code."""
    import openpyxl

    wb = openpyxl.load_workbook(
        zh / "ftm_plancapaciteit" / "plancapaciteit_databewijst.xlsx", read_only=True
    )
    rows = list(wb["plancapaciteit_nl"].iter_rows(values_only=True))
    head = list(rows[0])
    i_prov, i_name, i_total = head.index("provincie"), head.index("gemeente"), head.index("totaal")
    out: dict[str, float] = defaultdict(float)
    for r in rows[1:]:
        if r[i_prov] != "Zuid-Holland":
            continue
        name = str(r[i_name]).strip()
        code = PLAN_NAME_ALIASES.get(name) or name_to_code.get(name.lower())
        if code is None:
            raise SystemExit(f"plan capacity: municipality {name!r} has no CBS code")
        out[code] += float(r[i_total] or 0)
    return dict(out)


def read_lifetimes() -> dict[str, tuple[float, float]]:
    with open(OUT / "lifetimes.csv", encoding="utf-8", newline="") as fh:
        return {
            r["use_type"]: (float(r["weibull_shape"]), float(r["weibull_scale_years"]))
            for r in csv.DictReader(fh)
        }


def _hazard(age: float, shape: float, scale: float) -> float:
    """Weibull hazard h(a) = (k / lambda) (a / lambda)^(k - 1)."""
    return (shape / scale) * (max(age, 0.0) / scale) ** (shape - 1)


def modelled_dwelling_hazard(cells: list[dict], lifetimes) -> float:
    """Dwelling-weighted hazard of the national lifetimes over a municipality's dwellings
    standing at CALIBRATION_YEAR (each period spread evenly over its years)."""
    num = den = 0.0
    for c in cells:
        if c["use_type"] not in ("house", "apartment") or not c["dwellings"]:
            continue
        shape, scale = lifetimes[c["use_type"]]
        years = [y for y in range(c["period_start"], c["period_end"] + 1) if y < CALIBRATION_YEAR]
        if not years:
            continue
        per_year = c["dwellings"] / (c["period_end"] - c["period_start"] + 1)
        for y in years:
            num += per_year * _hazard(CALIBRATION_YEAR - y, shape, scale)
            den += per_year
    return num / den if den else 0.0


def derive(data: Path) -> dict[str, list[dict] | dict]:
    zh_dir = data / "building_stock_zh"
    munis = municipalities(data)
    names = {m["code"]: m["name"] for m in munis}
    zh_codes = sorted(m["code"] for m in munis if m["province_code"] == ZUID_HOLLAND)
    name_to_code = {m["name"].lower(): m["code"] for m in munis if m["code"] in zh_codes}
    name_to_code["rijswijk"] = "GM0603"  # CBS: "Rijswijk (ZH.)"
    etl, kwb = etlocal_zh(zh_dir), kwb_zh(zh_dir)
    missing = [c for c in zh_codes if c not in etl or c not in kwb]
    if missing:
        raise SystemExit(f"no ETLocal/KWB row for {missing}")
    fapd = floor_area_per_dwelling(zh_dir)
    m2_per = {(r["use_type"], r["period"]): r["m2_per_dwelling"] for r in fapd}
    mix = moderate_mix(data)
    nonres_mix = [r for r in mix if r["use_type"] in NONRES_USE_TYPES]
    nonres_total = sum(r["floor_area_m2"] for r in nonres_mix)
    lifetimes = read_lifetimes()
    dem = demolitions_2012_2020(zh_dir, set(zh_codes))
    plan = plan_capacity_zh(zh_dir, name_to_code)

    stock: list[dict] = []
    per_mun: list[dict] = []
    cells_by_mun: dict[str, list[dict]] = {}
    for code in zh_codes:
        e = etl[code]
        cbs_dwellings = float(kwb[code]["woningvoorraad"])
        etl_dwellings = float(e["residences_total"])
        factor = cbs_dwellings / etl_dwellings
        dwell: dict[tuple[str, str], float] = defaultdict(float)
        for etype, use in ETLOCAL_TYPES.items():
            for period in ETLOCAL_PERIODS:
                dwell[(use, period)] += float(e[f"present_number_of_{etype}_{period}"]) * factor
        cells = []
        for use in ("house", "apartment"):
            for period, (a, b) in ETLOCAL_PERIODS.items():
                n = dwell[(use, period)]
                cells.append(
                    {
                        "municipality_code": code,
                        "use_type": use,
                        "period_start": a,
                        "period_end": b,
                        "dwellings": round(n, 1),
                        "floor_area_m2": round(n * m2_per[(use, period)]),
                    }
                )
        nonres_m2 = float(e["present_number_of_buildings"]) * M2_PER_WEQ
        for r in nonres_mix:
            cells.append(
                {
                    "municipality_code": code,
                    "use_type": r["use_type"],
                    "period_start": r["period_start"],
                    "period_end": r["period_end"],
                    "dwellings": 0,
                    "floor_area_m2": round(nonres_m2 * r["floor_area_m2"] / nonres_total),
                }
            )
        stock.extend(cells)
        cells_by_mun[code] = cells
        per_mun.append(
            {
                "code": code,
                "name": names[code],
                "population": int(kwb[code]["aantal_inwoners"]),
                "dwellings_cbs_2024": int(cbs_dwellings),
                "dwellings_etlocal_2023": int(etl_dwellings),
                "rescale_factor": round(factor, 5),
                "nonres_floor_area_m2": round(nonres_m2),
            }
        )

    total_sloop = sum(d["sloop"] for d in dem.values())
    total_dy = sum(d["dwelling_years"] for d in dem.values())
    r_zh = total_sloop / total_dy
    total_nonres = sum(m["nonres_floor_area_m2"] for m in per_mun)
    programme: list[dict] = []
    for m in per_mun:
        code = m["code"]
        d = dem[code]
        observed = d["sloop"] / d["dwelling_years"] if d["dwelling_years"] else 0.0
        shrunk = (d["sloop"] + SHRINK_DWELLING_YEARS * r_zh) / (
            d["dwelling_years"] + SHRINK_DWELLING_YEARS
        )
        modelled = modelled_dwelling_hazard(cells_by_mun[code], lifetimes)
        newbuild_per_year = d["newbuild"] / d["years"] if d["years"] else 0.0
        plan_per_year = plan.get(code, 0.0) / 10.0
        dwellings_per_year = (newbuild_per_year + plan_per_year) / 2.0
        # House/apartment split and size: the municipality's own dwellings of 2005-2023.
        recent = {
            c["use_type"]: c["dwellings"] for c in cells_by_mun[code] if c["period_start"] == 2005
        }
        apt_share = recent["apartment"] / max(recent["apartment"] + recent["house"], 1e-9)
        m.update(
            {
                "demolitions_2012_2020": int(d["sloop"]),
                "dwelling_years_2012_2020": int(d["dwelling_years"]),
                "demolition_rate_observed": round(observed, 6),
                "demolition_rate": round(shrunk, 6),
                "modelled_hazard_national": round(modelled, 6),
                "hazard_multiplier": round(shrunk / modelled, 4) if modelled else 1.0,
                "newbuild_per_year_2012_2020": round(newbuild_per_year, 1),
                "plan_capacity_2021_2030": int(plan.get(code, 0.0)),
                "programme_dwellings_per_year": round(dwellings_per_year, 1),
                "programme_apartment_share": round(apt_share, 4),
            }
        )
        for use, share in (("house", 1 - apt_share), ("apartment", apt_share)):
            programme.append(
                {
                    "municipality_code": code,
                    "use_type": use,
                    "m2_per_year": round(
                        dwellings_per_year * share * m2_per[(use, "2005_present")]
                    ),
                    "basis": "dwellings: mean of CBS new-build 2012-2020 and plan capacity "
                    "2021-2030 / 10",
                }
            )
        for use, m2 in NONRES_PROGRAMME_M2.items():
            programme.append(
                {
                    "municipality_code": code,
                    "use_type": use,
                    "m2_per_year": round(m2 * m["nonres_floor_area_m2"] / total_nonres),
                    "basis": "province assumption x share of the non-residential floor area",
                }
            )
    meta = {"provincial_demolition_rate": r_zh}
    return {
        "municipalities": munis,
        "boundaries": boundaries(data, names),
        "moderate": mix,
        "floor_area_per_dwelling": fapd,
        "stock": stock,
        "baseline_municipalities": per_mun,
        "programme": programme,
        "meta": meta,
    }


def _write_csv(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)


def write(tables: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(out / "municipalities_nl.csv", tables["municipalities"])
    with open(out / "municipalities_nl.geojson", "w", encoding="utf-8") as fh:
        json.dump(tables["boundaries"], fh, separators=(",", ":"), ensure_ascii=False)
        fh.write("\n")
    _write_csv(out / "moderate_nl_2020_mix.csv", tables["moderate"])
    _write_csv(out / "baseline_floor_area_per_dwelling.csv", tables["floor_area_per_dwelling"])
    _write_csv(out / "baseline_stock_zh.csv", tables["stock"])
    _write_csv(out / "baseline_municipalities_zh.csv", tables["baseline_municipalities"])
    _write_csv(out / "baseline_programme_zh.csv", tables["programme"])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data_dir", nargs="?", type=Path, default=_default_data_dir())
    p.add_argument("--out-dir", type=Path, default=OUT)
    args = p.parse_args(argv)
    if not (args.data_dir / "building_stock_zh").is_dir():
        print(f"data directory {args.data_dir} not found (set URBANMINE_DATA_DIR)", file=sys.stderr)
        return 2
    tables = derive(args.data_dir)
    write(tables, args.out_dir)
    stock = tables["stock"]
    res = sum(r["floor_area_m2"] for r in stock if r["use_type"] in ("house", "apartment"))
    non = sum(r["floor_area_m2"] for r in stock) - res
    print(
        f"ZH baseline: {sum(r['dwellings'] for r in stock):,.0f} dwellings, "
        f"{res / 1e6:,.1f} Mm2 residential, {non / 1e6:,.1f} Mm2 non-residential; "
        f"ZH demolition rate 2012-2020 {tables['meta']['provincial_demolition_rate']:.4%}/yr"
    )
    if not math.isfinite(res):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
