"""Permission cases of the job controls: cancelling a matching run and a forecast.

The world's run is done (a refused or late cancel changes nothing); its forecast is
running, so the province's cancel flags it (302 back to the dashboard)."""

from __future__ import annotations

from tests.contracts.route_cases import LOGIN, Case, expect, page

CASES: list[Case] = [
    page(
        "matching-run-cancel",
        lambda w: f"/matching/runs/{w.run.pk}/cancel/",
        expect(LOGIN, (403,), (302,)),
        own="matchmaker_user",
        method="post",
        writes=True,
    ),
    page(
        "forecast-cancel",
        lambda w: f"/dashboard/forecasts/{w.forecast.pk}/cancel/",
        expect(LOGIN, (403,), (302,)),
        own="matchmaker_user",
        method="post",
        writes=True,
    ),
]
