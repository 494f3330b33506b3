"""The tender tool's writes through its services on a real database (issue #17):
inheritance that only tightens, bad input refused naming the field with nothing saved,
who may do what, the ranking and realisation on the chain's building."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.regions.models import Municipality
from urbanmine.tenders import selectors, services
from urbanmine.tenders.models import Ambition, Bid, Clause, Commitment, Tender

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(chain):
    return services.ambition_create(
        actor=chain.matchmaker_user,
        name="Zuid-Holland sloop 2027",
        level="area",
        phase="demolition",
        year=2027,
        municipalities=[Municipality.objects.get(code="GM0599")],
        harvest_pct=30,
        min_r_level="R3",
    )


@pytest.fixture
def tender(chain, area):
    identify_bricks(chain)  # 10 000 bricks × 2.1 kg = 21 t
    return services.tender_create(
        actor=chain.owner_user,
        asset=chain.building,
        title="Sloop flat",
        phase="demolition",
        ambition=area,
    )


def test_the_province_sets_an_area_ambition(area, chain):
    assert area.owner == chain.matchmaker
    assert list(area.municipalities.values_list("code", flat=True)) == ["GM0599"]


def test_others_may_not_set_area_ambitions(chain):
    with pytest.raises(PermissionDenied):
        services.ambition_create(
            actor=chain.owner_user,
            name="x",
            level="area",
            phase="demolition",
            year=2027,
            municipalities=[Municipality.objects.get(code="GM0599")],
        )
    assert not Ambition.objects.exists()


def test_a_project_ambition_may_tighten(chain, area):
    project = services.ambition_create(
        actor=chain.owner_user,
        name="Flat Rotterdam",
        level="project",
        phase="demolition",
        year=2027,
        asset=chain.building,
        parent=area,
        harvest_pct=40,
        min_r_level="R2",
    )
    assert project.parent == area and project.owner == chain.owner


def test_a_project_ambition_may_not_loosen_refused_in_dutch(chain, area):
    with pytest.raises(ValidationError) as e, translation.override("nl"):
        services.ambition_create(
            actor=chain.owner_user,
            name="Flat Rotterdam",
            level="project",
            phase="demolition",
            year=2027,
            asset=chain.building,
            parent=area,
            harvest_pct=20,
            min_r_level="R8",
        )
    errors = e.value.message_dict
    assert set(errors) == {"harvest_pct", "min_r_level"}
    assert "oogstpercentage" in errors["harvest_pct"][0]
    assert "aanscherpen" in errors["harvest_pct"][0]
    assert Ambition.objects.count() == 1  # only the area's


def test_only_the_owner_sets_a_project_ambition(chain, area):
    with pytest.raises(PermissionDenied):
        services.ambition_create(
            actor=chain.outsider_user,
            name="x",
            level="project",
            phase="demolition",
            year=2027,
            asset=chain.building,
        )


@pytest.mark.parametrize(
    ("field", "value"),
    [("harvest_pct", 101), ("harvest_pct", -1), ("secondary_pct", 250), ("co2_reduction_pct", -5)],
)
def test_percentages_outside_0_100_are_refused(chain, field, value):
    with pytest.raises(ValidationError) as e, translation.override("nl"):
        services.ambition_create(
            actor=chain.matchmaker_user,
            name="x",
            level="area",
            phase="demolition",
            year=2027,
            municipalities=[Municipality.objects.get(code="GM0599")],
            **{field: value},
        )
    assert list(e.value.message_dict) == [field]
    assert "tussen 0 en 100" in e.value.message_dict[field][0]
    assert not Ambition.objects.exists()


def test_tender_takes_its_requirements_from_the_ambition(tender):
    assert tender.min_harvest_pct == Decimal("30.0")
    assert tender.mass_basis_t == Decimal("21.0")


def test_only_the_assets_owner_tenders(chain, area):
    with pytest.raises(PermissionDenied):
        services.tender_create(
            actor=chain.buyer_user, asset=chain.building, title="x", phase="demolition"
        )
    assert not Tender.objects.exists()


def test_a_discount_below_zero_is_refused(chain, tender):
    with pytest.raises(ValidationError) as e, translation.override("nl"):
        services.tender_set_criteria(
            actor=chain.owner_user, tender=tender, min_harvest_pct=40, discount_eur_per_t=-10
        )
    assert list(e.value.message_dict) == ["discount_eur_per_t"]
    assert "onder nul" in e.value.message_dict["discount_eur_per_t"][0]
    tender.refresh_from_db()
    assert tender.discount_eur_per_t is None and tender.min_harvest_pct == Decimal("30.0")


def test_criteria_may_not_go_below_the_ambition(chain, tender):
    with pytest.raises(ValidationError) as e:
        services.tender_set_criteria(actor=chain.owner_user, tender=tender, min_harvest_pct=20)
    assert list(e.value.message_dict) == ["min_harvest_pct"]


def _bid(chain, tender, **kw):
    args = {"bidder": "Sloper A", "price_eur": 100_000, "harvest_pct": 40}
    args.update(kw)
    return services.bid_create(actor=chain.owner_user, tender=tender, **args)


@pytest.mark.parametrize(
    ("kw", "field", "dutch"),
    [
        ({"harvest_pct": 120}, "harvest_pct", "tussen 0 en 100"),
        ({"price_eur": -1}, "price_eur", "onder nul"),
        ({"resale_by": date.today() - timedelta(days=1)}, "resale_by", "verleden"),
        ({"reuse_plan_score": 7}, "reuse_plan_score", "kwaliteitscriterium"),
        ({"secondary_pct": 30}, "secondary_pct", "geen criterium"),
    ],
)
def test_bad_bids_are_refused_naming_the_field(chain, tender, kw, field, dutch):
    with pytest.raises(ValidationError) as e, translation.override("nl"):
        _bid(chain, tender, **kw)
    assert field in e.value.message_dict
    assert dutch in " ".join(e.value.message_dict[field])
    assert not Bid.objects.exists()


def test_ranking_and_break_even_on_the_building(chain, tender):
    services.tender_set_criteria(
        actor=chain.owner_user, tender=tender, min_harvest_pct=30, discount_eur_per_t=1000
    )
    tender.refresh_from_db()
    _bid(chain, tender, bidder="Goedkoop", price_eur=50_000, harvest_pct=40)  # 8,4 t
    _bid(chain, tender, bidder="Circulair", price_eur=56_000, harvest_pct=80)  # 16,8 t
    ranking = selectors.tender_ranking(tender)
    # break-even (56 000 − 50 000) / (16,8 − 8,4) = 714,29 €/t; the discount is 1 000
    assert ranking.break_even_eur_per_t == pytest.approx(6000 / 8.4)
    assert [r["bid"].bidder for r in ranking.rows] == ["Circulair", "Goedkoop"]
    assert ranking.rows[0]["assessed_eur"] == pytest.approx(56_000 - 16_800)
    assert ranking.rows[0]["co2_avoided_t"] > ranking.rows[1]["co2_avoided_t"] > 0


def test_award_makes_commitments_and_realisation_follows_the_events(chain, tender):
    bid = _bid(chain, tender, bidder="Circulair", harvest_pct=80, r_level="R3")
    commitment = services.tender_award(actor=chain.owner_user, tender=tender, bid=bid)
    assert commitment.harvest_pct == Decimal("80.0")
    tender.refresh_from_db()
    assert tender.status == "awarded"
    assert selectors.tender_realisation(tender).harvest_pct == 0
    lot = chain.building.lots.get()
    harvest_into_hub(chain, lot)
    assert selectors.tender_realisation(tender).harvest_pct == pytest.approx(100.0)
    with pytest.raises(ValidationError):  # awarded: no more bids
        _bid(chain, tender, bidder="Laat")
    assert Commitment.objects.count() == 1
    rows = selectors.dashboard_rows()
    assert rows[0]["realised_pct"] == pytest.approx(100.0)
    assert rows[0]["committed_pct"] == pytest.approx(80.0)


def test_clauses_are_versioned_and_authored_by_province_or_municipality(chain):
    first = services.clause_create(
        actor=chain.matchmaker_user,
        code="hergebruik-tenzij",
        title="Hergebruik, tenzij",
        kind="requirement",
        text="Tekst",
        source="Verkenning, Kansen",
        product_groups=[chain.bricks],
    )
    second = services.clause_create(
        actor=chain.matchmaker_user,
        code="hergebruik-tenzij",
        title="Hergebruik, tenzij",
        kind="requirement",
        text="Tekst 2",
        source="Verkenning, Kansen",
    )
    assert (first.version, second.version) == (1, 2)
    assert [c.version for c in selectors.latest_clauses()] == [2]
    with pytest.raises(PermissionDenied):
        services.clause_create(
            actor=chain.owner_user, code="x", title="x", kind="award", text="x", source="x"
        )
    with pytest.raises(ValidationError) as e:
        services.clause_create(
            actor=chain.matchmaker_user, code="y", title="y", kind="award", text="y", source=""
        )
    assert list(e.value.message_dict) == ["source"]
    assert Clause.objects.count() == 2


def test_annex_exports_hold_clauses_and_ranking(chain, tender):
    import io

    from docx import Document

    from urbanmine.tenders import exports

    clause = services.clause_create(
        actor=chain.matchmaker_user,
        code="oogst",
        title="Minimaal oogstpercentage",
        kind="requirement",
        text="De opdrachtnemer oogst ten minste het percentage.",
        source="Verkenning, Kansen",
    )
    services.tender_add_clause(actor=chain.owner_user, tender=tender, clause=clause)
    _bid(chain, tender, bidder="Sloper Noord", price_eur=50_000)
    text = "\n".join(p.text for p in Document(io.BytesIO(exports.annex_docx(tender))).paragraphs)
    assert "Minimaal oogstpercentage" in text and "Bijlage" in text
    pdf = exports.annex_pdf(tender)
    assert pdf.startswith(b"%PDF")


def test_a_project_inherits_the_covering_area_ambition_without_asking(chain, area):
    with pytest.raises(ValidationError) as e:
        services.ambition_create(
            actor=chain.owner_user,
            name="Flat",
            level="project",
            phase="demolition",
            year=2027,
            asset=chain.building,
            harvest_pct=10,
            min_r_level="R3",
        )
    assert list(e.value.message_dict) == ["harvest_pct"]
    project = services.ambition_create(
        actor=chain.owner_user,
        name="Flat",
        level="project",
        phase="demolition",
        year=2027,
        asset=chain.building,
        harvest_pct=35,
        min_r_level="R3",
    )
    assert project.parent == area


def test_a_municipality_sets_ambitions_and_clauses_for_its_own_area(chain):
    from django.contrib.auth import get_user_model

    from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole

    rotterdam = Municipality.objects.get(code="GM0599")
    org = Organisation.objects.create(name="Gemeente Test", municipality=rotterdam)
    for role in (ChainRole.ASSET_OWNER, ChainRole.PERMIT_AUTHORITY):
        OrganisationRole.objects.create(organisation=org, role=role)
    user = get_user_model().objects.create_user("gemeente", password="pw-test-12345")
    Membership.objects.create(user=user, organisation=org)
    own = services.ambition_create(
        actor=user,
        name="Rotterdam",
        level="area",
        phase="demolition",
        year=2027,
        municipalities=[rotterdam],
        harvest_pct=30,
    )
    assert own.owner == org
    with pytest.raises(ValidationError) as e:
        services.ambition_create(
            actor=user,
            name="Delft",
            level="area",
            phase="demolition",
            year=2027,
            municipalities=[Municipality.objects.get(code="GM0503")],
        )
    assert list(e.value.message_dict) == ["municipalities"]
    clause = services.clause_create(
        actor=user, code="eigen", title="Eigen", kind="award", text="Tekst", source="Verkenning"
    )
    assert clause.author == org
