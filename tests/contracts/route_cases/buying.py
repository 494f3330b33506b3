"""Permission cases of demand and buying in the web app (issue #13): my demand, posting a
demand, asking to reserve a lot on offer, and answering requests."""

from __future__ import annotations

from tests.contracts.route_cases import LOGIN, Case, expect, page


def _request(w, key: str):
    """The buyer's pending request for part of the published lot (the owner decides)."""
    if key not in w.extra:
        from urbanmine.market.services import reservation_request_create

        w.extra[key] = reservation_request_create(
            lot_id=w.published_lot.id, actor=w.chain.buyer_user, quantity=5, message=key
        )
    return w.extra[key]


def _demand(w) -> dict:
    return {
        "project": w.chain.project.pk,
        "product_group": w.chain.bricks.pk,
        "quantity": "100",
        "min_quality": "B",
        "window_start": "2027-02-01",
        "window_end": "2027-03-01",
        "max_distance_km": "50",
    }


CASES: list[Case] = [
    page("demand-list", lambda w: "/demand/", expect(LOGIN, (200,), (200,)), own="buyer_user"),
    page(
        "demand-create", lambda w: "/demand/new/", expect(LOGIN, (200,), (200,)), own="buyer_user"
    ),
    # the outsider owns no project: its post is refused (400), nothing is written
    page(
        "demand-create",
        lambda w: "/demand/new/",
        expect(LOGIN, (400,), (302,)),
        own="buyer_user",
        method="post",
        data=_demand,
        writes=True,
    ),
    page(
        "lot-reserve",
        lambda w: f"/lots/{w.published_lot.code}/reserve/",
        expect(LOGIN, (200,), (200,)),
        own="buyer_user",
    ),
    page(
        "lot-reserve",
        lambda w: f"/lots/{w.private_lot.code}/reserve/",
        expect(LOGIN, (404,), (404,)),
        own="buyer_user",
    ),
    page(
        "reservation-requests",
        lambda w: f"/requests/?_={_request(w, 'Gezien door de eigenaar').pk}",
        expect(LOGIN, (200,), (200,)),
        shown=lambda w: "Gezien door de eigenaar",
    ),
    page(
        "reservation-request-decide",
        lambda w: f"/requests/{_request(w, 'decline').pk}/decline/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
]

# the personal start page: every signed-in user has one, and sees only its own tasks
CASES.append(
    page(
        "start",
        lambda w: f"/start/?_={_request(w, 'start').pk}",
        expect(LOGIN, (200,), (200,)),
        shown=lambda w: w.published_lot.code,  # the owner is asked about its lot
    )
)


def _wanted(w):
    if "wanted" not in w.extra:
        from urbanmine.market.services import wanted_create

        w.extra["wanted"] = wanted_create(actor=w.chain.buyer_user, product_group=w.chain.steel)
    return w.extra["wanted"]


CASES += [
    # anyone acting for an organisation keeps its own wanted list
    page(
        "wanted-create",
        lambda w: "/wanted/",
        expect(LOGIN, (302,), (302,)),
        own="buyer_user",
        method="post",
        data=lambda w: {
            "product_group": w.chain.bricks.pk,
            "min_quality": "C",
            "max_distance_km": "50",
        },
    ),
    page(
        "wanted-stop",
        lambda w: f"/wanted/{_wanted(w).pk}/stop/",
        expect(LOGIN, (404,), (302,)),
        own="buyer_user",
        method="post",
        writes=True,
    ),
    page("notifications", lambda w: "/notifications/", expect(LOGIN, (200,), (200,))),
]
