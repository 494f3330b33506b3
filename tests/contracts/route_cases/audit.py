"""The audit log: the data steward's page (platform-wide users: staff and matchmakers)."""

from __future__ import annotations

from tests.contracts.route_cases import LOGIN, Case, expect, page

CASES: list[Case] = [
    page(
        "audit-log",
        lambda w: "/audit/",
        expect(LOGIN, (403,), (200,)),
        own="matchmaker_user",
        shown=lambda w: w.scenario.name,  # an entry of the log: the reference scenario
    ),
]
