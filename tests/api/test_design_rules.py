"""The Dutch API Design Rules on /api/v1/ (docs/adr/0006-api-design-rules.md): the
`API-Version` header on every success response of every operation, walked from the
document; lowerCamelCase query keys with the old snake_case keys as deprecated aliases
(both spellings tested); the geospatial module's CRS headers; and the document itself
linted by Spectral with the ADR ruleset when Node's tools are installed (`make test` always
runs that step)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from urbanmine.engine.geo import wgs84_to_rd

VERSION = settings.SPECTACULAR_SETTINGS["VERSION"]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def document(anon):
    return json.loads(anon.get("/api/schema/?format=json").content)


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_version_is_semver_and_servers_carry_the_major_version(document):
    assert re.fullmatch(r"\d+\.\d+\.\d+", document["info"]["version"])
    assert document["info"]["version"] == VERSION
    assert document["servers"][0]["url"].endswith("/api/v1")
    assert {"name", "email", "url"} <= set(document["info"]["contact"])


def test_every_success_response_documents_the_version_header(document):
    walked = 0
    for path, method, operation in _operations(document):
        for code, response in operation["responses"].items():
            if code[0] in "23":
                walked += 1
                assert response["headers"]["API-Version"] == {
                    "$ref": "#/components/headers/API-Version"
                }, (method, path, code)
    assert walked >= 40
    assert document["components"]["headers"]["API-Version"]["required"] is True


def test_every_read_answers_with_the_version_header(document, chain, harvested_lot, client_for):
    """Every GET operation of the document, called as the hub operator with real objects:
    a success, carrying API-Version with the full version."""
    real = {
        "id": None,  # per resource below
        "code": harvested_lot.code,
    }
    ids = {"assets": chain.building.pk, "hubs": chain.hub.pk}
    codes = {"product-groups": "bricks-clay", "municipalities": "GM0599"}
    client = client_for(chain.hub_operator_user)
    answered = []
    for path, method, _operation in _operations(document):
        if method != "get":
            continue
        resource = path.split("/")[1]
        params = {**real, "id": ids.get(resource), "code": codes.get(resource, real["code"])}
        if "{id}" in path and params["id"] is None:
            continue  # a demand, proposal or transfer: none exist in this world
        url = "/api/v1" + path.format(**params)
        r = client.get(url)
        assert r.status_code == 200, (url, r.status_code, r.content[:200])
        assert r["API-Version"] == VERSION, url
        answered.append(path)
    assert len(answered) >= 20, answered


def test_errors_carry_the_version_header_too(anon):
    r = anon.get("/api/v1/no-such-resource")
    assert r.status_code == 404 and r["API-Version"] == VERSION
    assert r["Content-Type"] == "application/problem+json"


def test_query_keys_are_lower_camel_case(document):
    names = {
        p["name"]
        for _path, _method, operation in _operations(document)
        for p in operation.get("parameters", [])
        if p["in"] == "query"
    }
    assert {"productGroup", "availableBy", "useType", "gainPerTonne"} <= names
    assert not [n for n in names if "_" in n]


@pytest.mark.parametrize(
    ("camel", "snake"),
    [("productGroup", "product_group"), ("availableBy", "available_by")],
)
def test_both_spellings_of_a_query_key_answer_alike(anon, harvested_lot, camel, snake):
    value = {"productGroup": "bricks-clay", "availableBy": "2100-01-01"}[camel]
    new = anon.get(f"/api/v1/supply?{camel}={value}")
    old = anon.get(f"/api/v1/supply?{snake}={value}")
    assert new.status_code == old.status_code == 200
    assert new.json()["count"] == old.json()["count"] == 1
    assert "Deprecation" not in new
    assert old["Deprecation"].startswith("@")
    assert old["Sunset"] == "Wed, 01 Dec 2027 00:00:00 GMT"
    assert 'rel="deprecation"' in old["Link"]


def test_the_filter_filters_in_both_spellings(anon, harvested_lot):
    assert anon.get("/api/v1/supply?productGroup=steel-beams").json()["count"] == 0
    assert anon.get("/api/v1/supply?product_group=steel-beams").json()["count"] == 0
    assert anon.get("/api/v1/supply?useType=x").status_code == 200  # not a supply key: ignored


def test_an_error_names_the_query_key_as_the_client_spelled_it(anon):
    for key in ("availableBy", "available_by"):
        r = anon.get(f"/api/v1/supply?{key}=tomorrow")
        assert r.status_code == 400
        assert r["Content-Type"] == "application/problem+json"
        assert r.json()["invalid_params"][0]["name"] == key


def test_both_spellings_at_once_are_one_parameter_given_twice(anon):
    r = anon.get("/api/v1/supply?productGroup=bricks-clay&product_group=steel-beams")
    assert r.status_code == 400
    assert r.json()["invalid_params"][0]["name"] == "productGroup"


def test_top10_weights_in_both_spellings(anon):
    new = anon.get("/api/v1/impact/top10?scope=bu&gainPerTonne=0")
    old = anon.get("/api/v1/impact/top10?scope=bu&gain_per_tonne=0")
    assert new.status_code == old.status_code == 200
    assert new.json()["weights"]["gain_per_tonne"] == 0 == old.json()["weights"]["gain_per_tonne"]
    default = anon.get("/api/v1/impact/top10?scope=bu").json()["weights"]["gain_per_tonne"]
    assert default != 0


def test_the_exports_moved_to_kebab_case_paths_and_the_old_ones_still_answer(anon, harvested_lot):
    new = anon.get("/api/v1/exports/supply.csv")
    old = anon.get("/api/v1/supply.csv")
    assert new.status_code == old.status_code == 200
    assert new.content == old.content and harvested_lot.code in new.content.decode("utf-8-sig")
    assert "Deprecation" not in new and old["Deprecation"].startswith("@")


# ------------------------------------------------------------------------------ geo module


def _point(response, code):
    features = json.loads(response.content)["features"]
    return next(f for f in features if f["id"] == code)["geometry"]


def test_geojson_is_wgs84_by_default_and_says_so(anon, harvested_lot):
    r = anon.get("/api/v1/exports/supply.geojson")
    assert r.status_code == 200
    assert r["Content-Crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
    lon, lat = _point(r, harvested_lot.code)["coordinates"]
    assert 3.3 < lon < 7.3 and 50.7 < lat < 53.6  # lon, lat in the Netherlands


@pytest.mark.parametrize(
    "name", ["EPSG:28992", "epsg:28992", "http://www.opengis.net/def/crs/EPSG/0/28992"]
)
def test_geojson_in_rd_new_on_request(anon, harvested_lot, name):
    wgs = _point(anon.get("/api/v1/exports/supply.geojson"), harvested_lot.code)["coordinates"]
    r = anon.get("/api/v1/exports/supply.geojson", HTTP_ACCEPT_CRS=name)
    assert r.status_code == 200
    assert r["Content-Crs"] == "http://www.opengis.net/def/crs/EPSG/0/28992"
    x, y = _point(r, harvested_lot.code)["coordinates"]
    ex, ey = wgs84_to_rd(wgs[1], wgs[0])
    assert abs(x - ex) < 0.01 and abs(y - ey) < 0.01
    assert 0 < x < 300_000 and 300_000 < y < 625_000  # RD New's domain


def test_geojson_in_a_crs_the_api_cannot_give_is_406(anon, harvested_lot):
    r = anon.get("/api/v1/exports/supply.geojson", HTTP_ACCEPT_CRS="EPSG:3857")
    assert r.status_code == 406
    assert r["Content-Type"] == "application/problem+json"
    assert "EPSG:28992" in r.json()["detail"]
    assert r["API-Version"] == VERSION


def test_the_geo_operation_documents_its_crs_headers(document):
    operation = document["paths"]["/exports/supply.geojson"]["get"]
    assert any(p["name"] == "Accept-Crs" and p["in"] == "header" for p in operation["parameters"])
    assert "Content-Crs" in operation["responses"]["200"]["headers"]


# ------------------------------------------------------------------------------ the linter

SPECTRAL = ROOT / "node_modules" / ".bin" / "spectral"


@pytest.mark.skipif(
    not SPECTRAL.exists() or shutil.which("node") is None,
    reason="npm ci not run (make test runs the linter itself)",
)
def test_the_committed_document_passes_the_adr_linter():
    result = subprocess.run(
        [
            str(SPECTRAL),
            "lint",
            "--fail-severity",
            "error",
            "--ruleset",
            str(ROOT / "scripts" / "spectral" / "adr-ruleset.yaml"),
            str(ROOT / "openapi.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_document_is_published_under_the_version_root(anon):
    r = anon.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r["Access-Control-Allow-Origin"] == "*"
    assert json.loads(r.content)["info"]["version"] == VERSION


# Operations whose success this module calls itself (the permission contract's world has
# no public lot to show by code, and its inventory upload carries no file).
CALLED_HERE = {("get", "/supply/{code}"), ("post", "/assets/{id}/inventory")}


def test_every_operation_is_called_with_a_success_by_the_permission_contract(document):
    """The permission contract (tests/contracts) calls every API route as its owner and
    asserts `API-Version` on every answer: here, that every operation of the document —
    writes included — is among its cases with a success expected (or in `CALLED_HERE`), so
    the header is checked on a success response of every operation."""
    from django.urls import resolve

    from tests.contracts.test_permission_coverage import CASES

    succeeding = {
        case.key
        for case in CASES
        if case.api and any(200 <= code < 300 for codes in case.expect.values() for code in codes)
    }
    missing = []
    for path, method, _operation in _operations(document):
        concrete = re.sub(r"\{id\}", "1", re.sub(r"\{code\}", "x", path))
        name = resolve("/api/v1" + concrete).url_name
        if f"{name} {method.upper()}" not in succeeding and (method, path) not in CALLED_HERE:
            missing.append((method, path, name))
    assert not missing, missing


def test_an_inventory_upload_answers_with_the_version_header(client_for, chain):
    from django.core.files.uploadedfile import SimpleUploadedFile

    csv = (
        "product_group;description;quantity;unit;mass_kg_per_unit;quality;hazardous\n"
        "bricks-clay;Gevelsteen;500;stuks;2,1;B;nee\n"
    )
    r = client_for(chain.owner_user).post(
        f"/api/v1/assets/{chain.building.pk}/inventory",
        {"file": SimpleUploadedFile("inv.csv", csv.encode("utf-8"))},
        format="multipart",
    )
    assert r.status_code == 201, r.content
    assert r["API-Version"] == VERSION


def test_a_form_body_with_too_many_fields_is_a_400_not_a_500(chain, client_for):
    """Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS form fields; the API says so as
    a problem (schemathesis found it as a 500 on a list field sent as multipart)."""
    owner = client_for(chain.owner_user)
    r = owner.post(
        "/api/v1/lots/publications", {"lots": ["L-0000000000"] * 1200}, format="multipart"
    )
    assert r.status_code == 400 and r["Content-Type"].startswith("application/problem+json")
    assert "fields" in r.json()["detail"] or "velden" in r.json()["detail"], r.json()
