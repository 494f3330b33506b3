"""The knowledge pages: the write–review–publish flow through the forms, Dutch error
messages next to their fields, and bounded query counts on the list pages."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from urbanmine.knowledge import services
from urbanmine.knowledge.models import KnowledgeItem

pytestmark = pytest.mark.django_db


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_write_submit_publish_through_the_pages(chain):
    author = _client(chain.owner_user)
    r = author.post(
        "/knowledge/new/",
        {"kind": "case", "title": "Casus Vlaardingen", "project_name": "", "reused": ""},
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert (
        "Een casus noemt het project." in page and "Een casus vermeldt wat is hergebruikt." in page
    )
    assert KnowledgeItem.objects.count() == 0
    r = author.post(
        "/knowledge/new/",
        {
            "kind": "case",
            "title": "Casus Vlaardingen",
            "project_name": "Sloop school Vlaardingen",
            "reused": "Binnendeuren",
            "body": "De **binnendeuren** kregen nieuw hang- en sluitwerk. <script>alert(1)</script>",
            "roles": ["asset_owner"],
            "phases": ["application"],
        },
    )
    item = KnowledgeItem.objects.get()
    assert r.status_code == 302 and item.status == "draft" and item.organisation == chain.owner
    assert _client().get(f"/knowledge/{item.pk}/").status_code == 404
    author.post(f"/knowledge/{item.pk}/submit/")
    facilitator = _client(chain.matchmaker_user)
    assert "Casus Vlaardingen" in facilitator.get("/knowledge/mine/").content.decode()
    assert _client(chain.outsider_user).post(
        f"/knowledge/{item.pk}/review/", {"decision": "publish"}
    ).status_code in (403, 404)
    facilitator.post(f"/knowledge/{item.pk}/review/", {"decision": "publish"})
    item.refresh_from_db()
    assert item.status == "published"
    public = _client().get("/knowledge/?q=binnendeuren").content.decode()
    assert "Casus Vlaardingen" in public
    detail = _client().get(f"/knowledge/{item.pk}/").content.decode()
    assert "<strong>binnendeuren</strong>" in detail and "<script>alert" not in detail


def _items(chain, n: int) -> None:
    for i in range(n):
        item = services.item_save(
            actor=chain.owner_user,
            data={"kind": "case", "title": f"Casus {i}", "project_name": "P", "reused": "r"},
            product_groups=[chain.bricks],
            roles=["asset_owner"],
            phases=["harvest"],
        )
        services.item_publish(actor=chain.matchmaker_user, item=item)


def _barriers(chain, n: int) -> None:
    for i in range(n):
        b = services.barrier_save(
            actor=chain.matchmaker_user,
            data={
                "title": f"Drempel {i}",
                "theme": "taxes",
                "product_group": chain.bricks,
                "owner": chain.matchmaker,
                "description": "x",
                "evidence": "y",
                "proposal": "z",
            },
        )
        services.barrier_comment_add(actor=chain.owner_user, barrier=b, body="eens")


def _plans(chain, n: int, codes=("bricks-clay", "steel-beams", "timber-beams", "paving-bricks")):
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.knowledge.models import StepPlan

    for i in range(StepPlan.objects.count(), StepPlan.objects.count() + n):
        services.step_plan_save(
            actor=chain.matchmaker_user,
            data={
                "product_group": ProductGroup.objects.get(code=codes[i % len(codes)]),
                "market": f"Markt {i}",
                "is_published": True,
            },
            steps=[{"name": "a", "days": "1"}, {"name": "b", "days": "2"}],
        )


@pytest.mark.parametrize(
    ("url", "make"),
    [("/knowledge/", _items), ("/barriers/", _barriers), ("/step-plans/", _plans)],
)
def test_list_pages_have_bounded_query_counts(chain, url, make):
    viewer = _client(chain.owner_user)
    make(chain, 2)
    viewer.get(url)  # warm caches (session, menu)
    with CaptureQueriesContext(connection) as few:
        assert viewer.get(url).status_code == 200
    make(chain, 8)
    with CaptureQueriesContext(connection) as many:
        assert viewer.get(url).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_the_steward_sees_the_knowledge_admin(chain):
    from django.contrib.auth import get_user_model

    services.barrier_save(
        actor=chain.matchmaker_user,
        data={"title": "B", "theme": "taxes", "description": "x", "evidence": "y", "proposal": "z"},
    )
    steward = get_user_model().objects.create_superuser("steward-kb", password="pw-test-12345")
    c = _client(steward)
    for model in ("knowledgeitem", "stepplan", "barrier", "exampleproject"):
        assert c.get(f"/admin/knowledge/{model}/").status_code == 200, model
    from urbanmine.knowledge.models import Barrier

    assert c.get(f"/admin/knowledge/barrier/{Barrier.objects.get().pk}/change/").status_code == 200


def test_the_facilitator_sees_who_signed_up_for_an_event(chain):
    from datetime import timedelta

    from django.utils import timezone

    item = services.item_save(
        actor=chain.matchmaker_user,
        data={
            "kind": "event",
            "title": "Materialendag",
            "starts_at": timezone.now() + timedelta(days=9),
        },
    )
    services.item_publish(actor=chain.matchmaker_user, item=item)
    r = _client(chain.buyer_user).post(f"/knowledge/{item.pk}/signup/")
    assert r.status_code == 302 and item.signups.get().organisation == chain.buyer
    assert (
        "Bouwer Test"
        in _client(chain.matchmaker_user).get(f"/knowledge/{item.pk}/").content.decode()
    )
    assert (
        'id="signups"'
        not in _client(chain.owner_user).get(f"/knowledge/{item.pk}/").content.decode()
    )
