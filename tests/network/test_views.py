"""The network's pages (issue #18): who sees and does what, Dutch messages next to their
field, bounded query counts on the directory."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from urbanmine.network import services
from urbanmine.network.models import (
    Certification,
    CertificationScheme,
    Commitment,
    DirectoryEntry,
    EntryStatus,
    RegionalTarget,
)
from urbanmine.organisations.models import ChainRole, Organisation, OrganisationRole

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="nl")
    if user is not None:
        c.force_login(user)
    return c


def member(chain, key: str) -> DirectoryEntry:
    org, user = getattr(chain, key), getattr(chain, f"{key}_user")
    entry = services.entry_request_join(organisation=org, actor=user)
    return services.entry_decide(entry=entry, actor=chain.matchmaker_user, approve=True)


def test_the_directory_is_public_and_shows_only_members(chain):
    published = member(chain, "demolisher")
    services.entry_request_join(organisation=chain.buyer, actor=chain.buyer_user)
    r = client_for().get("/network/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "Sloper Test" in body and "Bouwer Test" not in body
    assert client_for().get(f"/network/organisations/{published.pk}/").status_code == 200
    waiting = DirectoryEntry.objects.get(organisation=chain.buyer)
    assert client_for().get(f"/network/organisations/{waiting.pk}/").status_code == 404
    assert (
        client_for(chain.buyer_user).get(f"/network/organisations/{waiting.pk}/").status_code == 200
    )


def test_search_finds_by_name_product_group_and_role(chain):
    entry = member(chain, "demolisher")
    entry.product_groups.add(chain.bricks)
    member(chain, "owner")
    c = client_for()
    body = c.get("/network/", {"q": chain.bricks.name_nl[:6].lower()}).content.decode()
    assert "Sloper Test" in body and "Woningcorporatie Test" not in body
    body = c.get("/network/", {"q": "sloper"}).content.decode()
    assert "Sloper Test" in body and "Woningcorporatie Test" not in body
    body = c.get("/network/?role=demolisher").content.decode()
    assert "Sloper Test" in body and "Woningcorporatie Test" not in body
    body = c.get(f"/network/?product_group={chain.bricks.code}").content.decode()
    assert "Sloper Test" in body and "Woningcorporatie Test" not in body


def test_the_directory_costs_a_fixed_number_of_queries(chain):
    svms = CertificationScheme.objects.get(code="brl-svms-007")
    today = timezone.localdate()

    def add(n):
        for i in range(n):
            org = Organisation.objects.create(name=f"Lid {len(str(i))}-{i}-{n}")
            OrganisationRole.objects.create(organisation=org, role=ChainRole.DEMOLISHER)
            e = DirectoryEntry.objects.create(
                organisation=org, status=EntryStatus.MEMBER, requested_at=timezone.now()
            )
            e.product_groups.add(chain.bricks)
            Certification.objects.create(
                entry=e,
                scheme=svms,
                number=f"N{i}-{n}",
                valid_from=today - timedelta(days=9),
                valid_until=today + timedelta(days=9),
            )

    c = client_for(chain.owner_user)
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert c.get("/network/").status_code == 200
    add(15)
    with CaptureQueriesContext(connection) as many:
        assert c.get("/network/").status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 20


def test_a_user_asks_to_join_and_only_the_facilitator_approves(chain):
    c = client_for(chain.demolisher_user)
    r = c.post(
        "/network/join/",
        {"organisation": chain.demolisher.pk, "motivation": "Wij oogsten stenen."},
    )
    entry = DirectoryEntry.objects.get(organisation=chain.demolisher)
    assert r.status_code == 302 and entry.status == EntryStatus.REQUESTED
    # another organisation and the requester itself cannot approve
    for user in (chain.demolisher_user, chain.owner_user):
        r = client_for(user).post(f"/network/requests/{entry.pk}/approve/")
        assert r.status_code == 404
        assert client_for(user).get("/network/requests/").status_code == 404
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REQUESTED
    m = client_for(chain.matchmaker_user)
    assert "Sloper Test" in m.get("/network/requests/").content.decode()
    assert m.post(f"/network/requests/{entry.pk}/approve/").status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MEMBER


def test_an_organisation_edits_only_its_own_entry_page(chain):
    entry = member(chain, "demolisher")
    url = f"/network/organisations/{entry.pk}/edit/"
    assert client_for(chain.owner_user).get(url).status_code == 404
    assert client_for(chain.matchmaker_user).get(url).status_code == 404
    r = client_for(chain.owner_user).post(url, {"description": "gekaapt"})
    assert r.status_code == 404
    c = client_for(chain.demolisher_user)
    assert c.get(url).status_code == 200
    r = c.post(url, {"description": "Circulair slopen", "product_groups": [chain.bricks.pk]})
    assert r.status_code == 302
    entry.refresh_from_db()
    assert entry.description == "Circulair slopen"


def test_an_expired_certificate_is_shown_as_expired(chain):
    entry = member(chain, "demolisher")
    c = client_for(chain.demolisher_user)
    today = timezone.localdate()
    r = c.post(
        f"/network/organisations/{entry.pk}/certifications/",
        {
            "scheme": CertificationScheme.objects.get(code="vca").pk,
            "number": "VCA-77",
            "valid_from": (today - timedelta(days=400)).isoformat(),
            "valid_until": (today - timedelta(days=2)).isoformat(),
        },
    )
    assert r.status_code == 302
    body = client_for().get(f"/network/organisations/{entry.pk}/").content.decode()
    row = body[body.index("VCA-77") : body.index("VCA-77") + 400]
    assert "verlopen" in row and ">geldig<" not in row
    # a period that ends before it starts: a Dutch message next to the field, nothing saved
    r = c.post(
        f"/network/organisations/{entry.pk}/certifications/",
        {
            "scheme": CertificationScheme.objects.get(code="komo").pk,
            "number": "K-1",
            "valid_from": today.isoformat(),
            "valid_until": (today - timedelta(days=1)).isoformat(),
        },
    )
    assert r.status_code == 200
    assert 'id="error-valid_until"' in r.content.decode()
    assert "geldigheid" in r.content.decode()
    assert Certification.objects.count() == 1


def test_sign_the_covenant_and_a_year_outside_its_period(chain):
    covenant = services.covenant_create(
        actor=chain.matchmaker_user,
        title="Convenant Urban Mining",
        text="Afspraken",
        start_year=2025,
        end_year=2028,
        ambition_level="base",
    )
    url = f"/network/covenant/{covenant.pk}/sign/"
    assert client_for(chain.demolisher_user).get(url).status_code == 404  # not a member
    member(chain, "demolisher")
    c = client_for(chain.demolisher_user)
    r = c.post(url, {"year": 2031, "indicator": "harvested_t", "value": "12"})
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="error-year"' in body and "buiten de looptijd" in body
    assert not Commitment.objects.exists()
    r = c.post(url, {"year": 2026, "indicator": "harvested_t", "value": "12,5"})
    assert r.status_code == 302
    assert Commitment.objects.get().value == 12.5
    page = client_for().get("/network/covenant/").content.decode()
    assert "Sloper Test" in page and "12,5" in page


def test_targets_page_and_a_target_without_unit(chain):
    m = client_for(chain.matchmaker_user)
    r = m.post(
        "/network/targets/new/",
        {"indicator": "harvested_t", "year": 2030, "value": "5", "unit": ""},
    )
    assert r.status_code == 200
    assert 'id="error-unit"' in r.content.decode()
    assert "eenheid" in r.content.decode()
    assert not RegionalTarget.objects.exists()
    r = m.post(
        "/network/targets/new/",
        {"indicator": "harvested_t", "year": 2030, "value": "5", "unit": "kt"},
    )
    assert r.status_code == 302
    assert RegionalTarget.objects.get().value == 5000
    assert client_for(chain.owner_user).get("/network/targets/new/").status_code == 404
    page = client_for().get("/network/targets/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "5.000,0" in body and "Groot-Rijnmond" in body


def test_figures_import_page(chain, tmp_path):
    m = client_for(chain.matchmaker_user)
    assert client_for(chain.owner_user).get("/network/figures/import/").status_code == 404
    f = tmp_path / "nh.csv"
    f.write_text("regio;indicator;jaar;waarde;eenheid\nNoord-Holland;geoogst_t;2025;2;kt\n")
    with f.open("rb") as fh:
        r = m.post("/network/figures/import/", {"source": "Monitor NH 2025", "file": fh})
    assert r.status_code == 302
    body = client_for().get("/network/targets/?year=2025").content.decode()
    assert "Noord-Holland" in body and "2.000,0" in body
    f.write_text("regio;indicator;jaar;waarde\nNoord-Holland;geoogst_t;2025;2\n")
    with f.open("rb") as fh:
        r = m.post("/network/figures/import/", {"source": "x", "file": fh})
    assert r.status_code == 200 and "kolom eenheid" in r.content.decode()


def test_the_covenant_and_targets_pages_cost_a_fixed_number_of_queries(chain):
    covenant = services.covenant_create(
        actor=chain.matchmaker_user,
        title="Convenant",
        text="Afspraken",
        start_year=2025,
        end_year=2028,
        ambition_level="base",
    )
    services.target_set(
        actor=chain.matchmaker_user, indicator="harvested_t", year=2030, value="5", unit="kt"
    )

    def sign(n):
        from urbanmine.network.models import Signature

        for _i in range(n):
            org = Organisation.objects.create(name=f"Ondertekenaar {Organisation.objects.count()}")
            DirectoryEntry.objects.create(
                organisation=org, status=EntryStatus.MEMBER, requested_at=timezone.now()
            )
            s = Signature.objects.create(
                covenant=covenant, organisation=org, signed_at=timezone.now()
            )
            Commitment.objects.create(signature=s, year=2026, indicator="harvested_t", value=5)
            Commitment.objects.create(signature=s, year=2027, indicator="hubs_opened", value=1)

    c = client_for()
    sign(1)
    counts = []
    for _round in range(2):
        with CaptureQueriesContext(connection) as q1:
            assert c.get("/network/covenant/").status_code == 200
        with CaptureQueriesContext(connection) as q2:
            assert c.get("/network/targets/").status_code == 200
        counts.append((len(q1), len(q2)))
        sign(12)
    assert counts[0] == counts[1]
