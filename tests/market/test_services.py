"""Matching in the platform: instance from the registry, a run, proposals, acceptance."""

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from urbanmine.engine import matching as engine
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import Lot
from urbanmine.lots.services import lot_record_step
from urbanmine.market.models import DemandRequest, MatchRun, Proposal, ProposalStatus
from urbanmine.market.services import match_instance_build, match_run_execute, proposal_accept


@pytest.fixture
def market(chain, identified_lot, settings):
    settings.URBANMINE_JOBS_INLINE = True
    lot_record_step(
        lot_id=identified_lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    today = timezone.localdate()
    demands = [
        DemandRequest.objects.create(
            project=chain.project,
            organisation=chain.buyer,
            product_group=chain.bricks,
            quantity=q,
            unit="piece",
            min_quality=mq,
            window_start=today,
            window_end=today + timedelta(days=60),
            max_distance_km=60,
        )
        for q, mq in ((6000, "B"), (6000, "C"))
    ]
    return demands


def test_instance_from_the_registry_is_valid_and_solves(chain, market):
    built = match_instance_build()
    inst = engine.parse_instance(built.data)
    assert len(inst.supply) == 1 and len(inst.demand) == 2 and len(inst.hubs) == 1
    result = engine.solve(inst)
    assert engine.check(inst, result).ok
    assert sum(a.quantity for a in result.assignments) == 10000  # supply binds


def test_hubs_closed_to_deliveries_carry_no_routes(chain, market):
    chain.hub.open_to_deliveries = False
    chain.hub.save(update_fields=["open_to_deliveries"])
    inst = engine.parse_instance(match_instance_build().data)
    assert len(inst.hubs) == 0 and len(inst.supply) == 1


def test_run_stores_proposals_and_accepting_reserves(chain, market):
    run = MatchRun.objects.create(started_by=chain.matchmaker_user)
    run = match_run_execute(run_id=run.id)
    assert run.status == "done", run.message
    assert run.result_status == "optimal" and run.objective_eur > 0
    proposals = list(Proposal.objects.filter(run=run))
    assert sum(p.quantity for p in proposals) == 10000
    p = proposals[0]
    assert p.co2_avoided_kg > 0 and p.distance_km > 0
    with pytest.raises(PermissionDenied):
        proposal_accept(proposal_id=p.id, actor=chain.outsider_user)
    accepted = proposal_accept(proposal_id=p.id, actor=chain.buyer_user)
    assert accepted.status == ProposalStatus.ACCEPTED
    reserved = accepted.reservation.lot
    assert reserved.status == Status.RESERVED and reserved.quantity == p.quantity
    assert accepted.reservation.step == Step.CONNECTION
    assert accepted.reservation.organisation == chain.buyer
    # The other proposal took the rest of the same lot; it is still valid.
    other = next(x for x in proposals if x.pk != p.pk)
    proposal_accept(proposal_id=other.id, actor=chain.matchmaker_user)
    assert (
        Lot.objects.filter(status=Status.RESERVED).count() == 2
        or Lot.objects.get(pk=chain.building.lots.first().pk).status == Status.RESERVED
    )


def test_stale_proposal_is_rechecked_and_refused(chain, market, identified_lot):
    run = match_run_execute(run_id=MatchRun.objects.create().id)
    p = Proposal.objects.filter(run=run).first()
    # Meanwhile the hub sells the whole lot elsewhere.
    lot_record_step(
        lot_id=identified_lot.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.outsider,
    )
    with pytest.raises(ValidationError) as e:
        proposal_accept(proposal_id=p.id, actor=chain.buyer_user)
    assert "No longer available" in str(e.value) or "niet meer" in str(e.value)
    p.refresh_from_db()
    assert p.status == ProposalStatus.STALE and p.stale_reason


def test_unmatched_demand_explains_why(chain, market, client):
    d = DemandRequest.objects.create(
        project=chain.project,
        organisation=chain.buyer,
        product_group=chain.steel,
        quantity=5,
        unit="m",
        min_quality="A",
        window_start=timezone.localdate(),
        window_end=timezone.localdate() + timedelta(days=10),
    )
    client.force_login(chain.buyer_user)
    body = client.get(f"/demand/{d.pk}/").content.decode()
    assert 'id="unmatched"' in body
    client.force_login(chain.outsider_user)
    assert client.get(f"/demand/{d.pk}/").status_code == 404


def test_only_a_matchmaker_starts_a_run(chain, market, client, django_capture_on_commit_callbacks):
    client.force_login(chain.buyer_user)
    assert client.post("/matching/", {"solver": "optimal"}).status_code == 403
    client.force_login(chain.matchmaker_user)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/matching/", {"solver": "greedy"})
    assert r.status_code == 302
    run = MatchRun.objects.get()
    assert run.status == "done" and run.solver == "greedy"
    assert Proposal.objects.filter(run=run).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="two real connections need PostgreSQL"
)
def test_two_buyers_accepting_overlapping_proposals_never_over_reserve(
    chain, market, identified_lot
):
    # Two runs' worth of proposals both claiming 6,000 of the 10,000 bricks.
    run = MatchRun.objects.create()
    p1, p2 = (
        Proposal.objects.create(
            run=run,
            demand=d,
            lot=identified_lot,
            quantity=Decimal(6000),
            delivery_date=timezone.localdate(),
            distance_km=10,
            mass_kg=12600,
            co2_avoided_kg=1,
            transport_co2_kg=1,
            value_eur=1,
        )
        for d in market
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def accept(pid):
        close_old_connections()
        try:
            barrier.wait()
            proposal_accept(proposal_id=pid, actor=chain.buyer_user)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(p.pk,)) for p in (p1, p2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ok", "refused"]
    reserved = Lot.objects.filter(status=Status.RESERVED)
    assert sum(lot.quantity for lot in reserved) == 6000
    assert sum(lot.quantity for lot in Lot.objects.all()) == 10000


def _accept_one(chain):
    run = match_run_execute(run_id=MatchRun.objects.create(started_by=chain.matchmaker_user).id)
    p = Proposal.objects.filter(run=run).order_by("id").first()
    return proposal_accept(proposal_id=p.id, actor=chain.buyer_user)


@pytest.mark.parametrize("how", ["release", "correction"])
def test_an_ended_reservation_releases_its_proposal_and_reopens_the_demand(chain, market, how):
    """An accepted proposal whose reservation ends without delivery (released by the holder,
    or the reserving step corrected) no longer reads "accepted", and its demand counts the
    quantity as open again (issue #14). A reserved lot cannot exit (lifecycle table)."""
    from urbanmine.lots.services import lot_correct_last_step

    accepted = _accept_one(chain)
    demand = DemandRequest.objects.get(pk=accepted.demand_id)
    assert demand.status in ("partial", "fulfilled")
    reserved = accepted.reservation.lot
    if how == "release":
        lot_record_step(lot_id=reserved.id, step=Step.RELEASE, actor=chain.buyer_user)
    else:
        lot_correct_last_step(lot_id=reserved.id, actor=chain.buyer_user, reason="wrong demand")
    accepted.refresh_from_db()
    demand.refresh_from_db()
    assert accepted.status == ProposalStatus.RELEASED
    assert reserved.code in accepted.stale_reason
    assert demand.status == "open"
    # the other proposals of the run are untouched
    assert Proposal.objects.filter(status=ProposalStatus.RELEASED).count() == 1


def test_a_reservation_fulfilled_by_a_sale_stays_accepted(chain, market):
    accepted = _accept_one(chain)
    reserved = accepted.reservation.lot
    lot_record_step(
        lot_id=reserved.id, step=Step.SALE, actor=chain.owner_user, counterparty=chain.buyer
    )
    accepted.refresh_from_db()
    assert accepted.status == ProposalStatus.ACCEPTED


def test_a_proposal_of_an_untested_mandatory_inspection_lot_says_so(chain, market, client):
    """Matching plans with a lot whose group needs an inspection, but the buyer reads that
    it is delivered only after a certifier passes it; a passed inspection removes the note."""
    from urbanmine.lots.services import lot_engage_certifier

    chain.bricks.inspection_required = True
    chain.bricks.assessment_guideline = "BRL 2506"
    chain.bricks.save(update_fields=["inspection_required", "assessment_guideline"])
    match_run_execute(run_id=MatchRun.objects.create().id)
    demand = market[0]
    client.force_login(chain.buyer_user)
    page = client.get(reverse("demand-detail", args=[demand.pk])).content.decode()
    assert "data-needs-inspection" in page and "BRL 2506" in page
    lot = Lot.objects.get(source_asset=chain.building, status=Status.HARVESTED)
    lot_engage_certifier(lot_id=lot.id, certifier=chain.certifier, actor=chain.owner_user)
    lot_record_step(
        lot_id=lot.id,
        step=Step.QUALITY_CONTROL,
        actor=chain.certifier_user,
        passed=True,
        certificate_number="C-1",
    )
    page = client.get(reverse("demand-detail", args=[demand.pk])).content.decode()
    assert "data-needs-inspection" not in page
