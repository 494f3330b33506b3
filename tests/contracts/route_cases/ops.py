"""Permission cases for the operations endpoints (docs/deploy.md): the probes answer
everyone with an overall status only; /metrics needs its bearer token, which no user's
session or API token replaces (unset in the tests: the endpoint does not exist)."""

from tests.contracts.route_cases import PUBLIC, Case, expect, page

CASES: list[Case] = [
    page("health-live", lambda w: "/health/live", PUBLIC, hidden=lambda w: "Database"),
    page("health-ready", lambda w: "/health/ready", PUBLIC, hidden=lambda w: "Database"),
    page("metrics", lambda w: "/metrics", expect((404,), (404,), (404,))),
]
