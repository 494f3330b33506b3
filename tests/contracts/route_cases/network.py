"""Permission cases of the network (issue #18): the directory, the covenant and the targets
are public; an organisation changes only its own entry and signs only for itself; only the
facilitator (the province: a matchmaker organisation, or the data steward) decides on
requests to join, records covenants, sets targets and imports other regions' figures."""

from __future__ import annotations

from datetime import date

from tests.contracts.route_cases import API_ANON, LOGIN, PUBLIC, PUBLIC_API, Case, api, expect, page


def _entry(w, key: str, *, approve: bool = True):
    """`key`'s organisation asked to join (and, with `approve`, the province approved)."""
    name = f"entry-{key}"
    if name not in w.extra:
        from urbanmine.network.services import entry_decide, entry_request_join

        entry = entry_request_join(
            organisation=getattr(w.chain, key), actor=getattr(w.chain, f"{key}_user")
        )
        if approve:
            entry = entry_decide(entry=entry, actor=w.chain.matchmaker_user, approve=True)
        w.extra[name] = entry
    return w.extra[name]


def _cert(w):
    if "cert" not in w.extra:
        from urbanmine.network.models import CertificationScheme
        from urbanmine.network.services import certification_add

        w.extra["cert"] = certification_add(
            entry=_entry(w, "demolisher"),
            actor=w.chain.demolisher_user,
            scheme=CertificationScheme.objects.get(code="vca"),
            number="VCA-1",
            valid_from=date(2025, 1, 1),
            valid_until=date(2027, 1, 1),
        )
    return w.extra["cert"]


def _covenant(w):
    if "covenant" not in w.extra:
        from urbanmine.network.services import covenant_create

        _entry(w, "demolisher")
        w.extra["covenant"] = covenant_create(
            actor=w.chain.matchmaker_user,
            title="Convenant Urban Mining",
            text="Afspraken",
            start_year=2025,
            end_year=2028,
            ambition_level="base",
        )
    return w.extra["covenant"]


def _scheme_pk(code: str) -> int:
    from urbanmine.network.models import CertificationScheme

    return CertificationScheme.objects.get(code=code).pk


OWN_ONLY = expect(LOGIN, (404,), (200,))
OWN_WRITES = expect(LOGIN, (404,), (302,))
FACILITATOR = {"own": "matchmaker_user"}

CASES: list[Case] = [
    page("network-directory", lambda w: "/network/", PUBLIC),
    page(
        "network-entry", lambda w: f"/network/organisations/{_entry(w, 'demolisher').pk}/", PUBLIC
    ),
    # a request to join is the organisation's (and the province's) until approved
    page(
        "network-entry",
        lambda w: f"/network/organisations/{_entry(w, 'buyer', approve=False).pk}/",
        expect((404,), (404,), (200,)),
        own="buyer_user",
    ),
    page(
        "network-entry-edit",
        lambda w: f"/network/organisations/{_entry(w, 'demolisher').pk}/edit/",
        OWN_ONLY,
        own="demolisher_user",
    ),
    page(
        "network-entry-edit",
        lambda w: f"/network/organisations/{_entry(w, 'demolisher').pk}/edit/",
        OWN_WRITES,
        own="demolisher_user",
        method="post",
        data=lambda w: {"description": "Wij slopen circulair."},
        writes=True,
    ),
    page(
        "network-certification-add",
        lambda w: f"/network/organisations/{_entry(w, 'demolisher').pk}/certifications/",
        OWN_ONLY,
        own="demolisher_user",
    ),
    page(
        "network-certification-add",
        lambda w: f"/network/organisations/{_entry(w, 'demolisher').pk}/certifications/",
        OWN_WRITES,
        own="demolisher_user",
        method="post",
        data=lambda w: {
            "scheme": _scheme_pk("komo"),
            "number": "K-1",
            "valid_from": "2025-01-01",
            "valid_until": "2027-01-01",
        },
        writes=True,
    ),
    page(
        "network-certification-remove",
        lambda w: f"/network/certifications/{_cert(w).pk}/remove/",
        OWN_WRITES,
        own="demolisher_user",
        method="post",
        writes=True,
    ),
    page(
        "network-join", lambda w: "/network/join/", expect(LOGIN, (200,), (200,)), own="buyer_user"
    ),
    page(
        "network-join",
        lambda w: "/network/join/",
        expect(LOGIN, (200,), (302,)),  # another organisation's id is not a choice
        own="buyer_user",
        method="post",
        data=lambda w: {"organisation": w.chain.buyer.pk},
        writes=True,
    ),
    page("network-requests", lambda w: "/network/requests/", OWN_ONLY, **FACILITATOR),
    page(
        "network-request-decide",
        lambda w: f"/network/requests/{_entry(w, 'buyer', approve=False).pk}/approve/",
        OWN_WRITES,
        method="post",
        writes=True,
        **FACILITATOR,
    ),
    page("network-covenant", lambda w: "/network/covenant/", PUBLIC),
    page("network-covenant-detail", lambda w: f"/network/covenant/{_covenant(w).pk}/", PUBLIC),
    page("network-covenant-create", lambda w: "/network/covenant/new/", OWN_ONLY, **FACILITATOR),
    page(
        "network-covenant-create",
        lambda w: "/network/covenant/new/",
        OWN_WRITES,
        method="post",
        data=lambda w: {
            "title": "Convenant 2",
            "text": "Tekst",
            "start_year": 2026,
            "end_year": 2029,
            "ambition_level": "base",
        },
        writes=True,
        **FACILITATOR,
    ),
    page(
        "network-covenant-sign",
        lambda w: f"/network/covenant/{_covenant(w).pk}/sign/",
        OWN_ONLY,
        own="demolisher_user",
    ),
    page(
        "network-covenant-sign",
        lambda w: f"/network/covenant/{_covenant(w).pk}/sign/",
        OWN_WRITES,
        own="demolisher_user",
        method="post",
        data=lambda w: {"year": 2026, "indicator": "harvested_t", "value": "10"},
        writes=True,
    ),
    page("network-targets", lambda w: "/network/targets/", PUBLIC),
    page("network-target-create", lambda w: "/network/targets/new/", OWN_ONLY, **FACILITATOR),
    page(
        "network-target-create",
        lambda w: "/network/targets/new/",
        OWN_WRITES,
        method="post",
        data=lambda w: {"indicator": "applied_t", "year": 2030, "value": "5", "unit": "kt"},
        writes=True,
        **FACILITATOR,
    ),
    page("network-figures-import", lambda w: "/network/figures/import/", OWN_ONLY, **FACILITATOR),
]

CASES += [
    api(
        "api-network-organisation-list",
        "get",
        lambda w: "/api/v1/network/organisations",
        PUBLIC_API,
    ),
    api(
        "api-network-organisation-detail",
        "get",
        lambda w: f"/api/v1/network/organisations/{_entry(w, 'demolisher').pk}",
        PUBLIC_API,
    ),
    api(
        "api-network-organisation-detail",
        "get",
        lambda w: f"/api/v1/network/organisations/{_entry(w, 'buyer', approve=False).pk}",
        expect((404,), (404,), (200,)),
        own="buyer_user",
    ),
    api("api-network-covenant-list", "get", lambda w: "/api/v1/network/covenants", PUBLIC_API),
    api(
        "api-network-covenant-detail",
        "get",
        lambda w: f"/api/v1/network/covenants/{_covenant(w).pk}",
        PUBLIC_API,
    ),
    api("api-network-target-list", "get", lambda w: "/api/v1/network/targets", PUBLIC_API),
    api(
        "api-network-target-list",
        "post",
        lambda w: "/api/v1/network/targets",
        expect(API_ANON, (403,), (201,)),
        own="matchmaker_user",
        data=lambda w: {"indicator": "harvested_t", "year": 2030, "value": "5", "unit": "kt"},
        json=True,
        writes=True,
    ),
]
