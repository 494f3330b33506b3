"""Step-plan totals and the example-project report, checked against hand-computed sums."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from urbanmine.engine.knowledge import PlanStep, ReportEvent, project_report, step_plan_totals

D = Decimal


def test_step_plan_totals_sum_days_and_costs():
    steps = [
        PlanStep(D("2"), D("150"), D("0.10")),  # dismantling
        PlanStep(D("5.5"), D("0"), D("0.25")),  # cleaning
        PlanStep(D("3"), D("400"), D("0")),  # inspection per batch
    ]
    t = step_plan_totals(steps, min_batch=D("5000"))
    assert t.days == D("10.5")
    assert t.fixed_eur == D("550")
    assert t.eur_per_unit == D("0.35")
    assert t.batch_eur == D("550") + D("0.35") * 5000 == D("2300")
    assert t.eur_per_unit_at_min_batch == D("550") / 5000 + D("0.35") == D("0.46")
    assert t.cost_eur(D("100")) == D("585")


def test_step_plan_without_batch_and_bad_batch():
    t = step_plan_totals([PlanStep(D("1"))])
    assert t.days == 1 and t.batch_eur is None and t.eur_per_unit_at_min_batch is None
    with pytest.raises(ValueError):
        step_plan_totals([PlanStep(D("1"))], min_batch=D("0"))


def test_project_report_sums_by_hand():
    t0 = datetime(2026, 3, 1, 9)
    ev = [
        ReportEvent(1, "bricks", "dismantling", t0, 2100.0, cost_eur=D("400")),
        ReportEvent(2, "bricks", "dismantling", t0, 1050.0, cost_eur=D("200")),
        ReportEvent(
            1, "bricks", "treatment", t0 + timedelta(days=10), 2100.0, cost_eur=D("150.50")
        ),
        ReportEvent(2, "bricks", "quality_control", t0 + timedelta(days=4), 1050.0, passed=False),
        ReportEvent(
            1, "bricks", "execution", t0 + timedelta(days=30), 2100.0, revenue_eur=D("1200")
        ),
        ReportEvent(3, "steel", "dismantling", t0, 500.0),
        ReportEvent(3, "steel", "quality_control", t0 + timedelta(days=2), 500.0, passed=True),
        ReportEvent(3, "steel", "execution", t0 + timedelta(days=8), 500.0),
    ]
    r = project_report(ev, {"bricks": 0.2, "steel": 1.5})
    bricks, steel = r.groups
    assert (bricks.harvested_kg, bricks.processed_kg, bricks.applied_kg, bricks.rejected_kg) == (
        3150.0,
        2100.0,
        2100.0,
        1050.0,
    )
    assert bricks.cost_eur == D("750.50") and bricks.costed_events == 3
    assert bricks.revenue_eur == D("1200") and bricks.net_eur == D("449.50")
    assert bricks.co2_avoided_kg == pytest.approx(2100 * 0.2)
    assert steel.rejected_kg == 0 and steel.co2_avoided_kg == pytest.approx(750.0)
    assert {(t.from_step, t.to_step): (t.count, t.mean_days) for t in bricks.transitions} == {
        ("dismantling", "treatment"): (1, 10.0),
        ("treatment", "execution"): (1, 20.0),
        ("dismantling", "quality_control"): (1, 4.0),
    }
    assert r.total.harvested_kg == 3650.0 and r.total.lots == 3
    assert r.total.co2_avoided_kg == pytest.approx(420.0 + 750.0)
    dq = {(t.from_step, t.to_step): t for t in r.total.transitions}[
        ("dismantling", "quality_control")
    ]
    assert (dq.count, dq.mean_days) == (2, 3.0)  # (4 + 2) / 2
    assert r.first_event == t0 and r.last_event == t0 + timedelta(days=30)


def test_group_without_factor_adds_no_co2():
    r = project_report([ReportEvent(1, "x", "execution", datetime(2026, 1, 1), 10.0)], {})
    assert r.total.co2_avoided_kg == 0.0 and r.total.applied_kg == 10.0
