"""The demo of the tender tool (issue #17): a clause library of at least 20 cited clauses,
ambitions, a tender with bids, and commitments partly realised."""

import pytest

from urbanmine.demo.generator import load_demo
from urbanmine.tenders import selectors
from urbanmine.tenders.models import Ambition, Clause, Commitment, Tender


@pytest.mark.django_db
def test_demo_has_clauses_ambitions_a_tender_and_partial_realisation():
    load_demo(scale=1, seed=7, progress=lambda m: None)
    clauses = list(Clause.objects.all())
    assert len(clauses) >= 20
    assert all(c.is_demo and len(c.source) > 20 for c in clauses)
    assert sum("Verkenning Urban Mining" in c.source for c in clauses) >= 15
    assert Ambition.objects.filter(level="area", is_demo=True).count() >= 3
    project = Ambition.objects.get(level="project")
    assert project.parent is not None and project.harvest_pct >= project.parent.harvest_pct
    tender = Tender.objects.get()
    assert tender.is_demo and tender.bids.count() == 3 and tender.tender_clauses.count() >= 2
    commitment = Commitment.objects.get()
    assert commitment.is_demo and commitment.bid == tender.awarded_bid
    realised = selectors.tender_realisation(tender)
    assert 0 < realised.harvest_pct < 100
    ranking = selectors.tender_ranking(tender)
    assert ranking is not None and len(ranking.rows) == 3
    rows = selectors.dashboard_rows()
    assert any(r["realised_pct"] is not None for r in rows)
