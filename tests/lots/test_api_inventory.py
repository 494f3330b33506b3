"""Inventory import through the API: dry run, all-or-nothing, errors per row and column."""

from django.core.files.uploadedfile import SimpleUploadedFile

from urbanmine.lots.models import Lot

CSV = (
    "product_group;description;quantity;unit;mass_kg_per_unit;quality;hazardous;expected_release_date\n"
    "bricks-clay;Gevelsteen;500;stuks;2,1;B;nee;2027-03-01\n"
    "steel-beams;HEA 200;12,5;m;42;A;nee;\n"
)


def post(client, asset, text, **extra):
    return client.post(
        f"/api/v1/assets/{asset.pk}/inventory",
        {"file": SimpleUploadedFile("inv.csv", text.encode("utf-8-sig")), **extra},
        format="multipart",
    )


def test_dry_run_then_import(client_for, chain):
    c = client_for(chain.owner_user)
    r = post(c, chain.building, CSV, dry_run="true")
    assert r.status_code == 200 and r.json()["rows"] == 2 and not Lot.objects.exists()
    r = post(c, chain.building, CSV)
    assert r.status_code == 201 and r.json()["stored"] == 2
    assert Lot.objects.filter(source_asset=chain.building, status="inventoried").count() == 2


def test_bad_row_names_row_and_column_and_stores_nothing(client_for, chain):
    c = client_for(chain.owner_user)
    r = post(c, chain.building, CSV + "glazing-double;HR++;-3;m2;20;B;nee;\n")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    names = [p["name"] for p in r.json()["invalid_params"]]
    assert any(n.startswith("row 4, column quantity") for n in names), names
    assert not Lot.objects.exists()


def test_no_token_and_other_organisation(anon, client_for, chain):
    assert post(anon, chain.building, CSV).status_code == 401
    assert post(client_for(chain.outsider_user), chain.building, CSV).status_code == 404
    assert not Lot.objects.exists()
