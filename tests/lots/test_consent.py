"""Who records which step, and consent (issue #14): the table `lifecycle.RECORDED_BY` over
the user's relations to a lot, a custodian's sale that waits for the owner, reservations
that bind, inspections only by an engaged, independent certifier, mandatory inspection,
and realised impact credited once per building life."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.support.chain import harvest_into_hub, inspect
from urbanmine.lots.lifecycle import (
    PROPOSED_BY,
    RECORDED_BY,
    Relation,
    Status,
    Step,
    may_propose,
    may_record,
)
from urbanmine.lots.models import (
    EngagementStatus,
    InspectionEngagement,
    LifecycleEvent,
    Lot,
    TransferProposal,
    TransferStatus,
)
from urbanmine.lots.permissions import lot_relations, lots_visible_filter
from urbanmine.lots.services import (
    lot_engage_certifier,
    lot_identify,
    lot_record_step,
    lot_transfer_accept,
    lot_transfer_decline,
    lot_transfer_propose,
)
from urbanmine.lots.steps import HANDLERS, NEW_LIFE_YEARS
from urbanmine.organisations.models import ChainRole, OrganisationRole

R = Relation


# ------------------------------------------------------------------------------ the table
def test_every_recordable_step_is_in_the_table():
    assert set(RECORDED_BY) == set(HANDLERS)
    assert set(PROPOSED_BY) <= set(RECORDED_BY)


@pytest.mark.parametrize("step", sorted(RECORDED_BY))
def test_the_table_decides_for_every_combination_of_relations(step):
    """Exhaustive: each of the 16 combinations of relations, for each step."""
    for n in range(len(R) + 1):
        for combo in itertools.combinations(list(R), n):
            rel = set(combo)
            assert may_record(rel, step) == bool(RECORDED_BY[step] & rel)
            expected = not (RECORDED_BY[step] & rel) and bool(
                PROPOSED_BY.get(step, frozenset()) & rel
            )
            assert may_propose(rel, step) == expected


def test_changes_of_hands_and_inspections_are_nobody_elses():
    for step in (Step.SALE, Step.OWNERSHIP_CHANGE, Step.EXECUTION, Step.CONNECTION):
        assert RECORDED_BY[step] == {R.OWNER}, step
    assert RECORDED_BY[Step.QUALITY_CONTROL] == {R.ENGAGED_CERTIFIER}
    assert PROPOSED_BY[Step.SALE] == {R.CUSTODIAN}


@pytest.fixture
def harvested(chain, identified_lot):
    """Bricks owned by the owner, harvested into the hub: custodian is the hub operator."""
    return harvest_into_hub(chain, identified_lot)


ACTORS = ["owner_user", "hub_operator_user", "certifier_user", "buyer_user", "outsider_user"]


@pytest.mark.parametrize("step", sorted(RECORDED_BY))
@pytest.mark.parametrize("who", ACTORS)
def test_services_follow_the_table_for_each_actor(chain, harvested, step, who):
    """Through the service: refused with PermissionDenied exactly when the table says no
    (a legal-or-not step is the state machine's question: ValidationError is fine)."""
    lot_engage_certifier(lot_id=harvested.id, certifier=chain.certifier, actor=chain.owner_user)
    user = getattr(chain, who)
    lot = Lot.objects.get(pk=harvested.pk)
    allowed = may_record(lot_relations(user, lot), step)
    fields = {
        Step.SALE: {"counterparty": chain.buyer},
        Step.OWNERSHIP_CHANGE: {"counterparty": chain.buyer},
        # custody to your own organisation directly (to another: a proposal it accepts)
        Step.CUSTODY_CHANGE: {"counterparty": getattr(chain, who.removesuffix("_user"))},
        Step.EXECUTION: {"target_asset": chain.building},
        Step.QUALITY_CONTROL: {"passed": True},
    }.get(step, {})
    try:
        lot_record_step(lot_id=lot.id, step=step, actor=user, **fields)
    except PermissionDenied:
        assert not allowed, f"{who} was refused {step}"
    except ValidationError:
        assert allowed, f"{who} got a validation error for {step} instead of a refusal"
    else:
        assert allowed, f"{who} recorded {step}"
    expected = {
        "owner_user": step != Step.QUALITY_CONTROL,
        "hub_operator_user": step
        in {
            Step.INVENTORY,
            Step.DISMANTLING,
            Step.SORTING,
            Step.TREATMENT,
            Step.TRANSPORT_STORAGE,
            Step.CUSTODY_CHANGE,
        },
        "certifier_user": step == Step.QUALITY_CONTROL,
    }.get(who, False)
    assert allowed == expected


# ------------------------------------------------------------------------ custodian's sale
def test_a_custodians_sale_is_refused_and_becomes_a_proposal_the_owner_accepts(chain, harvested):
    before = LifecycleEvent.objects.count()
    with pytest.raises(PermissionDenied, match="propose"):
        lot_record_step(
            lot_id=harvested.id,
            step=Step.SALE,
            actor=chain.hub_operator_user,
            counterparty=chain.buyer,
        )
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=harvested.id,
            step=Step.OWNERSHIP_CHANGE,
            actor=chain.hub_operator_user,
            counterparty=chain.hub_operator,
        )
    proposal = lot_transfer_propose(
        lot_id=harvested.id,
        step=Step.SALE,
        counterparty=chain.buyer,
        actor=chain.hub_operator_user,
        quantity=400,
        price_eur=Decimal("120.00"),
        terms="Af hub, binnen 2 weken",
    )
    assert LifecycleEvent.objects.count() == before  # nothing happened yet
    assert Lot.objects.get(pk=harvested.pk).owner == chain.owner
    # Only the owner decides: not the proposer, not the buyer.
    for user in (chain.hub_operator_user, chain.buyer_user):
        with pytest.raises(PermissionDenied):
            lot_transfer_accept(proposal_id=proposal.pk, actor=user)
    proposal = lot_transfer_accept(proposal_id=proposal.pk, actor=chain.owner_user)
    assert proposal.status == TransferStatus.ACCEPTED
    sold = proposal.event.lot
    assert sold.owner == chain.buyer and sold.status == Status.SOLD and sold.quantity == 400
    assert proposal.event.organisation == chain.owner
    assert proposal.event.payload["price_eur"] == "120.00"
    assert Lot.objects.get(pk=harvested.pk).quantity == 9600  # the rest stays the owner's
    with pytest.raises(ValidationError, match="proposal"):
        lot_transfer_accept(proposal_id=proposal.pk, actor=chain.owner_user)


def test_a_declined_proposal_changes_nothing(chain, harvested):
    proposal = lot_transfer_propose(
        lot_id=harvested.id,
        step=Step.OWNERSHIP_CHANGE,
        counterparty=chain.hub_operator,
        actor=chain.hub_operator_user,
    )
    declined = lot_transfer_decline(
        proposal_id=proposal.pk, actor=chain.owner_user, reason="Niet afgesproken"
    )
    assert declined.status == TransferStatus.DECLINED and declined.reason == "Niet afgesproken"
    lot = Lot.objects.get(pk=harvested.pk)
    assert lot.owner == chain.owner and lot.status == Status.HARVESTED


def test_only_the_custodian_proposes_and_only_a_sale_or_ownership_change(chain, harvested):
    for user in (chain.owner_user, chain.buyer_user, chain.outsider_user):
        with pytest.raises(PermissionDenied):
            lot_transfer_propose(
                lot_id=harvested.id, step=Step.SALE, counterparty=chain.buyer, actor=user
            )
    with pytest.raises(ValidationError) as e:
        lot_transfer_propose(
            lot_id=harvested.id,
            step=Step.EXECUTION,
            counterparty=chain.buyer,
            actor=chain.hub_operator_user,
        )
    assert "step" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        lot_transfer_propose(
            lot_id=harvested.id,
            step=Step.SALE,
            counterparty=chain.buyer,
            actor=chain.hub_operator_user,
            quantity=999999,
        )
    assert "quantity" in e.value.message_dict
    assert not TransferProposal.objects.exists()


# ------------------------------------------------------------------------------ reservations
def _reserve_for_buyer(chain, lot):
    return lot_record_step(
        lot_id=lot.id,
        step=Step.CONNECTION,
        actor=chain.owner_user,
        counterparty=chain.buyer,
        quantity=1000,
    ).lot


def test_a_reserved_lot_goes_only_to_its_holder(chain, harvested):
    reserved = _reserve_for_buyer(chain, harvested)
    assert reserved.status == Status.RESERVED and reserved.reserved_for == chain.buyer
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=reserved.id,
            step=Step.SALE,
            actor=chain.owner_user,
            counterparty=chain.outsider,
        )
    assert "counterparty" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=reserved.id,
            step=Step.EXECUTION,
            actor=chain.owner_user,
            target_asset=chain.building,
        )
    assert "target_asset" in e.value.message_dict
    # the holder sees it, and buys it; then it applies it in its own project
    assert Relation.RESERVATION_HOLDER in lot_relations(chain.buyer_user, reserved)
    sold = lot_record_step(
        lot_id=reserved.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
    ).lot
    assert sold.owner == chain.buyer and sold.reserved_for is None
    applied = lot_record_step(
        lot_id=sold.id, step=Step.EXECUTION, actor=chain.buyer_user, target_asset=chain.project
    ).lot
    assert applied.status == Status.APPLIED


def test_a_hub_operator_cannot_apply_the_owners_reserved_lot(chain, harvested):
    reserved = _reserve_for_buyer(chain, harvested)
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=reserved.id,
            step=Step.EXECUTION,
            actor=chain.hub_operator_user,
            target_asset=chain.project,
        )


# ------------------------------------------------------------------------------ inspections
def test_a_processor_cannot_inspect_what_it_holds(chain, harvested):
    """The hub operator holds the lot: even with the certifier role it is not independent."""
    OrganisationRole.objects.create(organisation=chain.hub_operator, role=ChainRole.CERTIFIER)
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=harvested.id,
            step=Step.QUALITY_CONTROL,
            actor=chain.hub_operator_user,
            passed=True,
        )
    with pytest.raises(ValidationError) as e:
        lot_engage_certifier(
            lot_id=harvested.id, certifier=chain.hub_operator, actor=chain.owner_user
        )
    assert "certifier" in e.value.message_dict


def test_an_owner_cannot_certify_or_overturn_a_failed_inspection(chain, harvested):
    OrganisationRole.objects.create(organisation=chain.owner, role=ChainRole.CERTIFIER)
    inspect(chain, harvested, passed=False)
    assert Lot.objects.get(pk=harvested.pk).status == Status.REJECTED
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=harvested.id,
            step=Step.QUALITY_CONTROL,
            actor=chain.owner_user,
            passed=True,
            certificate_number="VERZONNEN-1",
        )
    # only a new inspection by an engaged certifier supersedes it
    inspect(chain, harvested, passed=True, engaged_by=chain.owner_user)
    assert Lot.objects.get(pk=harvested.pk).status == Status.APPROVED


def test_a_certifier_inspects_only_when_engaged_and_once_per_engagement(chain, harvested):
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=harvested.id, step=Step.QUALITY_CONTROL, actor=chain.certifier_user, passed=False
        )
    assert Lot.objects.get(pk=harvested.pk).status == Status.HARVESTED
    with pytest.raises(PermissionDenied):  # only owner or custodian engage
        lot_engage_certifier(lot_id=harvested.id, certifier=chain.certifier, actor=chain.buyer_user)
    with pytest.raises(ValidationError):  # not a certifier
        lot_engage_certifier(lot_id=harvested.id, certifier=chain.buyer, actor=chain.owner_user)
    inspect(chain, harvested, passed=True)
    engagement = InspectionEngagement.objects.get(lot=harvested)
    assert engagement.status == EngagementStatus.DONE and engagement.inspection is not None
    with pytest.raises(PermissionDenied):
        lot_record_step(
            lot_id=harvested.id, step=Step.QUALITY_CONTROL, actor=chain.certifier_user, passed=False
        )


@pytest.fixture
def steel(chain):
    """Steel beams (a mandatory-inspection group) harvested into the hub."""
    lot = lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=10,
        unit=chain.steel.unit,
        mass_kg_per_unit=chain.steel.typical_mass_kg_per_unit,
        quality="B",
        organisation=chain.owner,
        actor=None,
        custodian=chain.demolisher,
    )
    return harvest_into_hub(chain, lot)


def test_a_mandatory_inspection_group_is_not_sold_or_applied_untested(chain, steel):
    assert chain.steel.inspection_required
    with pytest.raises(ValidationError, match="inspection"):
        lot_record_step(
            lot_id=steel.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
        )
    with pytest.raises(ValidationError, match="inspection"):
        lot_record_step(
            lot_id=steel.id,
            step=Step.EXECUTION,
            actor=chain.owner_user,
            target_asset=chain.building,
        )
    inspect(chain, steel, passed=True, valid_until=date.today() + timedelta(days=365))
    sold = lot_record_step(
        lot_id=steel.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.buyer,
        quantity=4,
    ).lot
    # the part sold carries its parent's certificate (lineage)
    lot_record_step(
        lot_id=sold.id, step=Step.EXECUTION, actor=chain.buyer_user, target_asset=chain.project
    )


def test_an_expired_certificate_counts_as_none(chain, steel):
    # yesterday on the Dutch calendar (late in the UTC evening it is already tomorrow there)
    inspect(chain, steel, passed=True, valid_until=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ValidationError, match="expired"):
        lot_record_step(
            lot_id=steel.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
        )


# ------------------------------------------------------------------------ impact once
def _apply_and_harvest(chain, lot, when):
    lot_record_step(
        lot_id=lot.id,
        step=Step.EXECUTION,
        actor=chain.owner_user,
        target_asset=chain.building,
        occurred_at=when,
    )
    lot_record_step(
        lot_id=lot.id,
        step=Step.DISMANTLING,
        actor=chain.owner_user,
        hub=None,
        occurred_at=when + timedelta(minutes=1),
    )


def test_harvest_apply_cycles_do_not_inflate_realised_impact(chain, harvested):
    """The probe's inflation: harvest → apply → harvest → apply of one lot. The first
    application is credited, the following ones within a building life are not."""
    start = timezone.now()
    for i in range(5):
        _apply_and_harvest(chain, harvested, start + timedelta(minutes=2 * i))
    applied = LifecycleEvent.objects.filter(lot=harvested, step=Step.EXECUTION).order_by("id")
    co2 = [e.co2_avoided_kg for e in applied]
    assert co2[0] > 0 and co2[1:] == [0.0] * 4
    assert all(e.payload.get("credited_before") == applied[0].id for e in applied[1:])
    assert sum(e.waste_diverted_kg for e in applied) == applied[0].waste_diverted_kg


def test_a_new_building_life_earns_the_credit_again(chain, harvested):
    long_ago = timezone.now() - timedelta(days=365 * (NEW_LIFE_YEARS + 2))
    # recorded in the past: the lot's history must be in order, so start from a fresh lot
    lot = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=100,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="B",
        organisation=chain.owner,
        actor=None,
        occurred_at=long_ago - timedelta(days=10),
    )
    lot_record_step(
        lot_id=lot.id, step=Step.DISMANTLING, actor=chain.owner_user, occurred_at=long_ago
    )
    _apply_and_harvest(chain, lot, long_ago + timedelta(days=1))  # harvested 1 day after
    lot_record_step(
        lot_id=lot.id,
        step=Step.EXECUTION,
        actor=chain.owner_user,
        target_asset=chain.building,
        occurred_at=long_ago + timedelta(days=2),
    )
    lot_record_step(lot_id=lot.id, step=Step.DISMANTLING, actor=chain.owner_user)  # years later
    lot_record_step(
        lot_id=lot.id, step=Step.EXECUTION, actor=chain.owner_user, target_asset=chain.building
    )
    co2 = list(
        LifecycleEvent.objects.filter(lot=lot, step=Step.EXECUTION)
        .order_by("id")
        .values_list("co2_avoided_kg", flat=True)
    )
    assert co2[0] > 0 and co2[1] == 0.0 and co2[2] == pytest.approx(co2[0])


def test_the_price_of_a_sale_is_for_the_parties_only(chain, harvested, client_for):
    event = lot_record_step(
        lot_id=harvested.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.buyer,
        quantity=100,
        price_eur=Decimal("75.50"),
        terms="Levering af hub",
    )
    url = f"/api/v1/lots/{event.lot.code}/events"
    assert event.payload["price_eur"] == "75.50"  # the seller recorded it
    mine = client_for(chain.buyer_user).get(url).json()["results"]
    sale = next(e for e in mine if e["step"] == "sale")
    assert sale["payload"]["price_eur"] == "75.50" and sale["payload"]["terms"]
    # the hub operator holds the sold part but is no party to the sale
    held = client_for(chain.hub_operator_user).get(url).json()["results"]
    sale = next(e for e in held if e["step"] == "sale")
    assert "price_eur" not in sale["payload"] and "terms" not in sale["payload"]
    assert sale["payload"]["owner_to"] == chain.buyer.pk


def test_an_engaged_certifier_sees_the_unpublished_lot_and_others_do_not(
    chain, identified_lot, client_for
):
    url = f"/api/v1/lots/{identified_lot.code}"
    assert client_for(chain.certifier_user).get(url).status_code == 404
    lot_engage_certifier(
        lot_id=identified_lot.id, certifier=chain.certifier, actor=chain.demolisher_user
    )
    assert client_for(chain.certifier_user).get(url).status_code == 200
    assert client_for(chain.outsider_user).get(url).status_code == 404
    engagements = client_for(chain.owner_user).get(f"{url}/engagements").json()["results"]
    assert [e["certifier"]["id"] for e in engagements] == [chain.certifier.pk]


def test_the_api_refuses_a_custodians_sale_and_takes_its_proposal(chain, harvested, client_for):
    custodian = client_for(chain.hub_operator_user)
    r = custodian.post(
        f"/api/v1/lots/{harvested.code}/events",
        {"step": "sale", "counterparty": chain.buyer.pk},
        format="json",
    )
    assert r.status_code == 403 and "eigenaar" in r.json()["detail"]
    r = custodian.post(
        f"/api/v1/lots/{harvested.code}/transfer-proposals",
        {"step": "sale", "counterparty": chain.buyer.pk, "quantity": "50", "price_eur": "20"},
        format="json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert (
        client_for(chain.buyer_user)
        .post(f"/api/v1/transfer-proposals/{pk}/accept", {}, format="json")
        .status_code
        == 403
    )
    assert (
        client_for(chain.outsider_user)
        .post(f"/api/v1/transfer-proposals/{pk}/accept", {}, format="json")
        .status_code
        == 404
    )
    r = client_for(chain.owner_user).post(
        f"/api/v1/transfer-proposals/{pk}/accept", {}, format="json"
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    assert Lot.objects.filter(owner=chain.buyer, status=Status.SOLD, quantity=50).count() == 1


def test_custody_into_another_organisations_site_waits_for_its_acceptance(chain, harvested):
    with pytest.raises(PermissionDenied, match="accept"):
        lot_record_step(
            lot_id=harvested.id,
            step=Step.CUSTODY_CHANGE,
            actor=chain.owner_user,
            counterparty=chain.demolisher,
        )
    proposal = lot_transfer_propose(
        lot_id=harvested.id,
        step=Step.CUSTODY_CHANGE,
        counterparty=chain.demolisher,
        actor=chain.owner_user,
    )
    assert proposal.proposed_by == chain.owner
    # the demolisher now sees the lot it is asked to take, and only it decides
    assert (
        Lot.objects.filter(pk=harvested.pk)
        .filter(lots_visible_filter(chain.demolisher_user))
        .exists()
    )
    with pytest.raises(PermissionDenied):
        lot_transfer_accept(proposal_id=proposal.pk, actor=chain.owner_user)
    accepted = lot_transfer_accept(proposal_id=proposal.pk, actor=chain.demolisher_user)
    lot = Lot.objects.get(pk=harvested.pk)
    assert lot.custodian == chain.demolisher and accepted.event.organisation == chain.owner
    assert accepted.status == TransferStatus.ACCEPTED


def test_the_holder_or_the_owner_releases_a_reservation(chain, harvested):
    reserved = _reserve_for_buyer(chain, harvested)
    with pytest.raises(PermissionDenied):
        lot_record_step(lot_id=reserved.id, step=Step.RELEASE, actor=chain.outsider_user)
    event = lot_record_step(lot_id=reserved.id, step=Step.RELEASE, actor=chain.buyer_user)
    lot = Lot.objects.get(pk=reserved.pk)
    assert lot.status == Status.HARVESTED and lot.reserved_for is None and lot.is_published
    assert event.payload["released_for"] == chain.buyer.pk
    # on offer again: the owner may now sell it to someone else
    lot_record_step(
        lot_id=lot.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.outsider
    )
    assert Lot.objects.get(pk=lot.pk).owner == chain.outsider


def test_the_api_keeps_a_reservation_and_a_mandatory_inspection(
    chain, harvested, steel, client_for
):
    """The same rules through the API: a reserved lot goes only to its holder, and a
    mandatory-inspection group is not sold untested (400s naming the field)."""
    owner = client_for(chain.owner_user)
    reserved = _reserve_for_buyer(chain, harvested)
    r = owner.post(
        f"/api/v1/lots/{reserved.code}/events",
        {"step": "sale", "counterparty": chain.outsider.pk},
        format="json",
    )
    assert r.status_code == 400 and r.json()["invalid_params"][0]["name"] == "counterparty"
    r = owner.post(
        f"/api/v1/lots/{steel.code}/events",
        {"step": "sale", "counterparty": chain.buyer.pk},
        format="json",
    )
    assert r.status_code == 400 and r.json()["invalid_params"][0]["name"] == "step"
    assert "keur" in r.json()["invalid_params"][0]["reason"]  # Dutch: "gekeurd"
    assert Lot.objects.get(pk=steel.pk).owner == chain.owner
