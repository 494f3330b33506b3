"""Permission cases of access grants (issue #13): only the asset's owner grants and
revokes; others get 404 (they may not know the asset) and nothing changes."""

from __future__ import annotations

from tests.contracts.route_cases import API_ANON, LOGIN, Case, api, expect, page


def _designer(w):
    """An organisation with the designer role to grant access to (first use)."""
    if "designer" not in w.extra:
        from urbanmine.organisations.models import ChainRole, Organisation, OrganisationRole

        org = Organisation.objects.create(name="Ontwerper Grants")
        OrganisationRole.objects.create(organisation=org, role=ChainRole.DESIGNER)
        w.extra["designer"] = org
    return w.extra["designer"]


def _grant(w):
    if "grant" not in w.extra:
        from urbanmine.assets.services import asset_grant

        w.extra["grant"] = asset_grant(
            asset=w.chain.building,
            organisation=w.chain.buyer,
            role="builder",
            actor=w.chain.owner_user,
        )
    return w.extra["grant"]


CASES: list[Case] = [
    page(
        "asset-grant",
        lambda w: f"/assets/{w.chain.building.pk}/grants/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"organisation": _designer(w).pk, "role": "designer"},
        writes=True,
    ),
    page(
        "asset-grant-revoke",
        lambda w: f"/grants/{_grant(w).pk}/revoke/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
]

# the review of draft lots: the owner's (others who may not see the asset get 404)
CASES += [
    page(
        "asset-drafts",
        lambda w: f"/assets/{w.chain.building.pk}/drafts/",
        expect(LOGIN, (404,), (200,)),
    ),
    page(
        "asset-drafts",
        lambda w: f"/assets/{w.chain.building.pk}/drafts/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"action": "unflagged"},
        writes=True,
    ),
]


def _draft(w) -> dict:
    """A draft lot in the owner's building (first use)."""
    if "draft" not in w.extra:
        from tests.support.chain import identify_bricks

        w.extra["draft"] = identify_bricks(w.chain, 25, draft=True)
    return {"lots": [w.extra["draft"].code]}


CASES.append(
    api(
        "api-lot-publications",
        "post",
        lambda w: _draft(w) and "/api/v1/lots/publications",  # the draft exists first
        expect(API_ANON, (400,), (200,)),  # another organisation does not see the draft
        data=_draft,
        json=True,
        writes=True,
    )
)

# the owner's asking price of a lot (the world's private lot is the owner's)
CASES.append(
    page(
        "lot-asking-price",
        lambda w: f"/lots/{w.private_lot.code}/price/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"asking_price_eur": "1.25"},
        writes=True,
    )
)

# the address lookup: signed-in users only, and only when the service is configured (it is
# not in the tests: 404 for everyone)
CASES.append(
    page("place-lookup", lambda w: "/places/lookup?q=Delft", expect(LOGIN, (404,), (404,)))
)
