"""The network (issue #18): joining, the directory entry, certifications, the covenant's
commitments and their progress, regional targets against a known event history and the
forecast, the regional comparison and the import of another region's figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import override

from urbanmine.lots.lifecycle import Step
from urbanmine.lots.services import lot_identify, lot_record_step
from urbanmine.network import selectors, services
from urbanmine.network.models import (
    Certification,
    CertificationScheme,
    Commitment,
    Covenant,
    DirectoryEntry,
    EntryStatus,
    FigureImport,
    RegionalTarget,
    Signature,
)

pytestmark = pytest.mark.django_db
AMS = ZoneInfo("Europe/Amsterdam")


def at(y, m, d):
    return datetime(y, m, d, 12, tzinfo=AMS)


def member(chain, key: str) -> DirectoryEntry:
    org, user = getattr(chain, key), getattr(chain, f"{key}_user")
    entry = services.entry_request_join(organisation=org, actor=user)
    return services.entry_decide(entry=entry, actor=chain.matchmaker_user, approve=True)


def covenant(chain, start=2025, end=2028) -> Covenant:
    return services.covenant_create(
        actor=chain.matchmaker_user,
        title="Convenant Urban Mining",
        text="Oogsten en toepassen.",
        start_year=start,
        end_year=end,
        ambition_level="ambitious",
    )


def _bricks(chain, quantity: int, when: datetime):
    return lot_identify(
        asset=chain.building,
        organisation=chain.owner,
        actor=chain.owner_user,
        custodian=chain.demolisher,
        occurred_at=when,
        product_group=chain.bricks,
        quantity=quantity,
        unit="piece",
        mass_kg_per_unit="2.5",
        quality="A",
    )


@pytest.fixture
def history(chain):
    """A known event history (bricks of 2.5 kg from the Rotterdam building):
    2025: the demolisher harvests 1000 (2.5 t) into the hub (the hub's first event);
    2026: it harvests 2000 (5 t); the owner sells those to the builder, who applies 1200
    (3 t) in its project; the owner sends the 2025 lot to recycling (2.5 t exit)."""
    a = _bricks(chain, 1000, at(2025, 3, 1))
    lot_record_step(
        lot_id=a.id,
        step=Step.DISMANTLING,
        actor=chain.demolisher_user,
        hub=chain.hub,
        occurred_at=at(2025, 4, 1),
    )
    b = _bricks(chain, 2000, at(2026, 1, 10))
    lot_record_step(
        lot_id=b.id,
        step=Step.DISMANTLING,
        actor=chain.demolisher_user,
        hub=chain.hub,
        occurred_at=at(2026, 2, 1),
    )
    lot_record_step(
        lot_id=b.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.buyer,
        occurred_at=at(2026, 2, 15),
    )
    lot_record_step(
        lot_id=b.id,
        step=Step.EXECUTION,
        actor=chain.buyer_user,
        target_asset=chain.project,
        quantity=1200,
        occurred_at=at(2026, 3, 1),
    )
    lot_record_step(
        lot_id=a.id,
        step=Step.EXIT,
        actor=chain.owner_user,
        exit_route="recycle",
        counterparty=chain.outsider,
        occurred_at=at(2026, 5, 1),
    )
    return a, b


# --------------------------------------------------------------------------- joining
def test_only_the_facilitator_approves_a_request_to_join(chain):
    entry = services.entry_request_join(organisation=chain.demolisher, actor=chain.demolisher_user)
    assert entry.status == EntryStatus.REQUESTED
    for user in (chain.demolisher_user, chain.owner_user, chain.outsider_user):
        with pytest.raises(PermissionDenied):
            services.entry_decide(entry=entry, actor=user, approve=True)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REQUESTED and entry.decided_at is None
    services.entry_decide(entry=entry, actor=chain.matchmaker_user, approve=True)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MEMBER and entry.decided_by == chain.matchmaker_user
    with pytest.raises(ValidationError):  # decided once
        services.entry_decide(entry=entry, actor=chain.matchmaker_user, approve=False)


def test_an_organisation_asks_only_for_itself_and_once(chain):
    with pytest.raises(PermissionDenied):
        services.entry_request_join(organisation=chain.demolisher, actor=chain.owner_user)
    services.entry_request_join(organisation=chain.demolisher, actor=chain.demolisher_user)
    with override("nl"), pytest.raises(ValidationError) as e:
        services.entry_request_join(organisation=chain.demolisher, actor=chain.demolisher_user)
    assert "lid" in e.value.message_dict["organisation"][0]
    assert DirectoryEntry.objects.count() == 1


def test_a_declined_organisation_may_ask_again(chain):
    entry = services.entry_request_join(organisation=chain.buyer, actor=chain.buyer_user)
    services.entry_decide(entry=entry, actor=chain.matchmaker_user, approve=False)
    again = services.entry_request_join(organisation=chain.buyer, actor=chain.buyer_user)
    assert again.pk == entry.pk and again.status == EntryStatus.REQUESTED


def test_an_organisation_edits_only_its_own_entry(chain):
    entry = member(chain, "demolisher")
    with pytest.raises(PermissionDenied):
        services.entry_update(entry=entry, actor=chain.owner_user, profile={"description": "x"})
    with pytest.raises(PermissionDenied):  # the province approves, it does not edit
        services.entry_update(
            entry=entry, actor=chain.matchmaker_user, profile={"description": "x"}
        )
    services.entry_update(
        entry=entry,
        actor=chain.demolisher_user,
        profile={"description": "Wij slopen circulair."},
        product_groups=[chain.bricks],
    )
    entry.refresh_from_db()
    assert entry.description == "Wij slopen circulair."
    assert list(entry.product_groups.all()) == [chain.bricks]


def test_visibility_of_entries(chain):
    waiting = services.entry_request_join(organisation=chain.buyer, actor=chain.buyer_user)
    published = member(chain, "demolisher")
    from django.contrib.auth.models import AnonymousUser

    anon = list(selectors.directory_entries(AnonymousUser()))
    assert anon == [published]
    assert set(selectors.directory_entries(chain.buyer_user)) == {waiting, published}
    assert set(selectors.directory_entries(chain.matchmaker_user)) == {waiting, published}
    assert list(selectors.directory_entries(chain.outsider_user)) == [published]


# --------------------------------------------------------------------------- certifications
def test_an_expired_certification_is_shown_as_expired_never_valid(chain):
    entry = member(chain, "demolisher")
    svms = CertificationScheme.objects.get(code="brl-svms-007")  # the steward's list (seeded)
    today = timezone.localdate()
    expired = services.certification_add(
        entry=entry,
        actor=chain.demolisher_user,
        scheme=svms,
        number="SVMS-1",
        valid_from=today - timedelta(days=800),
        valid_until=today - timedelta(days=1),
    )
    last_day = services.certification_add(
        entry=entry,
        actor=chain.demolisher_user,
        scheme=svms,
        number="SVMS-2",
        valid_from=today - timedelta(days=10),
        valid_until=today,
    )
    assert selectors.certification_state(expired, today) == "expired"
    assert selectors.certification_state(last_day, today) == "valid"
    assert selectors.certification_state(last_day, today + timedelta(days=1)) == "expired"


def test_a_certification_ending_before_it_starts_is_refused_in_dutch(chain):
    entry = member(chain, "demolisher")
    vca = CertificationScheme.objects.get(code="vca")
    with override("nl"), pytest.raises(ValidationError) as e:
        services.certification_add(
            entry=entry,
            actor=chain.demolisher_user,
            scheme=vca,
            number="VCA-1",
            valid_from=date(2026, 5, 1),
            valid_until=date(2026, 4, 1),
        )
    assert "geldigheid" in e.value.message_dict["valid_until"][0]
    with pytest.raises(PermissionDenied):
        services.certification_add(
            entry=entry,
            actor=chain.owner_user,
            scheme=vca,
            number="VCA-1",
            valid_from=date(2026, 1, 1),
            valid_until=date(2027, 1, 1),
        )
    assert not Certification.objects.exists()


# --------------------------------------------------------------------------- covenant
def test_only_the_facilitator_records_a_covenant(chain):
    with pytest.raises(PermissionDenied):
        services.covenant_create(
            actor=chain.owner_user,
            title="X",
            text="Y",
            start_year=2025,
            end_year=2028,
            ambition_level="base",
        )
    with override("nl"), pytest.raises(ValidationError) as e:
        covenant(chain, start=2028, end=2025)
    assert "laatste jaar" in e.value.message_dict["end_year"][0]
    assert not Covenant.objects.exists()


def test_a_commitment_outside_the_covenants_period_is_refused_and_nothing_saved(chain):
    c = covenant(chain)
    member(chain, "demolisher")
    with override("nl"), pytest.raises(ValidationError) as e:
        services.covenant_sign(
            covenant=c,
            organisation=chain.demolisher,
            actor=chain.demolisher_user,
            commitments=[
                services.CommitmentInput(2026, "harvested_t", "10"),
                services.CommitmentInput(2031, "harvested_t", "10"),
            ],
        )
    msg = e.value.message_dict["year"][0]
    assert "2031" in msg and "2025–2028" in msg and "periode" in msg
    assert not Signature.objects.exists() and not Commitment.objects.exists()


def test_only_members_sign_and_only_for_themselves(chain):
    c = covenant(chain)
    line = [services.CommitmentInput(2026, "harvested_t", "5")]
    with pytest.raises(ValidationError):  # not (yet) a member
        services.covenant_sign(
            covenant=c, organisation=chain.demolisher, actor=chain.demolisher_user, commitments=line
        )
    member(chain, "demolisher")
    with pytest.raises(PermissionDenied):
        services.covenant_sign(
            covenant=c, organisation=chain.demolisher, actor=chain.owner_user, commitments=line
        )
    s = services.covenant_sign(
        covenant=c, organisation=chain.demolisher, actor=chain.demolisher_user, commitments=line
    )
    assert s.commitments.get().value == Decimal("5.000")


def test_commitment_progress_from_the_event_history(chain, history):
    c = covenant(chain)
    for key in ("demolisher", "buyer", "owner", "hub_operator"):
        member(chain, key)

    def sign(key, *lines):
        services.covenant_sign(
            covenant=c,
            organisation=getattr(chain, key),
            actor=getattr(chain, f"{key}_user"),
            commitments=[services.CommitmentInput(*x) for x in lines],
        )

    sign("demolisher", (2025, "harvested_t", "2"), (2026, "harvested_t", "10"))
    sign("buyer", (2026, "applied_t", "6"), (2026, "secondary_share_pct", "50"))
    sign("owner", (2026, "secondary_share_pct", "40"))
    sign("hub_operator", (2025, "hubs_opened", "1"), (2026, "hubs_opened", "1"))
    progress = {
        (s.organisation_id, p.commitment.year, p.commitment.indicator): p
        for s, lines in selectors.covenant_progress(c)
        for p in lines
    }
    d, b, o, h = chain.demolisher.pk, chain.buyer.pk, chain.owner.pk, chain.hub_operator.pk
    assert progress[(d, 2025, "harvested_t")].realised == pytest.approx(2.5)
    assert progress[(d, 2025, "harvested_t")].progress == pytest.approx(1.25)
    assert progress[(d, 2026, "harvested_t")].realised == pytest.approx(5.0)
    assert progress[(d, 2026, "harvested_t")].progress == pytest.approx(0.5)
    assert progress[(b, 2026, "applied_t")].realised == pytest.approx(3.0)
    assert progress[(b, 2026, "applied_t")].progress == pytest.approx(0.5)
    # the builder closed only applications; the owner only an exit
    assert progress[(b, 2026, "secondary_share_pct")].realised == pytest.approx(100.0)
    assert progress[(o, 2026, "secondary_share_pct")].realised == pytest.approx(0.0)
    # the hub took in its first material in 2025
    assert progress[(h, 2025, "hubs_opened")].realised == 1
    assert progress[(h, 2026, "hubs_opened")].realised == 0


def test_a_corrected_harvest_does_not_count(chain):
    from urbanmine.lots.services import lot_correct_last_step

    now = timezone.now()
    lot = _bricks(chain, 400, now - timedelta(hours=2))
    lot_record_step(
        lot_id=lot.id,
        step=Step.DISMANTLING,
        actor=chain.demolisher_user,
        hub=chain.hub,
        occurred_at=now - timedelta(hours=1),
    )
    year = timezone.localtime(now - timedelta(hours=1)).year
    realised = selectors.realised_by_organisation([chain.demolisher.pk])
    assert realised.value("harvested_t", chain.demolisher.pk, year) == pytest.approx(1.0)
    lot_correct_last_step(lot_id=lot.id, actor=chain.demolisher_user, reason="verkeerde partij")
    realised = selectors.realised_by_organisation([chain.demolisher.pk])
    assert realised.value("harvested_t", chain.demolisher.pk, year) == pytest.approx(0.0)


# --------------------------------------------------------------------------- targets
def _forecast(chain):
    """A finished reference forecast of two years and two municipalities (kg)."""
    from urbanmine.insight.models import ForecastResult, Scenario

    scenario = Scenario.objects.create(
        name="Referentie", params={"reuse_share": 0.5}, is_reference=True
    )
    return ForecastResult.objects.create(
        scenario=scenario,
        status="done",
        finished_at=timezone.now(),
        params={"reuse_share": 0.5},
        start_year=2026,
        end_year=2027,
        municipality_codes=["GM0599", "GM0518"],
        materials=["brick", "steel"],
        # [year][municipality][material]
        demolition_kg=[[[4000, 0], [1000, 0]], [[8000, 0], [0, 0]]],
        renovation_kg=[[[0, 2000], [0, 0]], [[0, 0], [0, 0]]],
        demand_kg=[[[3000, 3000], [4000, 0]], [[5000, 5000], [0, 0]]],
        stock_mass_kg=[[0, 0], [0, 0]],
    )


def test_targets_against_realised_and_forecast(chain, history):
    _forecast(chain)
    services.target_set(
        actor=chain.matchmaker_user, indicator="harvested_t", year=2026, value="10", unit="t"
    )
    services.target_set(
        actor=chain.matchmaker_user,
        indicator="secondary_share_pct",
        year=2030,
        value="50",
        unit="%",
    )
    services.target_set(
        actor=chain.matchmaker_user, indicator="applied_t", year=2027, value="0.01", unit="kt"
    )
    overview = selectors.targets_overview()
    assert RegionalTarget.objects.get(indicator="applied_t").value == Decimal("10.000")
    rows = {(r.indicator, r.year): r for rs in overview["series"].values() for r in rs}
    h26 = rows[("harvested_t", 2026)]
    assert (h26.target, h26.realised) == (10.0, pytest.approx(5.0))
    assert h26.progress == pytest.approx(0.5)
    # forecast 2026: release 4000 + 1000 + 2000 kg, half reusable: 3.5 t
    assert h26.forecast == pytest.approx(3.5)
    assert h26.forecast_reaches is False
    assert rows[("harvested_t", 2025)].realised == pytest.approx(2.5)
    assert rows[("harvested_t", 2025)].forecast is None  # outside the forecast's window
    # applied 3 t of a demand of 10 t in 2026: 30 %; 2027 reusable 4 t of 10 t: 40 %
    a27 = rows[("applied_t", 2027)]
    assert a27.target == 10.0 and a27.realised is None  # a future year is not realised
    assert rows[("applied_t", 2026)].realised == pytest.approx(3.0)
    s26 = rows[("secondary_share_pct", 2026)]
    assert s26.realised == pytest.approx(30.0)
    assert rows[("secondary_share_pct", 2027)].forecast == pytest.approx(40.0)
    assert rows[("secondary_share_pct", 2030)].target == 50.0
    assert max(overview["years"]) == 2050


def test_a_target_needs_a_fitting_unit_in_dutch(chain):
    with override("nl"), pytest.raises(ValidationError) as e:
        services.target_set(
            actor=chain.matchmaker_user, indicator="harvested_t", year=2030, value="5", unit=""
        )
    assert "eenheid" in e.value.message_dict["unit"][0]
    with override("nl"), pytest.raises(ValidationError) as e:
        services.target_set(
            actor=chain.matchmaker_user, indicator="harvested_t", year=2030, value="5", unit="%"
        )
    assert "ton" in e.value.message_dict["unit"][0]
    with override("nl"), pytest.raises(ValidationError) as e:
        services.target_set(
            actor=chain.matchmaker_user,
            indicator="secondary_share_pct",
            year=2030,
            value="150",
            unit="%",
        )
    assert "100" in e.value.message_dict["value"][0]
    with pytest.raises(PermissionDenied):
        services.target_set(
            actor=chain.owner_user, indicator="harvested_t", year=2030, value="5", unit="t"
        )
    assert not RegionalTarget.objects.exists()


# --------------------------------------------------------------------------- comparison
def test_regional_comparison_per_municipality_group_and_imported(chain, history):
    _forecast(chain)
    services.figures_import(
        actor=chain.matchmaker_user,
        source="Provincie Noord-Holland, Monitor 2026",
        data=(
            b"regio;indicator;jaar;waarde;eenheid\n"
            b"Noord-Holland;geoogst_t;2026;1,5;kt\n"
            b"Noord-Holland;applied_t;2026;800;t\n"
        ),
    )
    c = selectors.regional_comparison(2026)
    rows = {r["name"]: r for r in c["rows"]}
    assert len(c["rows"]) == 1 + 6 + 1
    zh, rijnmond = rows["Zuid-Holland"], rows["Groot-Rijnmond"]
    assert zh["values"][:2] == [pytest.approx(5.0), pytest.approx(3.0)]
    assert rijnmond["values"][:2] == [pytest.approx(5.0), pytest.approx(3.0)]
    assert rows["Agglomeratie 's-Gravenhage"]["values"][:2] == [0.0, 0.0]
    # the forecast per group: Rotterdam's release 6000 kg, Den Haag's 1000 kg
    assert rijnmond["release_t"] == pytest.approx(6.0)
    assert rows["Agglomeratie 's-Gravenhage"]["release_t"] == pytest.approx(1.0)
    nh = rows["Noord-Holland"]
    assert nh["values"][:2] == [1500.0, 800.0] and not nh["ours"]
    assert nh["source"] == "Provincie Noord-Holland, Monitor 2026"


def test_a_bad_figures_file_names_row_column_and_reason_and_stores_nothing(chain):
    data = (
        b"region,indicator,year,value,unit\n"
        b"Utrecht,harvested_t,2026,12,t\n"
        b"Utrecht,harvested_t,1850,12,t\n"
        b"Utrecht,harvested_t,2025,12,%\n"
        b"Utrecht,onbekend,2025,12,t\n"
        b",applied_t,2025,-3,t\n"
        b"Utrecht,applied_t,2025,3,\n"
    )
    with override("nl"), pytest.raises(services.FigureImportError) as e:
        services.figures_import(actor=chain.matchmaker_user, source="Utrecht", data=data)
    with override("nl"):
        text = [str(x) for x in e.value.errors]
    assert any(t.startswith("rij 3, kolom year") for t in text)
    assert any(t.startswith("rij 4, kolom unit") and "ton" in t for t in text)
    assert any(t.startswith("rij 5, kolom indicator") for t in text)
    assert any(t.startswith("rij 6, kolom region") for t in text)
    assert any(t.startswith("rij 6, kolom value") for t in text)
    assert any(t.startswith("rij 7, kolom unit") for t in text)
    assert not FigureImport.objects.exists()
    with pytest.raises(PermissionDenied):
        services.figures_import(actor=chain.owner_user, source="x", data=b"")


def test_planning_per_product_group(chain):
    from urbanmine.market.models import DemandRequest

    today = timezone.localdate()
    lot = _bricks(chain, 4000, at(today.year, 1, 1) if today.month > 1 else timezone.now())
    lot.expected_release_date = date(today.year + 2, 6, 1)
    lot.save(update_fields=["expected_release_date"])
    DemandRequest.objects.create(
        project=chain.project,
        organisation=chain.buyer,
        product_group=chain.bricks,
        quantity=3,
        unit="t",
        min_quality="B",
        window_start=date(today.year + 2, 3, 1),
        window_end=date(today.year + 2, 9, 1),
    )
    p = selectors.planning_by_product_group()
    (row,) = p["rows"]
    i = p["years"].index(today.year + 2)
    assert row["group"] == chain.bricks
    assert row["release_t"][i] == pytest.approx(10.0)
    assert row["demand_t"][i] == pytest.approx(3.0)
    assert sum(row["release_t"]) == pytest.approx(10.0)
