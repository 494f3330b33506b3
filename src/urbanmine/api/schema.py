"""The OpenAPI document's error responses: a drf-spectacular postprocessing hook
(`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`) that adds the problem-details responses each
operation can answer, with the `Problem` schema and the `application/problem+json` media type
(the views declare only their specific ones, as a description).

Where each status can occur:

* 400 everywhere: a query parameter given twice, not of its declared type or value, or with a
  NUL character; on a body, invalid input;
* 401 everywhere: a wrong token is refused even where none is needed;
* 403 where authentication is required or the method is unsafe (CSRF with a session);
* 404 everywhere: an unknown object, or an unknown `?format=`;
* 406 everywhere (an `Accept` header no renderer meets), 415 with a request body (a
  media type no parser reads), 429 everywhere (throttling), 500 everywhere.

405 is not an operation's answer: it answers the methods a path does not document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from .exceptions import PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, TITLES

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Problem details (RFC 9457).",
    "properties": {
        "type": {"type": "string", "description": "A URN naming the kind of problem."},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "invalid_params": {
            "type": "array",
            "description": "Validation errors: the field (dotted for nested ones) and why.",
            "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["name", "reason"],
            },
        },
    },
    "required": ["type", "title", "status", "detail"],
}

NO_NUL = "^[^\\u0000]*$"
UNSAFE = {"post", "put", "patch", "delete"}
METHODS = UNSAFE | {"get", "head", "options", "trace"}


def _statuses(method: str, operation: dict[str, Any]) -> list[int]:
    anonymous = {} in operation.get("security", [{}])
    codes = [400, 401, 404, 406, 429, 500]
    if not anonymous or method in UNSAFE:
        codes.append(403)
    if "requestBody" in operation:
        codes.append(415)
    return sorted(codes)


def _refuse_nul_in_query(operation: dict[str, Any]) -> None:
    """A free-text query parameter holds no NUL character (refused with a 400: PostgreSQL
    cannot hold it in text)."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "query" and schema.get("type") == "string":
            if not ({"enum", "format", "pattern"} & set(schema)):
                schema["pattern"] = NO_NUL


def _response_name(code: int) -> str:
    return "".join(w.capitalize() for w in PROBLEM_TYPES[code].rsplit(":", 1)[1].split("-"))


def add_problem_responses(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (signature fixed by drf-spectacular): one shared
    response per status (`#/components/responses/NotFound`, ...), referenced by every
    operation that can answer it."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    shared = components.setdefault("responses", {})
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            _refuse_nul_in_query(operation)
            responses = operation.setdefault("responses", {})
            declared = {int(c) for c in responses if c.isdigit() and int(c) in PROBLEM_TYPES}
            for code in sorted(set(_statuses(method, operation)) | declared):
                name = _response_name(code)
                shared[name] = {
                    "description": f"{TITLES[code]} Problem details ({PROBLEM_TYPES[code]}).",
                    "content": content,
                }
                responses[str(code)] = {"$ref": f"#/components/responses/{name}"}
            operation["responses"] = dict(sorted(responses.items()))
    components["responses"] = dict(sorted(shared.items()))
    return result


# ------------------------------------------------------------------------------ design rules

API_VERSION_HEADER: dict[str, Any] = {
    "description": "The full semantic version of the API that answered (e.g. 1.1.0).",
    "required": True,
    "schema": {"type": "string", "pattern": r"^\d+\.\d+\.\d+$"},
}
CONTENT_CRS_HEADER: dict[str, Any] = {
    "description": "The CRS of the geometry: CRS84 (WGS84, lon/lat; the default) or RD New.",
    "required": True,
    "schema": {
        "type": "string",
        "enum": [
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/EPSG/0/28992",
        ],
    },
}
ACCEPT_CRS: dict[str, Any] = {
    "name": "Accept-Crs",
    "in": "header",
    "required": False,
    "description": "The CRS wanted for the geometry: EPSG:4326 / OGC:CRS84 (WGS84 lon/lat, the "
    "default) or EPSG:28992 (RD New, metres), or their URIs. Anything else is a 406 problem.",
    "schema": {
        "type": "string",
        "enum": [
            "EPSG:4326",
            "OGC:CRS84",
            "EPSG:28992",
            "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            "http://www.opengis.net/def/crs/EPSG/0/4326",
            "http://www.opengis.net/def/crs/EPSG/0/28992",
        ],
    },
}
GUIDE = Path(__file__).with_name("guide.md")
CHANGELOG = Path(__file__).with_name("changelog.md")


def _camel(name: str) -> str:
    from .conformance import camel

    return camel(name)


def _server_url(request) -> str:
    if request is not None:
        return request.build_absolute_uri("/api/v1")
    return settings.URBANMINE_API_SERVER_URL


def _rename_query_parameters(operation: dict[str, Any]) -> None:
    """Query keys in lowerCamelCase; the snake_case alias is named as deprecated (ADR 0008)."""
    for parameter in operation.get("parameters", []):
        if parameter.get("in") != "query":
            continue
        name = parameter["name"]
        if _camel(name) != name:
            parameter["name"] = _camel(name)
            note = f"(`{name}`: a deprecated alias until 2027-12-01.)"
            parameter["description"] = f"{parameter.get('description', '')} {note}".strip()
    operation["parameters"] = sorted(
        operation.get("parameters", []), key=lambda p: (p.get("in", ""), p["name"])
    )


def add_design_rules(result: dict[str, Any], generator, request, public) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: what the Dutch API Design Rules ask of the
    document (docs/adr/0008-api-design-rules.md; linted by Spectral in `make test`):
    `servers` with the major version, `API-Version` on every success response, lowerCamelCase
    query keys, the CRS headers of GeoJSON answers, tags and descriptions for every operation,
    and the integrators' guide and API changelog as the document's description."""
    result["servers"] = [{"url": _server_url(request), "description": "urbanmine API v1"}]
    info = result.setdefault("info", {})
    info["description"] = (
        GUIDE.read_text(encoding="utf-8") + "\n\n" + CHANGELOG.read_text(encoding="utf-8")
    )
    components = result.setdefault("components", {})
    components.setdefault("headers", {})["API-Version"] = API_VERSION_HEADER
    components["headers"]["Content-Crs"] = CONTENT_CRS_HEADER
    tags: set[str] = set()
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            _rename_query_parameters(operation)
            if "requestBody" in operation:  # an empty body is refused (core.api.ApiViewMixin)
                operation["requestBody"]["required"] = True
            tags.update(operation.get("tags", []))
            if not operation.get("description"):
                operation["description"] = operation.get("summary") or operation["operationId"]
            for code, response in operation.get("responses", {}).items():
                if not code.startswith(("2", "3")) or "$ref" in response:
                    continue
                headers = response.setdefault("headers", {})
                headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
                if "application/geo+json" in response.get("content", {}):
                    headers["Content-Crs"] = {"$ref": "#/components/headers/Content-Crs"}
                    if ACCEPT_CRS not in operation["parameters"]:
                        operation["parameters"].insert(0, ACCEPT_CRS)
    result["tags"] = [{"name": t, "description": f"The {t} resources."} for t in sorted(tags)]
    return result
