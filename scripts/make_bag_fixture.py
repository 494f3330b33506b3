"""Build the BAG GeoPackage fixture `tests/assets/data/bag_denhaag_lv.gpkg` from the
per-building BAG extract of part of Den Haag and Leidschendam-Voorburg.

Source: 3DGI wijklabels test data (github.com/3DGI/wijklabels, tests/data/input_postgres,
data files of commit d3919808, 2023-11-26; code Apache-2.0, data CC BY 4.0 credit 3DGI; the
underlying Kadaster LV BAG extract of 2023-09-04 is public domain / CC0), as copied into
`../shared/data/building_stock_zh/wijklabels_bag_extract/` (see its SOURCES.md):
`insert_bag_pand.sql.gz` (lvbag.pandactueelbestaand) and `insert_bag_verblijfsobject.sql.gz`
(lvbag.verblijfsobjectactueelbestaand).

Written in the layout of PDOK's BAG GeoPackage (`bag-light.gpkg`, ADR 0006): layer `pand`
(identificatie as 16 digits, bouwjaar = oorspronkelijkbouwjaar, status, polygon) and layer
`verblijfsobject` (identificatie, pand_identificatie = the pandref list comma separated,
status, oppervlakte, gebruiksdoel comma separated, point), EPSG:28992, every status kept
(the import's filters are tested on the real ones).

The full extract (15,380 panden) makes a GeoPackage of several MB, so the committed fixture
is the panden whose surface point lies in a window across the border of the two
municipalities (default: x 84,000–85,000, y 455,200–456,200; about 1.3 MB) and the units
that reference them.

Usage: python scripts/make_bag_fixture.py [--all] [--out PATH]
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

SOURCE = ROOT.parent / "shared" / "data" / "building_stock_zh" / "wijklabels_bag_extract"
OUT = ROOT / "tests" / "assets" / "data" / "bag_denhaag_lv.gpkg"
WINDOW = (84_000.0, 455_200.0, 85_000.0, 456_200.0)

_TOKEN = re.compile(r"'(?:[^']|'')*'|null|true|false|-?\d+(?:\.\d+)?")
_HEAD = re.compile(r"insert into \S+ \(([^)]*)\)", re.I)


def read_inserts(path: Path) -> list[dict[str, object]]:
    """Rows of a PostgreSQL `insert ... values (...), (...);` dump, one row per line."""
    rows: list[dict[str, object]] = []
    columns: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            head = _HEAD.search(line)
            if head:
                columns = [c.strip() for c in head.group(1).split(",")]
                continue
            text = line.strip()
            if text.startswith("values"):
                text = text[len("values") :].strip()
            if not text.startswith("("):
                continue
            values: list[object] = []
            for tok in _TOKEN.findall(text):
                if tok == "null":
                    values.append(None)
                elif tok in ("true", "false"):
                    values.append(tok == "true")
                elif tok.startswith("'"):
                    values.append(tok[1:-1].replace("''", "'"))
                else:
                    values.append(float(tok) if "." in tok else int(tok))
            if len(values) != len(columns):
                raise ValueError(f"{path.name}: {len(values)} values for {len(columns)} columns")
            rows.append(dict(zip(columns, values, strict=True)))
    return rows


def _plain(bag_id: str) -> str:
    return re.sub(r"^NL\.IMBAG\.(Pand|Verblijfsobject)\.", "", bag_id)


def _array(text: object) -> list[str]:
    return [p for p in str(text or "").strip("{}").split(",") if p]


def build(out: Path, window: tuple[float, float, float, float] | None) -> tuple[int, int]:
    import shapely

    from urbanmine.engine.bag import write_bag_geopackage

    panden_src = read_inserts(SOURCE / "insert_bag_pand.sql.gz")
    units_src = read_inserts(SOURCE / "insert_bag_verblijfsobject.sql.gz")
    geoms = shapely.from_wkb([bytes.fromhex(str(r["geometrie"])) for r in panden_src])
    points = shapely.point_on_surface(geoms)
    xs, ys = shapely.get_x(points), shapely.get_y(points)
    panden, kept = [], set()
    for r, g, x, y in zip(panden_src, geoms, xs, ys, strict=True):
        if window and not (window[0] <= x <= window[2] and window[1] <= y <= window[3]):
            continue
        pid = _plain(str(r["identificatie"]))
        kept.add(pid)
        panden.append(
            {
                "identificatie": pid,
                "bouwjaar": r["oorspronkelijkbouwjaar"],
                "status": r["status"],
                "geometry": shapely.to_wkb(g, include_srid=False),
            }
        )
    units = []
    for r in units_src:
        refs = [_plain(p) for p in _array(r["pandref"])]
        if not any(p in kept for p in refs):
            continue
        point = shapely.from_wkb(bytes.fromhex(str(r["geometrie"])))
        units.append(
            {
                "identificatie": _plain(str(r["identificatie"])),
                "pand_identificatie": ",".join(refs),
                "status": r["status"],
                "oppervlakte": r["oppervlakte"],
                "gebruiksdoel": ",".join(_array(r["gebruiksdoel"])),
                "geometry": shapely.to_wkb(point, include_srid=False),
            }
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    write_bag_geopackage(out, panden, units)
    return len(panden), len(units)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="the whole extract, no window")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    n_p, n_v = build(args.out, None if args.all else WINDOW)
    size = args.out.stat().st_size
    print(f"{args.out}: {n_p} panden, {n_v} verblijfsobjecten, {size / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
