"""The decision tool and the Top 10: pages, exports and API."""

import io

import pytest
from openpyxl import load_workbook

from urbanmine.catalogue.factors import factor_source

pytestmark = pytest.mark.django_db


def test_compare_page_shows_a_verdict_with_sources(client):
    r = client.get("/impact/compare/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="verdict"' in body and "ÖKOBAUDAT" in body


def test_more_distance_never_lowers_reuse_co2_on_the_page(client):
    base = {
        "product_group": "steel-beams",
        "quantity": 100,
        "quality": "B",
        "storage_days": 0,
        "steps": ["dismantling", "cleaning"],
    }
    near = client.get("/impact/compare/", {**base, "distance_km": 10}).context["result"]
    far = client.get("/impact/compare/", {**base, "distance_km": 400}).context["result"]
    assert far.co2_reuse_kg > near.co2_reuse_kg
    assert far.transport_co2_reuse_kg == pytest.approx(near.transport_co2_reuse_kg * 40)


@pytest.mark.parametrize(
    "params,field",
    [
        ({"product_group": "unobtainium", "quantity": 1, "distance_km": 1}, "product_group"),
        ({"product_group": "steel-beams", "quantity": -1, "distance_km": 1}, "quantity"),
        ({"product_group": "steel-beams", "quantity": 1, "distance_km": -5}, "distance_km"),
    ],
)
def test_bad_input_names_the_field(client, params, field):
    r = client.get("/impact/compare/", {**params, "quality": "B", "storage_days": 0})
    assert r.status_code == 400
    assert field in r.context["form"].errors
    api = client.post("/api/v1/impact/compare", {**params}, content_type="application/json")
    assert api.status_code == 400 and api["Content-Type"].startswith("application/problem+json")
    assert api.json()["invalid_params"][0]["name"] == field


def test_compare_exports_a_spreadsheet(client):
    r = client.get(
        "/impact/compare/",
        {
            "product_group": "bricks-clay",
            "quantity": 5000,
            "distance_km": 25,
            "quality": "A",
            "storage_days": 30,
            "format": "xlsx",
        },
    )
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    rows = {
        row[0]: row[1] for row in wb["Vergelijking"].iter_rows(values_only=True) if row and row[0]
    }
    assert rows["product_group"] == "bricks-clay" and rows["quantity"] == 5000
    f = factor_source().factor("bricks-clay")
    assert rows["co2_avoided_kg"] == pytest.approx(5000 * 2.1 * f.gain_kg_per_kg)


def test_api_compare_matches_the_engine(client):
    r = client.post(
        "/api/v1/impact/compare",
        {"product_group": "timber-beams", "quantity": 10, "distance_km": 15},
        content_type="application/json",
    )
    assert r.status_code == 200
    d = r.json()
    assert d["verdict"] in {
        "reuse",
        "reuse_lower_co2_higher_cost",
        "new_lower_co2_reuse_cheaper",
        "new",
    }
    assert d["co2_avoided_kg"] == pytest.approx(
        10 * 12 * factor_source().factor("timber-beams").gain_kg_per_kg
    )


@pytest.mark.parametrize("scope", ["bu", "gww"])
def test_top10_page_and_api(client, scope):
    r = client.get("/impact/top10/", {"scope": scope})
    assert r.status_code == 200 and len(r.context["rows"]) == 10
    assert all(why and status for _, why, status in r.context["rows"])
    api = client.get("/api/v1/impact/top10", {"scope": scope, "impact": 1, "ease": 0}).json()
    gains = [x["impact_score"] for x in api["results"]]
    assert gains == sorted(gains, reverse=True)
    assert client.get("/api/v1/impact/top10", {"scope": "moon"}).status_code == 400
    assert client.get("/impact/top10/", {"scope": scope, "ease": "veel"}).status_code == 400
    csv_body = client.get("/impact/top10/", {"scope": scope, "format": "csv"}).content.decode()
    assert csv_body.startswith("rank,code")


def test_top10_explanation_is_the_engines_in_english_and_dutch_on_the_page(client):
    """The interface composes the explanation from the engine's parts: in English it is the
    engine's own sentence, word for word; the Dutch page says it in Dutch."""
    from django.utils import translation

    from urbanmine.catalogue.models import material_label
    from urbanmine.impact.explain import explanation
    from urbanmine.impact.services import top10

    for scope in ("bu", "gww"):
        ranked = top10(scope=scope, top=100)
        with translation.override("en"):
            # the same sentence; the interface names the material by its label
            expected = [
                r.explanation.replace(
                    f"{r.material.replace('_', ' ')},", f"{material_label(r.material)},"
                )
                for r in ranked
            ]
            assert [explanation(r) for r in ranked] == expected
    with translation.override("nl"):
        dutch = [explanation(r) for r in top10(scope="bu")]
    assert all(" te verwerken (" in d and "CO2-winst" in d for d in dutch), dutch[:2]
    page = client.get("/impact/top10/", {"scope": "bu"}, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "te verwerken" in page and "to process" not in page
    assert "schatting)" in page and "estimate)" not in page


def test_compare_page_shows_the_engines_warnings_in_the_interface_language(client):
    """Every flag of the verdict is shown as a sentence (Dutch by default), not hidden."""
    from django.utils import translation

    from urbanmine.impact.views import FLAG_LABELS

    params = {
        "product_group": "bricks-clay",
        "quantity": 5000,
        "distance_km": 4000,
        "quality": "C",
        "storage_days": 0,
    }
    r = client.get("/impact/compare/", params)
    flags = r.context["result"].flags
    assert flags  # far transport of a low-gain product: the engine warns
    body = r.content.decode()
    with translation.override("nl"):
        assert all(str(FLAG_LABELS[code]) in body for code in flags), flags
    client.cookies["django_language"] = "en"
    body = client.get("/impact/compare/", params).content.decode()
    with translation.override("en"):
        assert all(str(FLAG_LABELS[code]) in body for code in flags), flags


def test_top10_weights_render_as_inputs_and_change_the_ranking(client):
    r = client.get("/impact/top10/", {"scope": "bu"})
    body = r.content.decode()
    for name in ("impact", "ease", "detachability"):
        assert f'name="{name}"' in body, name
    default = [row[0].code for row in r.context["rows"]]
    only_ease = client.get("/impact/top10/", {"scope": "bu", "impact": "0", "ease": "1"})
    assert 'value="0"' in only_ease.content.decode()  # the chosen weight is shown back
    by_ease = [row[0].code for row in only_ease.context["rows"]]
    assert by_ease != default
    scores = [row[0].ease_score for row in only_ease.context["rows"]]
    assert scores == sorted(scores, reverse=True)  # impact weight 0: ranked on ease alone


def test_a_stewards_change_of_detachability_changes_the_ranking(client):
    """The Top 10 ranks the catalogue as the data steward keeps it (the database)."""
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.impact.services import top10

    before = {r.code: r for r in top10(scope="bu", top=100)}
    last = max(before.values(), key=lambda r: r.rank)
    ProductGroup.objects.filter(code=last.code).update(
        detachability=5, standardisation=5, testing_burden=1, market_readiness=5
    )
    after = {r.code: r for r in top10(scope="bu", top=100)}
    assert after[last.code].ease_score > before[last.code].ease_score
    assert after[last.code].rank < before[last.code].rank
    page = client.get("/impact/top10/", {"scope": "bu"})
    top = sorted(after.values(), key=lambda r: r.rank)[:10]
    assert [row[0].code for row in page.context["rows"]] == [r.code for r in top]


def test_the_compare_spreadsheet_holds_no_formula():
    """Texts from the factor source (a licensed export the platform does not write) or a
    steward's names go out as text: a leading quote, numbers untouched."""
    from types import SimpleNamespace

    from urbanmine.impact.views import _xlsx

    line = {"name": "@transport", "value": -12.5, "unit": "kg", "source": "=1+1", "status": "ok"}
    data = {
        "summary": '=HYPERLINK("http://evil.example","Klik")',
        "product_group": "+bricks",
        "quantity": 10,
        "mass_kg": 21.0,
        "distance_km": 5,
        "quality": "A",
        "storage_days": 0,
        "horizon_years": 50,
        "co2_new_kg": 1.0,
        "co2_reuse_kg": 0.5,
        "co2_saving_kg": 0.5,
        "co2_avoided_kg": -0.5,
        "first_cost_new_eur": 1.0,
        "first_cost_reuse_eur": 1.0,
        "tco_new_eur": 1.0,
        "tco_reuse_eur": 1.0,
        "verdict": "reuse",
        "cost_lines_reuse": [line],
    }
    response = _xlsx(SimpleNamespace(to_dict=lambda: data), {"note": "-x", "steps": ["=a"]})
    wb = load_workbook(io.BytesIO(response.content))
    cells = [
        c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    ]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert {"'" + data["summary"], "'@transport", "'=1+1", "'-x", "'=a"} <= values
    assert -12.5 in values and -0.5 in values  # numbers stay numbers


def test_compare_page_speaks_dutch_and_shows_the_numbers_as_typed(client):
    """The verdict, its lines and sources in Dutch from parts (not the engine's English),
    the discount rate as a percentage, the unit of the product group beside the quantity."""
    r = client.get("/impact/compare/")
    body = r.content.decode()
    assert 'name="discount_rate" value="2,25"' in body  # not 0.0225
    assert 'id="quantity-unit">m<' in body  # steel beams are counted in metres
    summary = r.context["summary"]
    assert " en kost " in summary and ("hergebruik bespaart" in summary or "meer uit" in summary)
    assert "saves" not in body and "impact_factors.csv" not in body and " row " not in body
    assert "schatting in de factortabel van het platform (Stalen liggers" in body
    statuses = {line["status"] for line in r.context["lines"]}
    assert statuses <= {"bron geciteerd", "schatting", "uw invoer", "berekend"}, statuses
    # a decimal comma is read as one, and the same input with a point means the same
    comma = client.get(
        "/impact/compare/",
        {
            "product_group": "bricks-clay",
            "quantity": "1.250,5",
            "distance_km": "12,5",
            "quality": "B",
            "storage_days": "0",
        },
    )
    assert comma.status_code == 200, comma.context["form"].errors
    assert comma.context["result"].quantity == 1250.5
    assert comma.context["result"].distance_km == 12.5
    assert 'id="quantity-unit">stuk<' in comma.content.decode()


def test_invalid_input_clears_the_verdict_and_shows_the_error_beside_the_field(client):
    """htmx swaps no 4xx answer: the fragment answers 200, without a verdict, with each
    field's error (out of band, beside the field) and the errors named by their labels."""
    r = client.get(
        "/impact/compare/",
        {"product_group": "steel-beams", "quantity": "veel", "distance_km": "30"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200
    body = r.content.decode()
    assert r.context["result"] is None and 'id="verdict"' not in body
    assert '<span class="error" id="id_quantity-error" hx-swap-oob="true">Voer een getal in.' in (
        body
    )
    assert "Hoeveelheid: Voer een getal in." in body  # the label, not "quantity"
    assert "quantity:" not in body
    ok = client.get(
        "/impact/compare/",
        {
            "product_group": "steel-beams",
            "quantity": "10",
            "distance_km": "30",
            "quality": "B",
            "storage_days": "0",
        },
        HTTP_HX_REQUEST="true",
    )
    assert 'id="verdict"' in ok.content.decode()
    assert '<span class="error" id="id_quantity-error" hx-swap-oob="true"></span>' in (
        ok.content.decode()
    )
    plain = client.get("/impact/compare/", {"product_group": "steel-beams", "quantity": "-1"})
    assert plain.status_code == 400


def test_product_groups_are_listed_by_their_dutch_name_with_their_unit(client):
    from django.utils import translation

    from urbanmine.impact.forms import CompareForm

    with translation.override("nl"):
        labels = [str(label) for value, label in CompareForm().fields["product_group"].choices][1:]
    names = [label.rsplit(" (", 1)[0] for label in labels]
    assert names == sorted(names, key=str.casefold)
    assert "Stalen balken (m)" in labels or any(label.endswith("(m)") for label in labels)
