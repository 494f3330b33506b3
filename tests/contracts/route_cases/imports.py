"""Permission cases of inventory imports run as background jobs: the status page, its JSON,
the cancel (the starter's) and the API's status resource.

The world's import is the owner's, done: a cancel by its starter answers "had already
ended" (302 back to the page) and changes nothing; another organisation sees none of it."""

from __future__ import annotations

from tests.contracts.route_cases import API_ANON, LOGIN, Case, api, expect, page


def _import(w):
    """A finished import of the owner into the building (made on first use)."""
    if "import" not in w.extra:
        from urbanmine.lots.models import InventoryImport

        w.extra["import"] = InventoryImport.objects.create(
            asset=w.chain.building,
            started_by=w.chain.owner_user,
            organisation=w.chain.owner,
            source_name="inventaris-groot.csv",
            status="done",
            progress=100,
            rows=3000,
            stored=3000,
        )
    return w.extra["import"]


CASES: list[Case] = [
    page(
        "inventory-import",
        lambda w: f"/imports/{_import(w).pk}/",
        expect(LOGIN, (404,), (200,)),
        shown=lambda w: "inventaris-groot.csv",
    ),
    page(
        "inventory-import-status",
        lambda w: f"/imports/{_import(w).pk}/status/",
        expect(LOGIN, (404,), (200,)),
    ),
    page(
        "inventory-import-cancel",
        lambda w: f"/imports/{_import(w).pk}/cancel/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
    api(
        "api-inventory-import-detail",
        "get",
        lambda w: f"/api/v1/inventory-imports/{_import(w).pk}",
        expect(API_ANON, (404,), (200,)),
        shown=lambda w: "inventaris-groot.csv",
    ),
]
