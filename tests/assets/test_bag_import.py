"""`urbanmine import-bag`: real BAG buildings (the Den Haag / Leidschendam-Voorburg fixture
in PDOK's GeoPackage layout) become assets with an estimated passport; re-imports update by
BAG id; bad features are named and skipped; bad files store nothing (ADR 0006)."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
import shapely
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import CommandError

from urbanmine.assets.models import Asset, PassportEstimate
from urbanmine.assets.permissions import assets_visible_to
from urbanmine.assets.services import UNKNOWN_OWNER_NAME
from urbanmine.engine.bag import write_bag_geopackage
from urbanmine.organisations.models import Organisation

FIXTURE = Path(__file__).parent / "data" / "bag_denhaag_lv.gpkg"
THIS_YEAR = 2026


def edit(path: Path, *statements: tuple[str, tuple]) -> None:
    """Change attributes of a GeoPackage with plain SQL. GDAL's R-tree triggers call
    SpatiaLite functions sqlite3 lacks; attribute edits leave the R-tree right, so drop them."""
    con = sqlite3.connect(path)
    for (name,) in con.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'rtree_%'"
    ).fetchall():
        con.execute(f'DROP TRIGGER "{name}"')
    for sql, params in statements:
        con.execute(sql, params)
    con.commit()
    con.close()


def run(*args: str) -> dict:
    out = StringIO()
    call_command("import_bag", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def run_failing(*args: str) -> tuple[CommandError, dict]:
    out = StringIO()
    with pytest.raises(CommandError) as e:
        call_command("import_bag", *args, "--format", "json", stdout=out)
    return e.value, json.loads(out.getvalue())


# ------------------------------------------------------------- an independent count
def _period(year: int) -> str:
    for label, lo, hi in [
        ("before 1945", 1000, 1944), ("1945-1969", 1945, 1969), ("1970-1979", 1970, 1979),
        ("1980-1989", 1980, 1989), ("1990-1999", 1990, 1999), ("2000-2010", 2000, 2010),
        ("2011-2020", 2011, 2020),
    ]:  # fmt: skip
        if lo <= year <= hi:
            return label
    return "2021 and later"


def independent_count(path: Path) -> dict:
    """The buildings the fixture should register, counted from its tables with plain SQL and
    Python, following ADR 0006's rules written out again (not the importer's code)."""
    con = sqlite3.connect(path)
    standing = {
        "Pand in gebruik", "Pand in gebruik (niet ingemeten)", "Verbouwing pand",
        "Sloopvergunning verleend", "Pand buiten gebruik",
    }  # fmt: skip
    panden = {
        pid: (year, status)
        for pid, year, status in con.execute("SELECT identificatie, bouwjaar, status FROM pand")
    }
    area: dict[str, Counter] = {}
    dwellings: Counter = Counter()
    for refs, m2, uses in con.execute(
        "SELECT pand_identificatie, oppervlakte, gebruiksdoel FROM verblijfsobject "
        "WHERE status IN ('Verblijfsobject in gebruik', 'Verbouwing verblijfsobject', "
        "'Verblijfsobject in gebruik (niet ingemeten)', 'Verblijfsobject buiten gebruik')"
    ):
        mine = [r for r in refs.split(",") if r in panden and panden[r][1] in standing]
        use_list = uses.split(",")
        for r in mine:
            for u in use_list:
                area.setdefault(r, Counter())[u] += m2 / len(mine) / len(use_list)
            dwellings[r] += "woonfunctie" in use_list
    names = {
        "kantoorfunctie": "office", "winkelfunctie": "retail", "onderwijsfunctie": "education",
        "gezondheidszorgfunctie": "healthcare", "industriefunctie": "industrial",
    }  # fmt: skip
    order = [
        "woonfunctie", "kantoorfunctie", "winkelfunctie", "onderwijsfunctie",
        "gezondheidszorgfunctie", "industriefunctie", "bijeenkomstfunctie", "celfunctie",
        "logiesfunctie", "sportfunctie", "overige gebruiksfunctie",
    ]  # fmt: skip
    table: dict[str, Counter] = {}
    total_area = 0.0
    for pid, per_use in area.items():
        best = max(order, key=lambda u: (per_use.get(u, 0), -order.index(u)))
        if best == "woonfunctie":
            use = "house" if dwellings[pid] <= 1 else "apartment"
        else:
            use = names.get(best, "other")
        table.setdefault(use, Counter())[_period(panden[pid][0])] += 1
        total_area += round(sum(per_use.values()), 1)
    statuses = Counter(s for (s,) in con.execute("SELECT status FROM pand") if s not in standing)
    con.close()
    return {
        "buildings": len(area),
        "table": {u: dict(c) for u, c in table.items()},
        "floor_area_m2": total_area,
        "skipped_status": dict(statuses),
        "no_units": sum(1 for pid, (_, s) in panden.items() if s in standing and pid not in area),
    }


# ----------------------------------------------------------------------------- the fixture
def test_the_fixture_registers_its_buildings_by_use_and_period(db):
    expected = independent_count(FIXTURE)
    assert expected["buildings"] > 1000  # the fixture is real and sizable
    report = run(str(FIXTURE))
    assert report["stored"] is True and report["issues"] == []
    assert report["buildings"]["created"] == expected["buildings"]
    assert report["by_use_type_and_period"] == expected["table"]
    assert report["floor_area_m2"] == pytest.approx(expected["floor_area_m2"], abs=1)
    assert report["skipped"]["status"] == expected["skipped_status"]
    assert report["skipped"]["no_units"] == expected["no_units"]

    bag_assets = Asset.objects.filter(bag_id__isnull=False)
    assert bag_assets.count() == expected["buildings"]
    stored = Counter(bag_assets.values_list("use_type", flat=True))
    assert stored == Counter({u: sum(c.values()) for u, c in expected["table"].items()})
    # Both municipalities of the extract, found from the points.
    assert set(bag_assets.values_list("municipality__code", flat=True)) == {"GM0518", "GM1916"}
    assert bag_assets.filter(scope="bu", is_demo=False).count() == expected["buildings"]


def test_a_building_carries_its_bag_facts_and_an_estimated_passport(db):
    con = sqlite3.connect(FIXTURE)
    # A single-dwelling pand in use, with its one unit.
    pid, year, geom, m2 = con.execute(
        "SELECT p.identificatie, p.bouwjaar, p.geom, v.oppervlakte FROM pand p "
        "JOIN verblijfsobject v ON v.pand_identificatie = p.identificatie "
        "WHERE p.status = 'Pand in gebruik' AND v.status = 'Verblijfsobject in gebruik' "
        "AND v.gebruiksdoel = 'woonfunctie' GROUP BY p.identificatie HAVING count(*) = 1 "
        "ORDER BY p.identificatie LIMIT 1"
    ).fetchone()
    con.close()
    run(str(FIXTURE))
    asset = Asset.objects.get(bag_id=pid)
    assert (asset.construction_year, asset.use_type, float(asset.floor_area_m2)) == (
        year,
        "house",
        m2,
    )
    # The location: inside the footprint (GeoPackage blob: 8-byte header, no envelope).
    flags = geom[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}[(flags >> 1) & 7]
    footprint = shapely.from_wkb(geom[8 + envelope :])
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(
        asset.lon, asset.lat
    )
    assert footprint.buffer(0.5).contains(shapely.Point(x, y))
    # The estimate: floor area × the intensity rows of (house, its period), by hand.
    with open(Path(settings.DERIVED_DATA_DIR) / "material_intensity_nl.csv") as fh:
        rows = [
            r
            for r in csv.DictReader(fh)
            if r["use_type"] == "house" and int(r["period_start"]) <= year <= int(r["period_end"])
        ]
    estimate = PassportEstimate.objects.get(asset=asset)
    assert estimate.total_kg == pytest.approx(m2 * sum(float(r["kg_per_m2"]) for r in rows), 0.01)
    assert set(estimate.materials_kg) == {r["material"] for r in rows if float(r["kg_per_m2"])}
    assert "estimate" not in asset.name and str(year) in estimate.basis


def test_a_second_run_changes_nothing(db):
    first = run(str(FIXTURE))
    before = list(Asset.objects.order_by("id").values_list("id", "bag_id", "floor_area_m2"))
    stamps = dict(PassportEstimate.objects.values_list("asset_id", "updated_at"))
    second = run(str(FIXTURE))
    assert second["buildings"] == {
        "eligible": first["buildings"]["eligible"],
        "created": 0,
        "updated": 0,
        "unchanged": first["buildings"]["eligible"],
        "with_inventory": 0,
    }
    assert second["estimate"]["written"] == 0
    assert list(Asset.objects.order_by("id").values_list("id", "bag_id", "floor_area_m2")) == (
        before
    )
    assert dict(PassportEstimate.objects.values_list("asset_id", "updated_at")) == stamps


def test_a_changed_building_is_updated_by_its_bag_id_not_duplicated(db, tmp_path):
    run(str(FIXTURE))
    n = Asset.objects.count()
    changed = tmp_path / "changed.gpkg"
    shutil.copy(FIXTURE, changed)
    pid = Asset.objects.filter(use_type="house").order_by("bag_id").first().bag_id
    edit(changed, ("UPDATE pand SET bouwjaar = 1931 WHERE identificatie = ?", (pid,)))
    report = run(str(changed))
    assert (report["buildings"]["created"], report["buildings"]["updated"]) == (0, 1)
    assert report["estimate"]["written"] == 1
    assert Asset.objects.count() == n
    assert Asset.objects.get(bag_id=pid).construction_year == 1931
    assert "built 1931" in PassportEstimate.objects.get(asset__bag_id=pid).basis


def test_one_municipality_only(db):
    report = run(str(FIXTURE), "--municipality", "GM1916")
    assert set(Asset.objects.values_list("municipality__code", flat=True)) == {"GM1916"}
    everything = independent_count(FIXTURE)["buildings"]
    assert report["buildings"]["created"] + report["skipped"]["outside_municipality"] == everything
    assert report["skipped"]["outside_municipality"] > 0


def test_a_dry_run_stores_nothing(db):
    report = run(str(FIXTURE), "--dry-run")
    assert report["dry_run"] is True and report["stored"] is False
    assert report["buildings"]["created"] == independent_count(FIXTURE)["buildings"]
    assert not Asset.objects.exists() and not PassportEstimate.objects.exists()
    assert not Organisation.objects.filter(name=UNKNOWN_OWNER_NAME).exists()


# ------------------------------------------------------------------ owners and visibility
def test_without_an_owner_only_platform_wide_roles_see_the_buildings(chain):
    run(str(FIXTURE))
    owner = Organisation.objects.get(name=UNKNOWN_OWNER_NAME)
    assert not owner.members.exists()
    n = Asset.objects.filter(bag_id__isnull=False).count()
    assert assets_visible_to(AnonymousUser()).filter(bag_id__isnull=False).count() == 0
    assert assets_visible_to(chain.owner_user).filter(bag_id__isnull=False).count() == 0
    assert assets_visible_to(chain.matchmaker_user).filter(bag_id__isnull=False).count() == n


def test_an_owner_may_be_named(chain):
    report = run(str(FIXTURE), "--owner", chain.owner.name, "--municipality", "GM0518")
    assert report["owner"]["name"] == chain.owner.name
    mine = assets_visible_to(chain.owner_user).filter(bag_id__isnull=False)
    assert mine.count() == report["buildings"]["created"] > 0
    error, payload = run_failing(str(FIXTURE), "--owner", "Bestaat niet BV")
    assert payload["errors"][0]["field"] == "--owner"


def test_the_estimate_is_no_supply_and_an_inventory_replaces_it(chain, client):
    from urbanmine.insight.selectors import registered_stock
    from urbanmine.lots.models import Lot
    from urbanmine.lots.services import lot_identify

    run(str(FIXTURE), "--owner", chain.owner.name)
    asset = Asset.objects.filter(bag_id__isnull=False, use_type="apartment").first()
    assert not Lot.objects.filter(source_asset=asset).exists()  # an estimate holds no lots
    supply = client.get("/supply/")
    assert supply.status_code == 200 and asset.name not in supply.content.decode()
    client.force_login(chain.owner_user)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert 'id="passport-estimate" data-superseded="false"' in page

    lot_identify(
        asset=asset,
        organisation=chain.owner,
        actor=chain.owner_user,
        product_group=chain.bricks,
        quantity=100,
        unit="piece",
        mass_kg_per_unit="2.5",
        quality="A",
    )
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert 'id="passport-estimate" data-superseded="true"' in page
    stock = registered_stock(start_year=2025)
    row = list(stock.asset_ids).index(asset.pk)
    assert stock.passport_kg[row] == {chain.bricks.material: 250.0}
    report = run(str(FIXTURE), "--owner", chain.owner.name)
    assert report["buildings"]["with_inventory"] == 1


# -------------------------------------------------------------------------- bad input
def _square(x: float, y: float, size: float = 10.0) -> bytes:
    return shapely.to_wkb(shapely.box(x, y, x + size, y + size))


def _point(x: float, y: float) -> bytes:
    return shapely.to_wkb(shapely.Point(x, y))


def _pand(pid: str, year: int | None, x: float, y: float, status: str = "Pand in gebruik"):
    return {"identificatie": pid, "bouwjaar": year, "status": status, "geometry": _square(x, y)}


def _unit(uid: str, pid: str, m2: int | None, use: str = "woonfunctie", x=None, y=None):
    return {
        "identificatie": uid,
        "pand_identificatie": pid,
        "status": "Verblijfsobject in gebruik",
        "oppervlakte": m2,
        "gebruiksdoel": use,
        "openbare_ruimte_naam": "Laan van Nieuw Oost-Indië",
        "huisnummer": int(uid[-3:]),
        "woonplaats_naam": "'s-Gravenhage",
        "geometry": _point(x or 84_505.0, y or 455_505.0),
    }


def bad_file(path: Path) -> Path:
    """Two good buildings and one of every implausible kind (fids 1..8 in this order)."""
    p = "05181000000000"
    v = "05180100000000"
    panden = [
        _pand(p + "01", 1965, 84_500, 455_500),  # good
        _pand(p + "02", 0, 84_520, 455_500),  # year 0
        _pand(p + "03", THIS_YEAR + 3, 84_540, 455_500),  # year in the future
        _pand(p + "04", 1980, 84_560, 455_500),  # a unit with negative area
        _pand(p + "05", 1980, 84_580, 455_500),  # a unit of unknown use
        _pand(p + "06", 1990, 400_000, 455_000),  # east of the RD extent: Germany
        _pand(p + "07", 1990, 84_600, 455_500, status="Pand gesloopt"),  # demolished
        _pand(p + "08", 2001, 84_620, 455_500),  # good, two dwellings
    ]
    units = [
        _unit(v + "01", p + "01", 120),
        _unit(v + "02", p + "02", 90),
        _unit(v + "03", p + "03", 90),
        _unit(v + "04", p + "04", -40),
        _unit(v + "05", p + "05", 300, use="zwembadfunctie"),
        _unit(v + "06", p + "06", 80),
        _unit(v + "07", p + "07", 80),
        _unit(v + "08", p + "08", 70),
        _unit(v + "09", p + "08", 75),
    ]
    write_bag_geopackage(path, panden, units)
    return path


def test_implausible_features_are_named_and_skipped(db, tmp_path):
    report = run(str(bad_file(tmp_path / "bad.gpkg")))
    named = {(i["layer"], i["feature_id"], i["field"]): i for i in report["issues"]}
    assert set(named) == {
        ("pand", 2, "bouwjaar"),
        ("pand", 3, "bouwjaar"),
        ("verblijfsobject", 4, "oppervlakte"),
        ("verblijfsobject", 5, "gebruiksdoel"),
        ("pand", 6, "geom"),
    }
    assert "0" in named[("pand", 2, "bouwjaar")]["reason"]
    assert "future" in named[("pand", 3, "bouwjaar")]["reason"]
    assert "negative" in named[("verblijfsobject", 4, "oppervlakte")]["reason"]
    assert "zwembadfunctie" in named[("verblijfsobject", 5, "gebruiksdoel")]["reason"]
    assert "outside the Netherlands" in named[("pand", 6, "geom")]["reason"]
    assert named[("verblijfsobject", 4, "oppervlakte")]["building"] == "0518100000000004"
    assert report["skipped"]["rejected"] == 5
    assert report["skipped"]["status"] == {"Pand gesloopt": 1}
    stored = dict(Asset.objects.values_list("bag_id", "use_type"))
    assert stored == {"0518100000000001": "house", "0518100000000008": "apartment"}
    assert Asset.objects.get(bag_id="0518100000000008").floor_area_m2 == 145
    assert Asset.objects.get(bag_id="0518100000000001").address.startswith("Laan van Nieuw")


def test_strict_refuses_the_whole_file(db, tmp_path):
    error, report = run_failing(str(bad_file(tmp_path / "bad.gpkg")), "--strict")
    assert error.returncode == 1
    assert report["refused"] is True and report["stored"] is False and len(report["issues"]) == 5
    assert not Asset.objects.exists()


def test_demolished_buildings_already_registered_are_reported(db, tmp_path):
    path = bad_file(tmp_path / "bad.gpkg")
    run(str(path))
    edit(path, ("UPDATE pand SET status = 'Pand gesloopt' WHERE identificatie LIKE '%01'", ()))
    report = run(str(path))
    assert report["registered_now_gone"] == ["0518100000000001"]
    assert Asset.objects.filter(bag_id="0518100000000001").exists()  # kept: history, lots


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        ("text", {"layer": None, "field": None}),
        ("no_vbo_layer", {"layer": "verblijfsobject", "field": None}),
        ("no_year_column", {"layer": "pand", "field": "bouwjaar"}),
        ("duplicate_id", {"layer": "pand", "feature_id": 2, "field": "identificatie"}),
        ("bad_id", {"layer": "verblijfsobject", "feature_id": 1, "field": "identificatie"}),
        ("bad_status", {"layer": "pand", "feature_id": 1, "field": "status"}),
    ],
)
def test_a_bad_file_exits_non_zero_naming_layer_feature_and_field(db, tmp_path, make, expected):
    path = tmp_path / "bad.gpkg"
    good = [_pand("0518100000000001", 1965, 84_500, 455_500)]
    unit = [_unit("0518010000000001", "0518100000000001", 100)]
    if make == "text":
        path.write_text("identificatie;bouwjaar\n1;1965\n")
    elif make == "no_vbo_layer":
        write_bag_geopackage(path, good, unit)
        con = sqlite3.connect(path)
        con.execute(
            "UPDATE gpkg_contents SET table_name = 'vbo' WHERE table_name = ?", ("verblijfsobject",)
        )
        con.execute(
            "UPDATE gpkg_geometry_columns SET table_name = 'vbo' WHERE table_name = ?",
            ("verblijfsobject",),
        )
        con.execute("ALTER TABLE verblijfsobject RENAME TO vbo")
        con.commit()
        con.close()
    elif make == "no_year_column":
        write_bag_geopackage(path, good, unit)
        edit(path, ("ALTER TABLE pand RENAME COLUMN bouwjaar TO jaar", ()))
    elif make == "duplicate_id":
        write_bag_geopackage(path, good + [_pand("0518100000000001", 1970, 84_600, 455_500)], unit)
    elif make == "bad_id":
        write_bag_geopackage(
            path,
            good,
            [_unit("0518010000000001", "0518100000000001", 100) | {"identificatie": "12-34"}],
        )
    elif make == "bad_status":
        write_bag_geopackage(path, [good[0] | {"status": "Pand gebouwd"}], unit)
    error, payload = run_failing(str(path))
    assert error.returncode == 1
    assert payload["stored"] is False
    assert {k: payload["errors"][0][k] for k in expected} == expected
    assert "nothing stored" in str(error)
    assert not Asset.objects.exists()
