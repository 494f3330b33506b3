"""The OpenAPI document at /api/schema/ is valid, documents every v1 resource, and a
bounded schemathesis run against it finds no server error."""

import json

import pytest
from django.core.wsgi import get_wsgi_application
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

V1_PATHS = {
    "/api/v1/assets",
    "/api/v1/assets/{id}",
    "/api/v1/assets/{id}/passport",
    "/api/v1/assets/{id}/passport.json",
    "/api/v1/assets/{id}/passport.xlsx",
    "/api/v1/lots",
    "/api/v1/lots/{code}",
    "/api/v1/lots/{code}/events",
    "/api/v1/hubs",
    "/api/v1/hubs/{id}",
    "/api/v1/hubs/{id}/stock",
    "/api/v1/hubs/{id}/stock.csv",
    "/api/v1/demand-requests",
    "/api/v1/demand-requests/{id}",
    "/api/v1/proposals",
    "/api/v1/proposals/{id}",
    "/api/v1/product-groups",
    "/api/v1/product-groups/{code}",
    "/api/v1/municipalities",
    "/api/v1/municipalities/{code}",
    "/api/v1/supply",
    "/api/v1/supply/{code}",
    "/api/v1/supply/aggregates",
    "/api/v1/exports/supply.csv",
    "/api/v1/exports/supply.geojson",
}


@pytest.fixture
def schema_doc(anon):
    r = anon.get("/api/schema/?format=json")
    assert r.status_code == 200
    document = json.loads(r.content)
    # paths are relative to the server URL, which carries the major version (ADR 0006)
    assert document["servers"][0]["url"] == "http://testserver/api/v1"
    document["paths"] = {"/api/v1" + p: item for p, item in document["paths"].items()}
    return document


def test_schema_is_valid_openapi(schema_doc):
    validate_schema(schema_doc)  # raises on an invalid document
    assert V1_PATHS <= set(schema_doc["paths"])
    assert "tokenAuth" in schema_doc["components"]["securitySchemes"]
    events = schema_doc["paths"]["/api/v1/lots/{code}/events"]
    assert {"get", "post"} <= set(events)
    assert "400" in events["post"]["responses"] and "403" in events["post"]["responses"]


def test_every_operation_documents_its_problem_responses(schema_doc):
    problem = {"$ref": "#/components/schemas/Problem"}
    shared = schema_doc["components"]["responses"]
    for path, item in schema_doc["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "404", "406", "429", "500"} <= codes, (method, path)
            if "requestBody" in operation:
                assert {"403", "415"} <= codes, (method, path)
            for code in codes - {"200", "201", "202", "204"}:
                ref = operation["responses"][code]["$ref"].rsplit("/", 1)[1]
                assert shared[ref]["content"]["application/problem+json"]["schema"] == problem


def test_masses_are_documented_as_decimal_strings(schema_doc):
    schemas = schema_doc["components"]["schemas"]
    for name, field in [("Lot", "mass_kg"), ("Supply", "mass_kg"), ("Hub", "held_kg")]:
        declared = schemas[name]["properties"][field]
        assert declared["type"] == "string" and declared["format"] == "decimal", name


def test_exports_document_their_real_content_types(schema_doc):
    paths = schema_doc["paths"]
    ok = {
        "/api/v1/exports/supply.csv": "text/csv; charset=utf-8",
        "/api/v1/hubs/{id}/stock.csv": "text/csv; charset=utf-8",
        "/api/v1/exports/supply.geojson": "application/geo+json",
        "/api/v1/assets/{id}/passport.xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    }
    for path, media_type in ok.items():
        assert list(paths[path]["get"]["responses"]["200"]["content"]) == [media_type], path


def test_docs_page_is_served(anon):
    assert anon.get("/api/docs/").status_code == 200


# Bounded fuzzing: a few examples per operation keep the run well under a minute.
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def wsgi_app():
    """The real WSGI application, minus the connection closing at the end of each request
    (as Django's test client does): the test's transaction must survive the calls."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.mark.slow
def test_schemathesis_finds_no_server_error(
    wsgi_app, client_for, chain, harvested_lot, identified_lot
):
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    token = client_for(chain.hub_operator_user)._credentials["HTTP_AUTHORIZATION"]
    real = {
        "/assets/{id}": {"id": chain.building.pk},
        "/hubs/{id}": {"id": chain.hub.pk},
        "/lots/{code}": {"code": harvested_lot.code},
        "/supply/{code}": {"code": harvested_lot.code},
        "/product-groups/{code}": {"code": "bricks-clay"},
        "/municipalities/{code}": {"code": "GM0599"},
    }
    server_errors = []
    seen = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 28

    def make_test(op, strategy):
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, with_token=st.booleans())
        def run(case, with_token):
            headers = {"Authorization": token} if with_token else {}
            response = case.call(headers=headers)
            seen.append(response.status_code)
            if response.status_code >= 500:
                server_errors.append(
                    (
                        op.method,
                        op.path,
                        case.path_parameters,
                        case.query,
                        case.body,
                        response.status_code,
                        response.text[:300],
                    )
                )

        return run

    for op in operations:
        fixed = next(
            (params for prefix, params in real.items() if op.path.startswith(prefix)), None
        )
        strategies = [op.as_strategy()]
        if fixed is not None:
            strategies.append(op.as_strategy(path_parameters=fixed))
        make_test(op, st.one_of(*strategies))()
    assert 200 in seen and 401 in seen  # the run reached real data and the auth wall
    assert not server_errors, server_errors
