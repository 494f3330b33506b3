"""An example project's report and guide from a fixture project's real lifecycle events
(recorded through the lot services): every number equals a hand-computed sum."""

from __future__ import annotations

import csv
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from tests.support.chain import inspect
from urbanmine.knowledge import selectors, services
from urbanmine.knowledge.models import ItemStatus
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import LifecycleEvent
from urbanmine.lots.services import lot_identify, lot_record_step

pytestmark = pytest.mark.django_db


def _gain(code: str) -> float:
    from django.conf import settings

    with open(settings.IMPACT_FACTORS_PATH, encoding="utf-8") as fh:
        row = next(r for r in csv.DictReader(fh) if r["product_group"] == code)
    return float(row["virgin_co2_kg_per_kg"]) - float(row["reuse_co2_kg_per_kg"])


@pytest.fixture
def project(chain):
    """Two brick lots from the building, 40 and 39 days ago: A (1000 × 2.1 kg) dismantled,
    cleaned 10 days later, applied back in the building 20 days after that; B (500 × 2.1
    kg) dismantled and failing its inspection 4 days later."""
    t0 = timezone.now() - timedelta(days=40)
    lots = []
    for q, name in ((1000, "A"), (500, "B")):
        lots.append(
            lot_identify(
                asset=chain.building,
                product_group=chain.bricks,
                quantity=q,
                unit="piece",
                mass_kg_per_unit="2.1",
                quality="B",
                organisation=chain.demolisher,
                custodian=chain.demolisher,
                description=name,
                occurred_at=t0,
            )
        )
    a, b = lots
    for lot, cost in ((a, "400"), (b, "200")):
        lot_record_step(
            lot_id=lot.id,
            step=Step.DISMANTLING,
            actor=chain.demolisher_user,
            hub=chain.hub,
            occurred_at=t0 + timedelta(hours=1),
            cost_eur=cost,
        )
    lot_record_step(
        lot_id=a.id,
        step=Step.TREATMENT,
        actor=chain.hub_operator_user,
        occurred_at=t0 + timedelta(days=10, hours=1),
        cost_eur="150,50",
    )
    inspect(chain, b, passed=False, occurred_at=t0 + timedelta(days=4, hours=1))
    lot_record_step(
        lot_id=a.id,
        step=Step.EXECUTION,
        actor=chain.owner_user,
        target_asset=chain.building,
        occurred_at=t0 + timedelta(days=30, hours=1),
        revenue_eur="1200",
    )
    return services.example_project_save(
        actor=chain.matchmaker_user,
        data={"name": "Voorbeeld Flat Rotterdam", "conditions_financial": "Subsidie **SDE**"},
        assets=[chain.building],
    )


def test_report_numbers_equal_hand_sums(chain, project):
    r = selectors.example_project_report(project)
    (bricks,) = r.groups
    assert bricks.product_group == "bricks-clay" and bricks.lots == 2
    assert bricks.harvested_kg == pytest.approx(1000 * 2.1 + 500 * 2.1)
    assert bricks.processed_kg == pytest.approx(1000 * 2.1)
    assert bricks.applied_kg == pytest.approx(1000 * 2.1)
    assert bricks.rejected_kg == pytest.approx(500 * 2.1)
    assert bricks.cost_eur == Decimal("400") + Decimal("200") + Decimal("150.50")
    assert bricks.revenue_eur == Decimal("1200") and bricks.revenue_events == 1
    assert bricks.co2_avoided_kg == pytest.approx(2100 * _gain("bricks-clay"))
    means = {(t.from_step, t.to_step): (t.count, t.mean_days) for t in bricks.transitions}
    assert means[("dismantling", "treatment")] == (1, 10.0)
    assert means[("treatment", "execution")] == (1, 20.0)
    assert means[("dismantling", "quality_control")] == (1, 4.0)
    # the costs are on the events themselves, append-only
    assert sorted(
        str(c)
        for c in LifecycleEvent.objects.exclude(cost_eur=None).values_list("cost_eur", flat=True)
    ) == ["150.50", "200.00", "400.00"]


def test_negative_cost_is_refused_and_nothing_is_recorded(chain):
    lot = lot_identify(
        asset=chain.building,
        product_group=chain.bricks,
        quantity=10,
        unit="piece",
        mass_kg_per_unit="2.1",
        quality="B",
        organisation=chain.demolisher,
        custodian=chain.demolisher,
    )
    before = LifecycleEvent.objects.count()
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=lot.id,
            step=Step.DISMANTLING,
            actor=chain.demolisher_user,
            hub=chain.hub,
            cost_eur="-5",
        )
    assert "cost_eur" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=lot.id,
            step=Step.DISMANTLING,
            actor=chain.demolisher_user,
            hub=chain.hub,
            revenue_eur="veel",
        )
    assert "revenue_eur" in e.value.message_dict
    assert LifecycleEvent.objects.count() == before
    lot.refresh_from_db()
    assert lot.status == "identified"


def test_publishing_makes_a_case_and_a_public_guide(chain, project):
    anon = Client()
    assert anon.get(f"/example-projects/{project.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.example_project_publish(actor=chain.owner_user, project=project)
    item = services.example_project_publish(actor=chain.matchmaker_user, project=project)
    assert item.status == ItemStatus.PUBLISHED and item.kind == "case"
    assert list(item.product_groups.all()) == [chain.bricks]
    assert list(selectors.items_search(viewer=None, q="Rotterdam")) == [item]
    page = anon.get(f"/example-projects/{project.pk}/")
    assert page.status_code == 200
    total = page.content.decode().split('id="report-total"')[1].split("</tr>")[0]
    assert "3,15" in total and "2,10" in total and "1,05" in total  # t harvested, applied, rejected
    pdf = anon.get(f"/example-projects/{project.pk}/guide.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    # publishing again updates the same case
    assert (
        services.example_project_publish(actor=chain.matchmaker_user, project=project).pk == item.pk
    )
