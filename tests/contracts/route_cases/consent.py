"""Permission cases of consent (issue #14): engaging a certifier, a custodian's transfer
proposal and the owner's decision, on the pages and in the API.

The world's private lot is the owner's, held by the demolisher (its custodian); its
published lot is held by the hub operator. Proposals are made on first use."""

from __future__ import annotations

from tests.contracts.route_cases import API_ANON, LOGIN, Case, api, expect, page


def _private(w):
    return w.private_lot.code


def _proposal(w, key: str):
    """A pending proposal of the hub operator (custodian) to sell part of the published lot."""
    if key not in w.extra:
        from urbanmine.lots.lifecycle import Step
        from urbanmine.lots.services import lot_transfer_propose

        w.extra[key] = lot_transfer_propose(
            lot_id=w.published_lot.id,
            step=Step.SALE,
            counterparty=w.chain.buyer,
            actor=w.chain.hub_operator_user,
            quantity=10,
        )
    return w.extra[key]


def _handover(w) -> dict:
    return {"step": "ownership_change", "counterparty": w.chain.demolisher.pk}


def _transform(w, api: bool = False) -> dict:
    """The hub operator turns the twin lot (500 bricks, 1,050 kg) into brick slips."""
    from urbanmine.catalogue.models import ProductGroup

    slips = ProductGroup.objects.get(code="facade-bricks-slips")
    return {
        "lots": [w.twin_lot.code] if api else [w.twin_lot.pk],
        "product_group": slips.code if api else slips.pk,
        "quantity": "40",
        "mass_kg_per_unit": "20",
        "quality": "B",
        "r_strategy": "R6",
    }


def _permits(w) -> str:
    """The matchmaker's organisation is also the permit authority for Delft (first use)."""
    from urbanmine.organisations.models import ChainRole, OrganisationRole
    from urbanmine.regions.models import Municipality

    OrganisationRole.objects.get_or_create(
        organisation=w.chain.matchmaker, role=ChainRole.PERMIT_AUTHORITY
    )
    w.chain.matchmaker.municipalities_served.add(Municipality.objects.get(code="GM0503"))
    return "/permits/"


CASES: list[Case] = [
    page("permits", _permits, expect(LOGIN, (403,), (200,)), own="matchmaker_user"),
    page(
        "permits",
        _permits,
        expect(LOGIN, (403,), (302,)),
        own="matchmaker_user",
        method="post",
        data=lambda w: {"asset": w.chain.project.pk, "status": "requested"},
        writes=True,
    ),
    page(
        "hub-transform-lots",
        lambda w: f"/hubs/{w.chain.hub.pk}/transform/",
        expect(LOGIN, (403,), (302,)),
        own="hub_operator_user",
        method="post",
        data=_transform,
        writes=True,
    ),
    api(
        "api-lot-transformations",
        "post",
        lambda w: "/api/v1/lots/transformations",
        expect(API_ANON, (403,), (201,)),
        own="hub_operator_user",
        data=lambda w: _transform(w, api=True),
        json=True,
        writes=True,
    ),
    page(
        "lot-step",
        lambda w: f"/lots/{_private(w)}/steps/inventory/",
        expect(LOGIN, (404,), (200,)),
        own="demolisher_user",
    ),
    # the world's published lot was harvested by the demolisher: it corrects that step
    page(
        "lot-correct",
        lambda w: f"/lots/{w.published_lot.code}/correct/",
        expect(LOGIN, (403,), (302,)),
        own="demolisher_user",
        method="post",
        data=lambda w: {"reason": "Verkeerde hub"},
        writes=True,
    ),
    api(
        "api-lot-corrections",
        "post",
        lambda w: f"/api/v1/lots/{w.twin_lot.code}/corrections",
        expect(API_ANON, (403,), (201,)),
        own="demolisher_user",
        data=lambda w: {"reason": "Verkeerde hub"},
        json=True,
        writes=True,
    ),
    page(
        "lot-engage-certifier",
        lambda w: f"/lots/{_private(w)}/engage/",
        expect(LOGIN, (404,), (302,)),
        own="demolisher_user",
        method="post",
        data=lambda w: {"certifier": w.chain.certifier.pk},
        writes=True,
    ),
    page(
        "lot-propose-transfer",
        lambda w: f"/lots/{_private(w)}/propose/",
        expect(LOGIN, (404,), (302,)),
        own="demolisher_user",
        method="post",
        data=_handover,
        writes=True,
    ),
    page(
        "transfer-accept",
        lambda w: f"/transfers/{_proposal(w, 'accept').pk}/accept/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
    page(
        "transfer-decline",
        lambda w: f"/transfers/{_proposal(w, 'decline').pk}/decline/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
    api(
        "api-lot-engagements",
        "get",
        lambda w: f"/api/v1/lots/{_private(w)}/engagements",
        expect(API_ANON, (404,), (200,)),
        own="demolisher_user",
    ),
    api(
        "api-lot-engagements",
        "post",
        lambda w: f"/api/v1/lots/{_private(w)}/engagements",
        expect(API_ANON, (404,), (201,)),
        own="demolisher_user",
        data=lambda w: {"certifier": w.chain.certifier.pk},
        json=True,
        writes=True,
    ),
    api(
        "api-lot-transfer-proposals",
        "get",
        lambda w: f"/api/v1/lots/{_private(w)}/transfer-proposals",
        expect(API_ANON, (404,), (200,)),
        own="demolisher_user",
    ),
    api(
        "api-lot-transfer-proposals",
        "post",
        lambda w: f"/api/v1/lots/{_private(w)}/transfer-proposals",
        expect(API_ANON, (404,), (201,)),
        own="demolisher_user",
        data=_handover,
        json=True,
        writes=True,
    ),
    api(
        "api-transfer-proposal-list",
        "get",
        lambda w: f"/api/v1/transfer-proposals?status=pending&_={_proposal(w, 'list').pk}",
        expect(API_ANON, (200,), (200,)),
        shown=lambda w: w.published_lot.code,
    ),
    api(
        "api-transfer-proposal-detail",
        "get",
        lambda w: f"/api/v1/transfer-proposals/{_proposal(w, 'detail').pk}",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-transfer-proposal-accept",
        "post",
        lambda w: f"/api/v1/transfer-proposals/{_proposal(w, 'accept-api').pk}/accept",
        expect(API_ANON, (404,), (200,)),
        json=True,
        writes=True,
    ),
    api(
        "api-transfer-proposal-decline",
        "post",
        lambda w: f"/api/v1/transfer-proposals/{_proposal(w, 'decline-api').pk}/decline",
        expect(API_ANON, (404,), (200,)),
        json=True,
        writes=True,
    ),
]
