"""Masses that can be true (finding: one owner broke a public endpoint for everyone).

A one-row inventory of 99,999,999,999 pieces × 99,999,999,999.999 kg per piece was stored;
`/api/v1/supply/aggregates` then answered 500 for everyone, even after the lot was
unpublished, the home page showed 10^22 kg and matching proposed the lot first. Now every
write refuses such a lot (the band of mass per unit of its product group, at most
100,000 t per lot), sums cannot overflow and leave out absurd rows that old data or an
admin edit may still hold, and matching skips them.

New names are imported inside the tests, so that on the code before the change each test
fails on its own assertion.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum

from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import Location, Lot
from urbanmine.lots.services import (
    lot_identify,
    lots_import_ifc_draft,
    lots_import_inventory,
    lots_merge,
    validate_quantity,
)

#: The finding's row: 10^22 kg.
HUGE_QUANTITY = Decimal("99999999999")
HUGE_MASS = Decimal("99999999999.999")
FINDING_CSV = (
    "product_group;quantity;unit;mass_kg_per_unit;quality;hazardous\n"
    "bricks-clay;99999999999;piece;99999999999,999;A;nee\n"
)


def _identify(chain, **overrides):
    spec = dict(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=100,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="A",
        organisation=chain.owner,
    )
    spec.update(overrides)
    return lot_identify(**spec)


def _store_extreme(lot, **fields) -> Lot:
    """Write numbers no service accepts straight into the row, as old data or an admin
    edit could."""
    values = dict(quantity=HUGE_QUANTITY, mass_kg_per_unit=HUGE_MASS)
    values.update(fields)
    Lot.objects.filter(pk=lot.pk).update(**values)
    return Lot.objects.get(pk=lot.pk)


# ------------------------------------------------------------------------ every write


def test_the_upload_refuses_the_finding_row_naming_row_field_and_reason(chain):
    from urbanmine.lots.imports import parse_upload

    result = parse_upload(FINDING_CSV.encode(), "inventaris.csv")
    assert not result.ok and result.rows == []
    (e,) = result.errors
    assert (e.row, e.column, e.code) == (2, "mass_kg_per_unit", "mass_implausible")
    assert "implausible for bricks-clay in unit piece (expected 0.021 to 210 kg)" in e.reason


def test_the_upload_refuses_a_line_over_100000_t(chain):
    from urbanmine.lots.imports import parse_upload

    content = "product_group;quantity;unit;mass_kg_per_unit;quality\nsoil;100001;t;;B\n"
    (e,) = parse_upload(content.encode(), "grond.csv").errors
    assert (e.row, e.column, e.code) == (2, "quantity", "lot_mass_too_large")


def test_the_import_page_shows_the_mass_error(client, chain):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(chain.owner_user)
    client.cookies["django_language"] = "en"
    upload = SimpleUploadedFile("inventaris.csv", FINDING_CSV.encode(), content_type="text/csv")
    r = client.post(f"/assets/{chain.building.pk}/import/", {"file": upload})
    assert r.status_code == 400
    assert "implausible for bricks-clay" in r.content.decode()
    assert not Lot.objects.exists()


def _command(*args: str):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = io.StringIO()
    try:
        call_command("import_inventory", *args, stdout=out, stderr=io.StringIO())
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


@pytest.mark.django_db
def test_the_import_command_checks_masses_and_has_limits(tmp_path):
    import json

    f = tmp_path / "inventaris.csv"
    f.write_text(FINDING_CSV)
    out, exc = _command(str(f), "--dry-run", "--format", "json")
    assert exc is not None and exc.returncode == 1
    (error,) = json.loads(out)["errors"]
    assert (error["row"], error["column"], error["code"]) == (
        2,
        "mass_kg_per_unit",
        "mass_implausible",
    )
    header, row = FINDING_CSV.replace("99999999999;piece;99999999999,999", "10;piece;2,1").split(
        "\n"
    )[:2]
    f.write_text("\n".join([header, row, row, row]) + "\n")
    out, exc = _command(str(f), "--dry-run", "--max-rows", "2")
    assert exc is not None and "more than 2 rows below the header" in out
    out, exc = _command(str(f), "--dry-run", "--max-rows", "5")
    assert exc is None
    out, exc = _command(str(f), "--dry-run", "--time-limit", "-1")
    assert exc is not None and "--time-limit" in str(exc)


@pytest.mark.parametrize(
    "quantity,mass,field",
    [
        (HUGE_QUANTITY, HUGE_MASS, "mass_kg_per_unit"),  # the finding
        (100, "2100", "mass_kg_per_unit"),  # 2.1 t per brick: kg written for t
        (100, "0.001", "mass_kg_per_unit"),
        (50_000_000_000, "2.1", "quantity"),  # 105,000,000 t
        (Decimal("1e11"), "2.1", "quantity"),  # more than a lot stores
    ],
)
def test_identify_refuses_an_implausible_mass(chain, quantity, mass, field):
    with pytest.raises(ValidationError) as e:
        _identify(chain, quantity=quantity, mass_kg_per_unit=mass)
    assert field in e.value.message_dict, e.value.message_dict
    assert not Lot.objects.exists()


def test_identify_accepts_real_passport_lines(chain):
    """A steel beam (catalogue: 42 kg per metre) of 40 kg or of 4 t per piece; a light
    profile of 2 kg/m; 100,000 t of soil in one lot."""
    _identify(chain, product_group=chain.steel, quantity=3, mass_kg_per_unit="40")
    _identify(chain, product_group=chain.steel, quantity=3, mass_kg_per_unit="4000")
    _identify(chain, product_group=chain.steel, quantity=10, unit="m", mass_kg_per_unit="2")
    from urbanmine.catalogue.models import ProductGroup

    soil = ProductGroup.objects.get(code="soil")
    _identify(chain, product_group=soil, quantity=100_000, unit="t", mass_kg_per_unit="1000")
    assert Lot.objects.count() == 4


def test_identify_fixes_the_mass_of_kg_and_t(chain):
    with pytest.raises(ValidationError) as e:
        _identify(chain, quantity=5, unit="t", mass_kg_per_unit="1")
    assert "1000 kg" in e.value.message_dict["mass_kg_per_unit"][0]


def _row(**fields):
    from urbanmine.engine.inventory import InventoryRow

    values = dict(
        row_number=7,
        product_group="bricks-clay",
        description="",
        quantity=Decimal(100),
        unit="piece",
        mass_kg_per_unit=Decimal("2.1"),
        quality="B",
        hazardous=False,
        expected_release_date=None,
    )
    values.update(fields)
    return InventoryRow(**values)


@pytest.mark.parametrize(
    "fields,field,reason",
    [
        (dict(quantity=HUGE_QUANTITY, mass_kg_per_unit=HUGE_MASS), "mass_kg_per_unit", "implaus"),
        (dict(quantity=Decimal(60_000_000_000)), "quantity", "126000000 t"),
        (dict(quantity=Decimal("2e11")), "quantity", "implausibly large"),
    ],
)
def test_the_inventory_store_checks_rows_it_is_given(chain, fields, field, reason):
    """Rows that did not come through the parser (a script, an old preview) are checked
    again when stored, and the error names the row."""
    with pytest.raises(ValidationError) as e:
        lots_import_inventory(
            asset_id=chain.building.pk, rows=[_row(row_number=6), _row(**fields)], source_name="x"
        )
    (message,) = e.value.message_dict[field]
    assert message.startswith("Row 7: ") and reason in message, message
    assert not Lot.objects.exists()


def test_the_ifc_import_refuses_weights_that_cannot_be_true(chain):
    """A model whose weights are in grams, not kilograms: refused, naming the IFC type."""
    element = SimpleNamespace(
        ifc_type="IfcDoor",
        count=4,
        mass_kg=100_000.0,  # 25 t per interior door
        product_groups={"doors-interior": 4},
        product_group="doors-interior",
    )
    draft = SimpleNamespace(elements=[element])
    with pytest.raises(ValidationError) as e:
        lots_import_ifc_draft(asset_id=chain.building.pk, draft=draft, source_name="m.ifc")
    (message,) = e.value.message_dict["mass_kg_per_unit"]
    assert message.startswith("IfcDoor: ") and "implausible" in message
    element.mass_kg = 100.0  # 25 kg per door
    assert len(lots_import_ifc_draft(asset_id=chain.building.pk, draft=draft, source_name="m.ifc"))


def test_quantities_stay_below_what_a_lot_stores(chain):
    with pytest.raises(ValidationError) as e:
        validate_quantity(Decimal("1e12"), "m")
    assert "implausibly large" in e.value.message_dict["quantity"][0]
    assert validate_quantity("99999999999.999", "m") == Decimal("99999999999.999")


def test_a_merge_refuses_a_lot_over_100000_t(chain):
    from urbanmine.catalogue.models import ProductGroup

    soil = ProductGroup.objects.get(code="soil")
    lots = [
        _identify(chain, product_group=soil, quantity=60_000, unit="t", mass_kg_per_unit="1000")
        for _ in range(2)
    ]
    Lot.objects.filter(pk__in=[lot.pk for lot in lots]).update(
        location=Location.AT_HUB, hub=chain.hub, status=Status.HARVESTED
    )
    with pytest.raises(ValidationError) as e:
        lots_merge(lot_ids=[lot.pk for lot in lots], actor=chain.owner_user)
    assert "120000 t" in e.value.message_dict["lots"][0]


def test_a_demand_line_has_a_maximum_quantity(chain):
    from urbanmine.market.services import demand_request_create

    fields = dict(
        actor=chain.buyer_user,
        project=chain.project,
        product_group=chain.bricks,
        window_start=chain.project.created_at.date(),
        window_end=chain.project.created_at.date(),
    )
    with pytest.raises(ValidationError) as e:
        demand_request_create(quantity=10**9, **fields)  # 2.1 million t of bricks
    assert "at most 47619047 piece" in e.value.message_dict["quantity"][0]
    assert demand_request_create(quantity=47_619_047, **fields).quantity == 47_619_047


# ------------------------------------------------------- sums that can never 500


@pytest.fixture
def extreme(chain, harvested_lot):
    """The plausible harvested bricks (21 t at the hub, published), beside stored rows no
    service accepts: the finding's 10^22 kg lot published at the hub, an unpublished one,
    and two lots of 5·10^18 kg each whose integer product overflowed SQLite's SUM."""
    rows = []
    for status in (Status.HARVESTED, Status.IDENTIFIED):
        lot = _identify(chain, description=f"extreme {status}")
        rows.append(
            _store_extreme(
                lot,
                status=status,
                is_published=status == Status.HARVESTED,
                location=Location.AT_HUB if status == Status.HARVESTED else Location.IN_ASSET,
                hub=chain.hub if status == Status.HARVESTED else None,
            )
        )
    for _ in range(2):
        lot = _identify(chain, description="overflow")
        rows.append(
            _store_extreme(
                lot,
                quantity=Decimal(50_000_000_000),
                mass_kg_per_unit=Decimal(100_000_000),
                status=Status.HARVESTED,
                is_published=True,
                location=Location.AT_HUB,
                hub=chain.hub,
            )
        )
    return SimpleNamespace(lots=rows, bricks=harvested_lot)


def test_the_public_aggregates_answer_with_extreme_rows_stored(anon, client, chain, extreme):
    r = anon.get("/api/v1/supply/aggregates")
    assert r.status_code == 200, r.content[:300]
    body = r.json()
    assert body["by_product_group"] == [
        {
            "product_group": "bricks-clay",
            "name_nl": chain.bricks.name_nl,
            "name_en": chain.bricks.name_en,
            "mass_kg": "21000.000",
        }
    ]
    # the unpublished absurd lot is left out of the totals per status too
    assert body["by_status"] == [{"status": "harvested", "mass_kg": "21000.000"}]
    home = client.get("/")
    assert home.status_code == 200
    assert home.context["offered_t"] == 21


def test_unpublishing_the_lot_leaves_the_aggregates_working(anon, chain, extreme):
    Lot.objects.filter(pk=extreme.lots[0].pk).update(is_published=False)
    assert anon.get("/api/v1/supply/aggregates").status_code == 200


def test_the_supply_list_and_exports_answer(anon, client, extreme):
    for url in ("/supply/", "/supply/?format=csv"):
        assert client.get(url).status_code == 200, url
    for url in ("/api/v1/supply", "/api/v1/supply.csv", "/api/v1/supply.geojson"):
        assert anon.get(url).status_code == 200, url


def test_the_hub_pages_answer(client, client_for, chain, extreme):
    client.force_login(chain.hub_operator_user)
    for url in ("/hubs/", f"/hubs/{chain.hub.pk}/"):
        r = client.get(url)
        assert r.status_code == 200, url
    api = client_for(chain.hub_operator_user)
    for url in (
        "/api/v1/hubs",
        f"/api/v1/hubs/{chain.hub.pk}",
        f"/api/v1/hubs/{chain.hub.pk}/stock",
        f"/api/v1/hubs/{chain.hub.pk}/stock.csv",
    ):
        assert api.get(url).status_code == 200, url
    held = api.get(f"/api/v1/hubs/{chain.hub.pk}").json()["held_kg"]
    assert Decimal(held) == 21000  # the absurd rows are left out of the occupancy


def test_the_hub_stock_mass_counts_only_plausible_lots(chain, extreme):
    from urbanmine.lots.selectors import hub_occupancy, hub_stock_mass_kg

    assert hub_stock_mass_kg(chain.hub) == 21000
    assert hub_occupancy([chain.hub]) == {chain.hub.id: 21000}


def test_the_lot_mass_sums_in_a_type_that_cannot_overflow(chain, extreme):
    """Without any filter: the two 5·10^18 kg rows are integers in SQLite, whose SUM() of
    integers raised "integer overflow" past 2^63."""
    from urbanmine.lots.selectors import MASS

    overflow = Lot.objects.filter(description="overflow")
    total = overflow.aggregate(m=Sum(MASS))["m"]
    assert total == Decimal("1E+19")
    assert Lot.objects.aggregate(m=Sum(MASS))["m"] > Decimal("1e22")


def test_the_insight_sums_leave_absurd_rows_out(chain, extreme):
    from urbanmine.insight import selectors

    Lot.objects.filter(pk=extreme.lots[0].pk).update(status=Status.RESERVED)
    assert selectors.matched_mass_kg() == 0
    stock = selectors.registered_stock(start_year=2025, today_year=2025)
    assert all(kg < 1e9 for passport in stock.passport_kg.values() for kg in passport.values()), (
        stock.passport_kg
    )
    (line,) = selectors.hub_overview()
    assert line.held_t == 21


def test_a_passport_with_an_absurd_lot_still_shows(client, chain, extreme):
    client.force_login(chain.owner_user)
    assert client.get(f"/assets/{chain.building.pk}/").status_code == 200
    assert client.get(f"/lots/{extreme.lots[1].code}/").status_code == 200


# --------------------------------------------------------------------------- matching


def test_matching_skips_a_lot_whose_mass_cannot_be_true(chain, extreme):
    from urbanmine.market.services import match_instance_build

    # and one whose mass per unit is outside its band though the lot is light
    odd = _store_extreme(
        _identify(chain), quantity=Decimal(2), mass_kg_per_unit=Decimal(5000), status="harvested"
    )
    built = match_instance_build()
    supplied = {s["id"] for s in built.data["supply"]}
    assert extreme.bricks.code in supplied
    skipped = {lot.code for lot in extreme.lots if lot.status == Status.HARVESTED} | {odd.code}
    assert not skipped & supplied
    assert set(built.skipped_implausible) == skipped


def test_a_matching_run_says_how_many_lots_it_left_out(chain, extreme):
    from urbanmine.market.models import MatchRun
    from urbanmine.market.services import match_run_execute

    run = MatchRun.objects.create(started_by=chain.matchmaker_user, solver="greedy")
    run = match_run_execute(run_id=run.id)
    assert run.status == "done", run.message
    assert "3 lots left out because their mass is implausible" in run.message


# ------------------------------------------------------------------------ demo data


@pytest.mark.django_db
def test_the_demo_data_lies_within_the_bounds():
    from urbanmine.demo.generator import load_demo
    from urbanmine.lots.services import lot_mass_plausible

    load_demo(scale=1, seed=7, progress=lambda m: None)
    lots = Lot.objects.select_related("product_group")
    assert lots.exists()
    outside = [lot.code for lot in lots if not lot_mass_plausible(lot)]
    assert outside == []
