"""The demo fills every part of the knowledge base (issue #18 "Done when")."""

import pytest

from urbanmine.demo.generator import load_demo
from urbanmine.knowledge import selectors
from urbanmine.knowledge.models import Barrier, ExampleProject, KnowledgeItem, StepPlan

pytestmark = pytest.mark.django_db


def test_demo_knowledge_base():
    load_demo(scale=1, seed=7, progress=lambda m: None)
    cases = KnowledgeItem.objects.filter(kind="case", is_demo=True)
    assert cases.filter(status="published").count() >= 10
    assert (
        StepPlan.objects.filter(is_published=True).values("product_group").distinct().count() >= 10
    )
    barriers = Barrier.objects.filter(is_demo=True)
    assert barriers.count() >= 15
    assert all("hfst." in b.source for b in barriers)  # each cites the report's section
    example = ExampleProject.objects.get(is_demo=True)
    assert example.is_public and example.case is not None and example.case.status == "published"
    report = selectors.example_project_report(example)
    assert report.total.harvested_kg > 0
    assert KnowledgeItem.objects.filter(kind="event", status="published").count() >= 1
    # the search finds a demo case by a Dutch word in its body
    assert selectors.items_search(viewer=None, q="kanaalplaten").count() == 1
