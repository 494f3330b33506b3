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

from typing import Any

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
