"""Steps of the test chain (tests/conftest.py::chain) that several test modules build on:
bricks identified in the building, harvested into the hub, and a proposal for a demand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal


def identify_bricks(
    chain, quantity: int = 10000, description: str = "Rode gevelstenen", draft: bool = False
):
    """Bricks in the building: the owner's, held by the contracted demolisher; reviewed and
    published by the owner unless `draft` (issue #13: new lines are drafts by default)."""
    from urbanmine.lots.services import lot_identify

    return lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=quantity,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="B",
        organisation=chain.demolisher,
        actor=None,
        description=description,
        custodian=chain.demolisher,
        draft=draft,
    )


def harvest_into_hub(chain, lot):
    """The demolisher dismantles the lot into the hub: offered, held by the hub operator."""
    from urbanmine.lots.lifecycle import Step
    from urbanmine.lots.services import lot_record_step

    lot_record_step(
        lot_id=lot.id, step=Step.DISMANTLING, actor=chain.demolisher_user, hub=chain.hub
    )
    lot.refresh_from_db()
    return lot


def proposal_for(demand, lot, *, hub=None, quantity: int = 400):
    """A proposal as a matching run would store it (numbers plausible, not computed)."""
    from urbanmine.market.models import MatchRun, Proposal

    run = MatchRun.objects.create(solver="greedy", status="done")
    return Proposal.objects.create(
        run=run,
        demand=demand,
        lot=lot,
        hub=hub,
        quantity=Decimal(quantity),
        delivery_date=date(2027, 2, 1),
        distance_km=20.0,
        mass_kg=quantity * 2.1,
        co2_avoided_kg=100.0,
        transport_co2_kg=2.0,
        value_eur=50.0,
    )


def inspect(chain, lot, *, passed: bool = True, engaged_by=None, **fields):
    """The custodian (or `engaged_by`) engages the test certifier, which records a quality
    control: the only way an inspection gets onto a lot (issue #14)."""
    from urbanmine.lots.lifecycle import Step
    from urbanmine.lots.models import Lot
    from urbanmine.lots.services import lot_engage_certifier, lot_record_step

    lot = Lot.objects.get(pk=lot.pk)
    if engaged_by is None:
        from django.contrib.auth import get_user_model

        from urbanmine.organisations.models import Membership

        member = Membership.objects.filter(organisation_id=lot.custodian_id).first()
        engaged_by = get_user_model().objects.get(pk=member.user_id)
    lot_engage_certifier(lot_id=lot.id, certifier=chain.certifier, actor=engaged_by)
    return lot_record_step(
        lot_id=lot.id,
        step=Step.QUALITY_CONTROL,
        actor=chain.certifier_user,
        passed=passed,
        **fields,
    )
