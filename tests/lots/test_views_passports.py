"""Inventory upload on the passport page: preview, row-level errors, all-or-nothing commit."""

from django.core.files.uploadedfile import SimpleUploadedFile

from urbanmine.lots.models import LifecycleEvent, Lot

GOOD = (
    "productgroep;omschrijving;aantal;eenheid;massa_kg_per_eenheid;kwaliteit;gevaarlijk;vrijkomdatum\n"
    "bricks-clay;Rode baksteen – gevel;1200;stuks;2,1;B;nee;01-03-2027\n"
    "Binnendeuren;Opdekdeuren eiken;35;st;24,5;A;nee;\n"
)
BAD_MIDDLE = GOOD + "steel-beams;HEA 200;-4;m;42;A;nee;\n" + "glazing-double;HR++;20;m²;20;B;nee;\n"


def upload(client, asset, text, name="inventaris.csv", encoding="cp1252"):
    return client.post(
        f"/assets/{asset.pk}/import/", {"file": SimpleUploadedFile(name, text.encode(encoding))}
    )


def test_bad_row_in_the_middle_imports_nothing_and_names_it(client, chain):
    client.force_login(chain.owner_user)
    r = upload(client, chain.building, BAD_MIDDLE)
    assert r.status_code == 400
    body = r.content.decode()
    assert 'id="import-errors"' in body and ">4<" in body and "aantal" in body
    assert not Lot.objects.exists()


def test_valid_file_previews_then_commits_all_rows(client, chain):
    client.force_login(chain.owner_user)
    r = upload(client, chain.building, GOOD)
    assert r.status_code == 200
    assert not Lot.objects.exists()  # preview only
    token = r.context["token"]
    r = client.post(f"/assets/{chain.building.pk}/import/", {"token": token})
    assert r.status_code == 302
    lots = {lot.product_group.code: lot for lot in Lot.objects.all()}
    assert set(lots) == {"bricks-clay", "doors-interior"}
    assert (
        lots["bricks-clay"].quantity == 1200
        and str(lots["bricks-clay"].mass_kg_per_unit) == "2.100"
    )
    assert (
        lots["bricks-clay"].status == "inventoried"
        and lots["bricks-clay"].description == "Rode baksteen – gevel"
    )
    assert LifecycleEvent.objects.count() == 4


def test_others_may_not_import_and_template_downloads(client, chain):
    client.force_login(chain.outsider_user)
    assert upload(client, chain.building, GOOD).status_code == 404
    assert not Lot.objects.exists()
    r = client.get("/inventory-template/?format=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    r = client.get("/inventory-template/")
    assert b"product_group" in b"".join(r.streaming_content)


def test_ifc_model_becomes_a_reviewed_draft_passport(client, chain, data_dir):
    path = data_dir / "ifc" / "AC20-FZK-Haus.ifc"
    client.force_login(chain.owner_user)
    r = client.post(
        f"/assets/{chain.building.pk}/import/",
        {"file": SimpleUploadedFile("AC20-FZK-Haus.ifc", path.read_bytes())},
    )
    assert r.status_code == 200
    draft = r.context["ifc"]
    assert draft.total_count > 0 and not Lot.objects.exists()
    windows = next(el for el in draft.elements if el.ifc_type == "IfcWindow")
    # The reviewer maps windows to timber frames and skips everything else.
    post = {"ifc_token": r.context["ifc_token"]}
    post.update({f"map__{el.ifc_type}": "" for el in draft.elements})
    post["map__IfcWindow"] = "window-frames-timber"
    r = client.post(f"/assets/{chain.building.pk}/import/", post)
    assert r.status_code == 302
    # one lot per material of the windows (Holz, and windows without a material)
    lots = list(Lot.objects.all())
    assert {lot.product_group.code for lot in lots} == {"window-frames-timber"}
    assert sum(lot.quantity for lot in lots) == windows.count


def test_a_text_file_named_ifc_is_refused(client, chain):
    client.force_login(chain.owner_user)
    r = client.post(
        f"/assets/{chain.building.pk}/import/",
        {"file": SimpleUploadedFile("model.ifc", b"this is not a model")},
    )
    assert r.status_code == 400 and not Lot.objects.exists()
