"""Derive the impact-factor tables behind compare-reuse and the Top 10.

Writes (from the public data directory; raw files are never copied into the repository):
- src/urbanmine/data/impact_factors.csv: one row per catalogue product group. The virgin
  cradle-to-gate CO2 per kg is recomputed from one named ÖKOBAUDAT 2020-II dataset (UUID)
  per group; reuse processing CO2, prices, service lives and waste shares are labelled
  estimates with their reasoning (no open dataset for them exists in the data directory).
- src/urbanmine/data/transport_factors.csv: kg CO2-eq per tonne-km per transport mode, from
  the ÖKOBAUDAT 2020-II "Transport of goods [t km]" datasets (module A4).

Usage: python scripts/derive_impact_factors.py [DATA_DIR] [--out-dir DIR]
DATA_DIR defaults to $URBANMINE_DATA_DIR, else ../shared/data next to the repository.

Per-kg rule (SOURCES.md): rows with Modul == "A1-A3"; GWP per declared unit divided by the
mass of the declared unit: Bezugsgroesse x (1 for kg, Rohdichte for m3, Flaechengewicht (or
Rohdichte x Schichtdicke) for qm, Laengengewicht for m). The column "Umrechungsfaktor auf
1kg" is not used: in 2020-II it holds the mass for some rows and its reciprocal for others.
"pcs." datasets carry no mass, so those few rows assume a mass per piece and are labelled
`estimate` (the GWP is still the cited one).

Biogenic carbon (wood): EN 15804+A1 books the CO2 taken up by the tree as a negative A1
and releases it in C3. A negative A1-A3 would make a new beam look like a carbon sink and its
reuse look worse than new; the uptake of a new beam is emitted again at its end of life. For
wood-based groups we therefore take A1-A3 + C3 of the same dataset (biogenic carbon in and
out balanced), i.e. the fossil production emissions. Column `gwp_modules` records this.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OBD_FILE = "embodied_carbon/OBD_2020_II.csv"
SOURCE = "ÖKOBAUDAT (BMWSB/BBSR)"
VERSION = "2020-II"
LICENCE = (
    "ÖKOBAUDAT terms of use: free of charge and without restriction (BMI/BMWSB), "
    "no warranty; cite 'ÖKOBAUDAT, BMWSB/BBSR, release 2020-II'"
)


@dataclass(frozen=True)
class Pick:
    """One product group -> one ÖKOBAUDAT dataset, plus the estimates for that group."""

    uuid: str
    name: str  # Name (de) as in the file; checked on read
    virgin_price_eur_per_kg: float  # new product delivered, excl. VAT (estimate)
    disposal_eur_per_kg: float  # gate fee if not reused; negative = scrap revenue (estimate)
    service_life_years: int  # reference service life of the new product (estimate)
    note: str = ""  # why this dataset (proxy caveats)
    wood: bool = False  # A1-A3 + C3 (biogenic carbon balanced)
    # only for datasets without a mass (pcs., or PV per m2): our assumption, row -> estimate
    assumed_mass_kg_per_unit: float | None = None
    reuse_co2_kg_per_kg: float | None = None  # override of the processing-effort rule
    waste_avoided_share: float = 1.0


# fmt: off
# Prices: Dutch list/market prices 2024 of the new product per unit, divided by the
# catalogue's typical mass per unit, rounded. Disposal: NL gate fees 2024 (stony ~12 EUR/t,
# wood ~70, gypsum ~90, insulation ~150, glass ~50) and scrap revenue for metals.
MAPPING: dict[str, Pick] = {
    "roof-tiles-ceramic": Pick("eec9c184-852b-47e5-b380-7ae5af203b65", "Dachziegel", 0.55, 0.012, 75, "German clay roof tile industry average"),
    "roof-tiles-concrete": Pick("1b842259-9cfe-4e41-80b3-df0a11382984", "Dachsteine", 0.25, 0.012, 50, "concrete roof tiles (Dachsteine) industry average"),
    "bricks-clay": Pick("86986c2b-a3fc-454a-b02f-7f62fb54ca87", "Vormauerziegel, Pflasterziegel und Riemchen", 0.30, 0.012, 100, "facing bricks, clay pavers and brick slips, industry average"),
    "facade-bricks-slips": Pick("86986c2b-a3fc-454a-b02f-7f62fb54ca87", "Vormauerziegel, Pflasterziegel und Riemchen", 1.10, 0.012, 60, "same average dataset covers brick slips (Riemchen)"),
    "paving-bricks": Pick("86986c2b-a3fc-454a-b02f-7f62fb54ca87", "Vormauerziegel, Pflasterziegel und Riemchen", 0.25, 0.012, 50, "same average dataset covers clay pavers (Pflasterziegel)"),
    "paving-tiles-concrete": Pick("d4680073-0c9c-40f4-842f-c6830856812c", "Betonpflaster- Standardstein grau mit Vorsatz", 0.13, 0.012, 30, "proxy: concrete paving block average (no tile dataset)"),
    "paving-stones-concrete": Pick("d4680073-0c9c-40f4-842f-c6830856812c", "Betonpflaster- Standardstein grau mit Vorsatz", 0.08, 0.012, 30, "concrete paving block industry average"),
    "kerbs-concrete": Pick("d4680073-0c9c-40f4-842f-c6830856812c", "Betonpflaster- Standardstein grau mit Vorsatz", 0.13, 0.012, 40, "proxy: concrete paving block average (no kerb dataset)"),
    "natural-stone-kerbs": Pick("da4b704a-c901-414f-943f-8e1ff0f4566c", "Natursteinplatte, hart, Außenbereich (Dicke 0,08 m)", 0.50, 0.012, 80, "proxy: hard natural stone outdoor slab 80 mm"),
    "hollow-core-slabs": Pick("9357b7fc-cf0a-45fc-8299-e794e3889a40", "Betonfertigteil Decke 20cm", 0.17, 0.012, 75, "proxy: generic reinforced precast floor slab (no hollow-core dataset)"),
    "prefab-concrete-columns": Pick("a4fb9ec0-d5ae-414b-a0a1-2cf7f586022d", "Betonfertigteil Decke 40cm", 0.60, 0.012, 75, "proxy: generic reinforced precast element; columns carry more reinforcement, so likely an underestimate"),
    "prefab-concrete-beams": Pick("a4fb9ec0-d5ae-414b-a0a1-2cf7f586022d", "Betonfertigteil Decke 40cm", 0.60, 0.012, 75, "proxy: generic reinforced precast element; beams carry more reinforcement, so likely an underestimate"),
    "concrete-sandwich-panels": Pick("b342696e-2ebb-4fe1-a71d-f3520db0cee9", "Betonfertigteil Wand 12cm", 0.31, 0.012, 50, "proxy: precast concrete wall 12 cm; insulation layer not included"),
    "steel-beams": Pick("5cb2c568-76fe-4803-8b46-0084e79800c8", "Baustähle: Offene Walzprofile und Grobbleche", 1.60, -0.25, 75, "European average of hot-rolled sections and plates (bauforumstahl)"),
    "steel-columns": Pick("5cb2c568-76fe-4803-8b46-0084e79800c8", "Baustähle: Offene Walzprofile und Grobbleche", 1.60, -0.25, 75, "European average of hot-rolled sections and plates (bauforumstahl)"),
    "steel-sheet-piles": Pick("5cb2c568-76fe-4803-8b46-0084e79800c8", "Baustähle: Offene Walzprofile und Grobbleche", 1.30, -0.25, 50, "proxy: hot-rolled sections average (sheet piles are hot-rolled)"),
    "steel-guardrails": Pick("35ecb076-3f81-40ed-bd9c-8ffd208a070d", "Feuerverzinktes Stahlband", 2.00, -0.20, 30, "hot-dip galvanised steel strip average (guardrails are galvanised strip profiles)"),
    "timber-beams": Pick("1a70d292-a82c-42a6-a378-d3cbd9a9af4e", "Konstruktionsvollholz (Durchschnitt DE)", 1.20, 0.07, 75, "solid structural softwood (KVH), German average", wood=True),
    "timber-flooring": Pick("2103d7e9-529e-45da-8549-892598dba5f3", "Hobelware (Durchschnitt DE)", 2.90, 0.07, 40, "planed softwood, German average", wood=True),
    "glulam-beams": Pick("a432f3fd-de60-4a11-9acb-b9a21731bacf", "Brettschichtholz - Standardformen (Durchschnitt DE)", 2.10, 0.07, 75, "glulam standard shapes, German average", wood=True),
    "hardwood-piles-timber": Pick("c4272b73-7a14-4be6-ab51-f5bcd6eef989", "Laubschnittholz - getrocknet (Durchschnitt DE)", 1.60, 0.07, 30, "proxy: European sawn hardwood; tropical hardwood shipping not included", wood=True),
    "window-frames-timber": Pick("4127e60a-3c42-4076-83f5-5232b4ed642e", "Holz-Blendrahmen", 8.90, 0.07, 40, "spruce window frame profile; glazing and fittings not included", wood=True),
    "window-frames-aluminium": Pick("dfa64bbb-dc8d-497b-9557-300416b8448f", "Aluminium-Rahmenprofil, thermisch getrennt, pulverbeschichtet", 20.0, -1.20, 50, "thermally broken powder-coated aluminium frame profile; glazing not included"),
    "glazing-double": Pick("132b40bc-5e25-4b1c-983c-3306caf74415", "Glas - Bundesverband Flachglas e.V. - Mehrscheibenisolierglas 2-fach Aufbau", 3.00, 0.05, 25, "double insulating glass unit, industry-association dataset"),
    "glazing-single": Pick("dc96eace-0094-4440-9331-f72fb9430656", "Glas - Bundesverband Flachglas e.V. - Flachglas", 2.50, 0.05, 40, "flat glass, industry-association dataset"),
    "doors-interior": Pick("d0423f9f-f627-4594-bc7c-9452af7c2462", "Röhrenspanplatte (Durchschnitt DE)", 4.00, 0.07, 30, "proxy: tubular chipboard (the core of most interior doors); facings and frame not included", wood=True),
    "doors-exterior": Pick("6f6fdc0b-4163-4f99-92cb-7b9e3008bae4", "3- und 5-Schicht Massivholzplatte (Durchschnitt DE)", 16.0, 0.07, 30, "proxy: 3/5-ply solid wood panel; glass and hardware not included", wood=True),
    "door-hardware": Pick("88559403-7658-48f2-bac9-7986b4d0f4c2", "Edelstahlblech", 50.0, -0.80, 20, "proxy: stainless steel sheet (most handles and hinges are stainless)"),
    "sanitary-ware": Pick("8c3c4cfe-9b0d-426c-bd9c-0e5c0e3e8a97", "Sanitärkeramik", 6.80, 0.012, 30, "sanitary ceramics industry average"),
    "ceiling-tiles": Pick("def9e058-ac16-489e-9457-db7645404194", "Mineralfaser Deckenplatten (Dicke 0,015 m)", 2.00, 0.15, 20, "mineral fibre ceiling board"),
    "ceiling-grid": Pick("35ecb076-3f81-40ed-bd9c-8ffd208a070d", "Feuerverzinktes Stahlband", 4.60, -0.20, 30, "proxy: hot-dip galvanised steel strip (grid profiles are roll-formed galvanised strip)"),
    "raised-floor-tiles": Pick("9cbdbafe-8377-46ca-a640-8e3c8fc518c0", "Stahl Feinblech (0,3-3,0mm)", 1.80, 0.05, 25, "proxy: steel sheet; the (often calcium-sulphate) core is lower-carbon, so likely an overestimate"),
    "plasterboard": Pick("1a24808b-9116-422e-93fb-d435f74a038a", "", 0.45, 0.09, 40, "Knauf gypsum plasterboard type A (made in BG); name only in English in the file"),
    "partition-walls-system": Pick("d44f6388-8e62-4969-8e54-49a3a173f395", "Wandsystem - HT Labor+Hospitaltechnik GmbH - Stahlblech-Paneelwand", 4.00, 0.05, 25, "manufacturer dataset: steel-sheet panel wall system"),
    "insulation-boards": Pick("c5edec42-1921-46c6-a3aa-5cbd27685a74", "EPS-Hartschaum (Styropor ®) für Wände und Dächer W/D-035", 4.30, 0.15, 50, "EPS board industry average; PIR (2c076ee7) is ~20% higher per kg"),
    "mineral-wool": Pick("f8afef87-5de3-4996-838c-1f2af9ef81df", "Mineralwolle (Fassaden-Dämmung)", 2.00, 0.15, 50, "generic mineral wool facade insulation"),
    "roof-bitumen": Pick("ff9336ea-fb7f-4299-8a40-5e9a28538c85", "Bitumenbahnen PYE PV 200 S5 (ungeschiefert) (Dicke 0,004 m)", 2.40, 0.12, 25, "generic polymer-bitumen membrane 4 mm"),
    "solar-panels": Pick("8cfea619-e284-4b6f-a281-46e362a868c4", "Photovoltaiksystem 1000 kWh/m²*a (ohne Stromgutschrift)", 6.00, 0.10, 25, "generic PV system per m2 module area (incl. BOS)", assumed_mass_kg_per_unit=11.8),
    "heat-pumps": Pick("efa279e8-0ac1-4883-b87c-0cb11e17d265", "Strom Wärmepumpe (Luft-Wasser) 7kW", 50.0, -0.30, 15, "generic 7 kW air-water heat pump per piece", assumed_mass_kg_per_unit=120.0),
    "radiators": Pick("c6de5beb-ffe9-4b5f-aba8-c0c2d3528c58", "Heizkörper", 6.00, -0.20, 30, "generic steel panel radiator"),
    "lighting-fixtures": Pick("43991578-721b-4f93-8467-a7683060a26b", "LED Bürobeleuchtung", 30.0, 0.10, 20, "generic LED office luminaire per piece", assumed_mass_kg_per_unit=4.0),
    "cable-trays": Pick("35ecb076-3f81-40ed-bd9c-8ffd208a070d", "Feuerverzinktes Stahlband", 2.30, -0.20, 30, "proxy: hot-dip galvanised steel strip"),
    "hvac-ducts": Pick("b24ae8b5-e28a-42f7-a592-05779a347164", "Lüftungskanal (verzinktes Stahlblech)", 3.30, -0.20, 30, "generic galvanised-steel ventilation duct"),
    "street-furniture": Pick("35ecb076-3f81-40ed-bd9c-8ffd208a070d", "Feuerverzinktes Stahlband", 8.90, -0.20, 20, "proxy: hot-dip galvanised steel (benches, bins, bollards are mostly galvanised steel)"),
    "traffic-signs": Pick("a4c1c27c-53a0-4027-83f6-88c52c758bb1", "Aluminiumblech", 8.30, -1.00, 15, "generic aluminium sheet"),
    "lamp-posts": Pick("35ecb076-3f81-40ed-bd9c-8ffd208a070d", "Feuerverzinktes Stahlband", 8.00, -0.20, 40, "proxy: hot-dip galvanised steel"),
    "concrete-granulate": Pick("bd6aa879-e6e6-4181-afc5-1374b2f32dd1", "Schotter 16/32", 0.020, 0.010, 50, "virgin alternative: crushed stone 16/32 for road base", reuse_co2_kg_per_kg=0.004, waste_avoided_share=0.0),
    "asphalt-granulate": Pick("85de02e5-2782-4050-9c01-c5de3849fbce", "Asphalttragschicht", 0.060, 0.010, 30, "virgin alternative: asphalt base course mix", reuse_co2_kg_per_kg=0.004, waste_avoided_share=0.0),
    "mixed-granulate": Pick("bd6aa879-e6e6-4181-afc5-1374b2f32dd1", "Schotter 16/32", 0.015, 0.012, 50, "virgin alternative: crushed stone 16/32 for road base", reuse_co2_kg_per_kg=0.004, waste_avoided_share=0.0),
    "soil": Pick("61655387-edd4-4800-ba3e-67bc15f2f096", "Sand 0/2", 0.015, 0.020, 100, "virgin alternative: sand 0/2 (undried)", reuse_co2_kg_per_kg=0.004),
    "natural-stone-cladding": Pick("cb3f4a56-460c-4a3e-ae43-3e0a9dcb4319", "Natursteinplatte, hart, Fassade (Dicke 0,030 m)", 1.90, 0.012, 75, "hard natural stone facade slab 30 mm"),
}
# fmt: on

# Reuse processing CO2 (dismantling, cleaning, repair; testing is negligible) per kg: a fixed
# part for machinery and handling plus a share of the virgin factor for energy-intensive
# reconditioning (re-coating steel, sealing glass units), by the catalogue's processing effort.
REUSE_CO2_BASE = {"easy": 0.005, "moderate": 0.015, "hard": 0.03}
REUSE_CO2_SHARE = {"easy": 0.02, "moderate": 0.05, "hard": 0.10}
# Reuse processing cost per kg: labour share of the new price plus handling, by effort.
REUSE_EUR_BASE = {"easy": 0.02, "moderate": 0.05, "hard": 0.08}
REUSE_EUR_SHARE = {"easy": 0.15, "moderate": 0.30, "hard": 0.45}
# Testing and certification cost as a share of the new price, by the catalogue testing burden.
TESTING_SHARE = {1: 0.0, 2: 0.02, 3: 0.05, 4: 0.10, 5: 0.15}
# Material stream (kg per m2 floor area) for materials outside the MIR-DB table: by volume class.
STREAM_FALLBACK = {"bulk": 50.0, "regular": 10.0, "scarce": 1.0}
# Materials the Dutch intensity table lacks: proxy material (estimate): insulation and membranes like plastics (light finishing fractions), copper like aluminium
# (non-ferrous), asphalt and soil like aggregates.
MATERIAL_PROXY = {
    "mineral_wool": "plastics",
    "bitumen": "plastics",
    "copper": "aluminum",
    "asphalt": "aggregates",
    "soil": "aggregates",
}
# Share of a material's stock mass per building layer (estimates; where the catalogue has
# groups of that material in several layers). Structural steel and concrete dominate their
# material's mass; fittings, grids and ducts are a small part. Missing layers split equally.
LAYER_SHARE = {
    "steel": {"structure": 0.75, "space_plan": 0.10, "services": 0.15},
    "concrete": {"structure": 0.85, "skin": 0.15},
    "wood": {"structure": 0.50, "skin": 0.25, "space_plan": 0.25},
    "aluminum": {"skin": 0.80, "services": 0.20},
    "glass": {"skin": 0.90, "services": 0.10},
    "ceramics": {"skin": 0.80, "services": 0.20},
}

TRANSPORT = [
    # mode, uuid, name, eur_per_tkm estimate, note
    ("truck", "f54f1e4c-07e2-4045-9f1b-fb28ef8adf13", "LKW", 0.12, "generic truck; default road mode"),
    ("truck_trailer", "aa391256-fbce-4f8d-b6ff-db6939bf37b2", "LKW-Zug", 0.09, "truck-trailer (40 t)"),
    ("small_truck", "510e8761-8b2d-46a5-b8df-6d1ac321ce92", "Klein-LKW", 0.25, "small truck"),
    ("van", "7f42c7cf-16b7-4f9c-b1e6-29cad918d3f1", "Lieferwagen", 0.60, "delivery van"),
    ("inland_ship", "313e549a-2f91-4f34-8314-02a4b59cbe60", "Binnenschiff (Berg-Tal Durchschnitt)", 0.04, "inland barge, up/downstream average"),
    ("rail", "d00d22e6-4e00-4522-bf0d-6da954e9c0fa", "Bahntransport", 0.05, "rail freight"),
]  # fmt: skip

FACTOR_COLUMNS = [
    "product_group", "material", "virgin_co2_kg_per_kg", "reuse_co2_kg_per_kg",
    "virgin_price_eur_per_kg", "reuse_processing_eur_per_kg", "testing_eur_per_kg",
    "disposal_eur_per_kg", "service_life_years", "waste_avoided_share", "stream_kg_per_m2",
    "source", "source_dataset", "source_uuid", "version", "licence", "status",
    "gwp_modules", "gwp_per_declared_unit", "declared_unit", "mass_kg_per_declared_unit",
    "reuse_status", "cost_status", "note", "estimate_note", "stream_source",
]  # fmt: skip
TRANSPORT_COLUMNS = [
    "mode", "kg_co2_per_tkm", "eur_per_tkm", "source", "source_dataset", "source_uuid",
    "version", "licence", "status", "note",
]  # fmt: skip


class DeriveError(Exception):
    pass


def _num(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_obd(path: Path) -> dict[str, dict[str, dict[str, str]]]:
    """UUID -> Modul -> row (first row per module; scenarios of D are irrelevant here)."""
    rows: dict[str, dict[str, dict[str, str]]] = defaultdict(dict)
    with path.open(encoding="cp1252", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            rows[row["UUID"]].setdefault(row["Modul"], row)
    return rows


def declared_mass_kg(row: dict[str, str], assumed_mass_kg_per_unit: float | None = None) -> float:
    """Mass of one declared unit (Bezugsgroesse x unit) in kg, from the dataset's own fields."""
    qty = _num(row["Bezugsgroesse"])
    unit = row["Bezugseinheit"]
    if qty is None or qty <= 0:
        raise DeriveError(f"{row['UUID']}: Bezugsgroesse {row['Bezugsgroesse']!r} is not usable")
    if unit == "kg":
        per_unit = 1.0
    elif unit == "m3":
        per_unit = _num(row["Rohdichte (kg/m3)"]) or 0.0
    elif unit == "qm":
        per_unit = _num(row["Flaechengewicht (kg/m2)"]) or 0.0
        if not per_unit:
            rho, d = _num(row["Rohdichte (kg/m3)"]), _num(row["Schichtdicke (m)"])
            per_unit = rho * d if rho and d else 0.0
    elif unit == "m":
        per_unit = _num(row["Laengengewicht (kg/m)"]) or 0.0
    elif unit == "pcs.":
        per_unit = 0.0
    else:
        raise DeriveError(f"{row['UUID']}: declared unit {unit!r} not supported")
    if per_unit <= 0 and assumed_mass_kg_per_unit:
        per_unit = assumed_mass_kg_per_unit
    if per_unit <= 0:
        raise DeriveError(f"{row['UUID']}: no mass for declared unit {unit!r}")
    return qty * per_unit


def virgin_per_kg(
    modules: dict[str, dict[str, str]], wood: bool, assumed_mass_kg_per_unit: float | None = None
) -> tuple[float, float, float, str, str]:
    """(kg CO2-eq per kg, GWP per declared unit, mass per declared unit, modules, unit)."""
    a13 = modules.get("A1-A3")
    if a13 is None:
        raise DeriveError("no A1-A3 row")
    gwp = _num(a13["GWP"])
    if gwp is None:
        raise DeriveError(f"{a13['UUID']}: GWP missing for A1-A3")
    label = "A1-A3"
    if wood:
        c3 = modules.get("C3")
        c3_gwp = _num(c3["GWP"]) if c3 else None
        if c3_gwp is None:
            raise DeriveError(f"{a13['UUID']}: wood dataset without a C3 GWP")
        gwp += c3_gwp
        label = "A1-A3+C3"
    mass = declared_mass_kg(a13, assumed_mass_kg_per_unit)
    return gwp / mass, gwp, mass, label, a13["Bezugseinheit"]


def read_catalogue(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def read_streams(path: Path) -> dict[str, float]:
    """Median kg per m2 floor area per material over the Dutch intensity table."""
    values: dict[str, list[float]] = defaultdict(list)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            values[row["material"]].append(float(row["kg_per_m2"]))
    return {m: statistics.median(v) for m, v in values.items()}


def derive(
    data_dir: Path, repo: Path = REPO
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    obd = read_obd(data_dir / OBD_FILE)
    catalogue = read_catalogue(repo / "src/urbanmine/data/catalogue.csv")
    streams = read_streams(repo / "src/urbanmine/data/material_intensity_nl.csv")
    codes = [c["code"] for c in catalogue]
    bu_groups: dict[tuple[str, str], int] = defaultdict(int)
    bu_layers: dict[str, set[str]] = defaultdict(set)
    gww_groups: dict[str, int] = defaultdict(int)
    for c in catalogue:
        if c["scope"] == "gww":
            gww_groups[c["material"]] += 1
        else:
            bu_groups[(c["material"], c["layer"])] += 1
            bu_layers[c["material"]].add(c["layer"])
    missing = sorted(set(codes) - set(MAPPING))
    extra = sorted(set(MAPPING) - set(codes))
    if missing or extra:
        raise DeriveError(f"mapping out of date: missing {missing}, not in catalogue {extra}")
    rows: list[dict[str, object]] = []
    for cat in catalogue:
        code = cat["code"]
        pick = MAPPING[code]
        modules = obd.get(pick.uuid)
        if not modules:
            raise DeriveError(f"{code}: UUID {pick.uuid} not in {OBD_FILE}")
        a13 = modules["A1-A3"]
        if pick.name and a13["Name (de)"] != pick.name:
            raise DeriveError(
                f"{code}: UUID {pick.uuid} is {a13['Name (de)']!r}, not {pick.name!r}"
            )
        per_kg, gwp, mass, label, unit = virgin_per_kg(
            modules, pick.wood, pick.assumed_mass_kg_per_unit
        )
        effort = cat["processing_effort"]
        if pick.reuse_co2_kg_per_kg is not None:
            reuse_co2 = pick.reuse_co2_kg_per_kg
            reuse_why = "crushing/screening/loading ~1.5 l diesel per t (bulk, not effort rule)"
        else:
            reuse_co2 = REUSE_CO2_BASE[effort] + REUSE_CO2_SHARE[effort] * max(per_kg, 0.0)
            reuse_why = (
                f"{effort}: {REUSE_CO2_BASE[effort]} kg/kg machinery + "
                f"{REUSE_CO2_SHARE[effort]:.0%} of virgin for reconditioning"
            )
        price = pick.virgin_price_eur_per_kg
        processing = REUSE_EUR_BASE[effort] + REUSE_EUR_SHARE[effort] * price
        testing = TESTING_SHARE[int(cat["testing_burden"])] * price
        material = cat["material"]
        proxy = MATERIAL_PROXY.get(material, material)
        if proxy in streams:
            material_stream = streams[proxy]
            stream_source = f"median {proxy} over material_intensity_nl.csv (MIR-DB v1.2 / RASMI)"
            if proxy != material:
                stream_source += f"; estimate: {material} proxied by {proxy}"
        else:
            material_stream = STREAM_FALLBACK[cat["volume_scarcity"]]
            stream_source = (
                f"estimate: no Dutch intensity for {material}, {cat['volume_scarcity']} class"
            )
        if cat["scope"] == "gww":
            share = 1.0 / gww_groups[material]
            stream_source += f"; estimate: 1/{gww_groups[material]} of the material (GWW proxy)"
        else:
            layers = bu_layers[material]
            layer_share = LAYER_SHARE.get(material, {}).get(cat["layer"], 1.0 / len(layers))
            n = bu_groups[(material, cat["layer"])]
            share = layer_share / n
            stream_source += f"; estimate: layer share {layer_share:.2f} / {n} group(s)"
        stream = material_stream * share
        dataset = a13["Name (de)"] or a13["Name (en)"]
        try:
            declared_mass_kg(a13)
            mass_assumed = False
        except DeriveError:
            mass_assumed = True
        status = "estimate" if mass_assumed else "cited"
        note = pick.note
        if mass_assumed:
            note += f"; GWP per declared unit cited, mass {pick.assumed_mass_kg_per_unit} kg per {unit} assumed"
        rows.append(
            {
                "product_group": code,
                "material": material,
                "virgin_co2_kg_per_kg": round(per_kg, 6),
                "reuse_co2_kg_per_kg": round(reuse_co2, 6),
                "virgin_price_eur_per_kg": price,
                "reuse_processing_eur_per_kg": round(processing, 4),
                "testing_eur_per_kg": round(testing, 4),
                "disposal_eur_per_kg": pick.disposal_eur_per_kg,
                "service_life_years": pick.service_life_years,
                "waste_avoided_share": pick.waste_avoided_share,
                "stream_kg_per_m2": round(stream, 2),
                "source": SOURCE,
                "source_dataset": dataset,
                "source_uuid": pick.uuid,
                "version": VERSION,
                "licence": LICENCE,
                "status": status,
                "gwp_modules": label,
                "gwp_per_declared_unit": gwp,
                "declared_unit": f"{a13['Bezugsgroesse']} {unit}",
                "mass_kg_per_declared_unit": mass,
                "reuse_status": "estimate",
                "cost_status": "estimate",
                "note": note,
                "estimate_note": (
                    f"reuse CO2 {reuse_why}; processing {REUSE_EUR_SHARE[effort]:.0%} of new "
                    f"price + {REUSE_EUR_BASE[effort]} EUR/kg handling; testing "
                    f"{TESTING_SHARE[int(cat['testing_burden'])]:.0%} of new price (burden "
                    f"{cat['testing_burden']}); prices NL 2024 list prices / typical mass"
                ),
                "stream_source": stream_source,
            }
        )
    transport: list[dict[str, object]] = []
    for mode, uuid, name, eur, note in TRANSPORT:
        row = obd.get(uuid, {}).get("A4")
        if row is None or row["Name (de)"] != name:
            raise DeriveError(f"transport {mode}: UUID {uuid} ({name}) not found as A4")
        if row["Bezugseinheit"] != "kgkm" or _num(row["Bezugsgroesse"]) != 1000:
            raise DeriveError(f"transport {mode}: unexpected declared unit")
        transport.append(
            {
                "mode": mode,
                # declared unit 1000 kgkm = 1 tkm
                "kg_co2_per_tkm": _num(row["GWP"]),
                "eur_per_tkm": eur,
                "source": SOURCE,
                "source_dataset": name,
                "source_uuid": uuid,
                "version": VERSION,
                "licence": LICENCE,
                "status": "cited",
                "note": f"{note}; A4, declared unit 1000 kgkm = 1 tkm; eur_per_tkm is an estimate",
            }
        )
    return rows, transport


def write_csv(path: Path, columns: list[str], rows: list[dict[str, object]]) -> None:
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(path)


def default_data_dir() -> Path:
    env = os.environ.get("URBANMINE_DATA_DIR")
    return Path(env) if env else REPO.parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=None)
    parser.add_argument("--out-dir", type=Path, default=REPO / "src/urbanmine/data")
    args = parser.parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    try:
        rows, transport = derive(data_dir)
    except (DeriveError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    write_csv(args.out_dir / "impact_factors.csv", FACTOR_COLUMNS, rows)
    write_csv(args.out_dir / "transport_factors.csv", TRANSPORT_COLUMNS, transport)
    print(
        f"wrote {len(rows)} product groups and {len(transport)} transport modes to {args.out_dir}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
