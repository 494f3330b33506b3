"""Permission cases of the ambition and tender tool (issue #17): signed-in users read area
ambitions and the clause library; the province (matchmaker) and municipalities set area
ambitions and add clauses; an asset's owner tenders its project; others get 403 (not a
client) or 404 (not theirs)."""

from __future__ import annotations

from tests.contracts.route_cases import API_ANON, LOGIN, Case, api, expect, page


def _area(w):
    if "area" not in w.extra:
        from urbanmine.regions.models import Municipality
        from urbanmine.tenders.services import ambition_create

        w.extra["area"] = ambition_create(
            actor=w.chain.matchmaker_user,
            name="Gebied Rotterdam",
            level="area",
            phase="demolition",
            year=2027,
            municipalities=[Municipality.objects.get(code="GM0599")],
            harvest_pct=20,
        )
    return w.extra["area"]


def _project(w):
    if "project_ambition" not in w.extra:
        from urbanmine.tenders.services import ambition_create

        w.extra["project_ambition"] = ambition_create(
            actor=w.chain.owner_user,
            name="Projectambitie Flat Rotterdam",
            level="project",
            phase="demolition",
            year=2027,
            asset=w.chain.building,
            parent=_area(w),
            harvest_pct=30,
        )
    return w.extra["project_ambition"]


def _tender(w):
    if "tender" not in w.extra:
        from urbanmine.tenders.services import tender_create

        w.extra["tender"] = tender_create(
            actor=w.chain.owner_user,
            asset=w.chain.building,
            title="Uitvraag Flat Rotterdam",
            phase="demolition",
            ambition=_project(w),
        )
    return w.extra["tender"]


def _clause(w):
    if "clause" not in w.extra:
        from urbanmine.tenders.services import clause_create

        w.extra["clause"] = clause_create(
            actor=w.chain.matchmaker_user,
            code="hergebruik-tenzij",
            title="Hergebruik, tenzij",
            kind="requirement",
            text="Tekst",
            source="Verkenning, Kansen",
        )
    return w.extra["clause"]


def _tender_url(w, suffix=""):
    return f"/tenders/{_tender(w).pk}/{suffix}"


CASES: list[Case] = [
    page(
        "tender-home",
        lambda w: (_tender(w), "/tenders/")[1],
        expect(LOGIN, (200,), (200,)),
        shown=lambda w: "Uitvraag Flat Rotterdam",
    ),
    page("ambition-create", lambda w: "/tenders/ambitions/new/", expect(LOGIN, (403,), (200,))),
    page(
        "ambition-create",
        lambda w: "/tenders/ambitions/new/",
        expect(LOGIN, (403,), (302,)),
        method="post",
        own="matchmaker_user",
        data=lambda w: {
            "name": "Ambitie Rotterdam",
            "level": "area",
            "phase": "demolition",
            "year": "2027",
            "municipalities": [_area(w).municipalities.get().pk],
            "harvest_pct": "25",
        },
        writes=True,
    ),
    page(
        "ambition-detail",
        lambda w: f"/tenders/ambitions/{_project(w).pk}/",
        expect(LOGIN, (404,), (200,)),
        shown=lambda w: "Projectambitie Flat Rotterdam",
    ),
    page(
        "clause-library",
        lambda w: (_clause(w), "/tenders/clauses/")[1],
        expect(LOGIN, (200,), (200,)),
    ),
    page(
        "clause-library",
        lambda w: "/tenders/clauses/",
        expect(LOGIN, (403,), (302,)),
        method="post",
        own="matchmaker_user",
        data=lambda w: {
            "code": "eigen-clausule",
            "title": "Eigen clausule",
            "kind": "award",
            "text": "Tekst",
            "source": "Verkenning, Agenda",
        },
        writes=True,
    ),
    page("tender-create", lambda w: "/tenders/new/", expect(LOGIN, (403,), (200,))),
    page(
        "tender-create",
        lambda w: "/tenders/new/",
        expect(LOGIN, (403,), (302,)),
        method="post",
        data=lambda w: {
            "asset": w.chain.building.pk,
            "phase": "demolition",
            "title": "Tweede uitvraag",
        },
        writes=True,
    ),
    page(
        "tender-detail",
        lambda w: _tender_url(w),
        expect(LOGIN, (404,), (200,)),
        shown=lambda w: "Uitvraag Flat Rotterdam",
    ),
    page(
        "tender-detail",
        lambda w: _tender_url(w),
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {
            "action": "bid",
            "bidder": "Sloper X",
            "price_eur": "100000",
            "harvest_pct": "40",
        },
        writes=True,
    ),
    page(
        "tender-annex-docx", lambda w: _tender_url(w, "annex.docx"), expect(LOGIN, (404,), (200,))
    ),
    page("tender-annex-pdf", lambda w: _tender_url(w, "annex.pdf"), expect(LOGIN, (404,), (200,))),
]


def _commitment(w):
    if "commitment" not in w.extra:
        from urbanmine.tenders.services import bid_create, tender_award

        tender = _tender(w)
        bid = bid_create(
            actor=w.chain.owner_user,
            tender=tender,
            bidder="Sloper Commitment",
            price_eur=1000,
            harvest_pct=40,
        )
        w.extra["commitment"] = tender_award(actor=w.chain.owner_user, tender=tender, bid=bid)
    return w.extra["commitment"]


# the API (read): area ambitions and clauses for every signed-in user; project ambitions,
# tenders and commitments for the client's organisations
CASES += [
    api(
        "api-ambition-list",
        "get",
        lambda w: (_project(w), "/api/v1/ambitions")[1],
        expect(API_ANON, (200,), (200,)),
        shown=lambda w: "Projectambitie Flat Rotterdam",
    ),
    api(
        "api-ambition-list",
        "post",
        lambda w: "/api/v1/ambitions",
        expect(API_ANON, (403,), (201,)),
        own="matchmaker_user",
        json=True,
        data=lambda w: {
            "name": "API-ambitie",
            "level": "area",
            "phase": "new_build",
            "year": 2028,
            "municipalities": ["GM0599"],
            "secondary_pct": 25,
        },
        writes=True,
    ),
    api(
        "api-ambition-detail",
        "get",
        lambda w: f"/api/v1/ambitions/{_project(w).pk}",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-clause-list",
        "get",
        lambda w: (_clause(w), "/api/v1/clauses")[1],
        expect(API_ANON, (200,), (200,)),
    ),
    api(
        "api-clause-detail",
        "get",
        lambda w: f"/api/v1/clauses/{_clause(w).pk}",
        expect(API_ANON, (200,), (200,)),
    ),
    api(
        "api-tender-list",
        "get",
        lambda w: (_tender(w), "/api/v1/tenders")[1],
        expect(API_ANON, (200,), (200,)),
        shown=lambda w: "Uitvraag Flat Rotterdam",
    ),
    api(
        "api-tender-detail",
        "get",
        lambda w: f"/api/v1/tenders/{_tender(w).pk}",
        expect(API_ANON, (404,), (200,)),
    ),
    api(
        "api-commitment-list",
        "get",
        lambda w: (_commitment(w), "/api/v1/commitments")[1],
        expect(API_ANON, (200,), (200,)),
        shown=lambda w: "Sloper Commitment",
    ),
    api(
        "api-commitment-detail",
        "get",
        lambda w: f"/api/v1/commitments/{_commitment(w).pk}",
        expect(API_ANON, (404,), (200,)),
    ),
]
