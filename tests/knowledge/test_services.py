"""The knowledge base through its services on a real database (SQLite or PostgreSQL):
search by a Dutch word, review and publication by the facilitator only, the rules of a
case, an event, a step plan and a barrier, and attachments checked by their content."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from urbanmine.knowledge import selectors, services
from urbanmine.knowledge.models import Barrier, ItemStatus, KnowledgeItem, StepPlan

pytestmark = pytest.mark.django_db

CASE = {
    "kind": "case",
    "title": "Hergebruik in Rotterdam-Zuid",
    "summary": "Een portiekflat levert zijn gevel terug.",
    "body": "De oude **dakpannen** zijn gereinigd en op de nieuwbouw gelegd.",
    "project_name": "Portiekflats Tarwewijk",
    "reused": "Keramische dakpannen, 12.000 stuks",
}


def _case(chain, **over):
    return services.item_save(actor=chain.owner_user, data={**CASE, **over})


def test_search_finds_a_case_by_a_dutch_word_in_its_body(chain):
    item = _case(chain)
    services.item_save(
        actor=chain.owner_user,
        data={
            **CASE,
            "title": "Stalen liggers",
            "body": "Staal uit een kantoor.",
            "reused": "staal",
        },
    )
    services.item_submit(actor=chain.owner_user, item=item)
    services.item_publish(actor=chain.matchmaker_user, item=item)
    found = list(selectors.items_search(viewer=None, q="dakpannen"))
    assert found == [item]
    # PostgreSQL stems Dutch ("dakpan" finds "dakpannen"); the fallback finds the substring
    assert list(selectors.items_search(viewer=None, q="dakpan")) == [item]
    assert list(selectors.items_search(viewer=None, q="dakpannen beton")) == []


def test_unpublished_items_are_seen_by_their_organisation_and_the_facilitator_only(chain):
    item = _case(chain)
    assert list(selectors.items_search(viewer=None)) == []
    assert list(selectors.items_search(viewer=chain.outsider_user)) == []
    assert list(selectors.items_search(viewer=chain.owner_user)) == [item]
    assert list(selectors.items_search(viewer=chain.matchmaker_user)) == [item]


def test_only_the_facilitator_publishes(chain):
    item = _case(chain)
    services.item_submit(actor=chain.owner_user, item=item)
    for user in (chain.owner_user, chain.outsider_user, chain.buyer_user):
        with pytest.raises(PermissionDenied):
            services.item_publish(actor=user, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.SUBMITTED and item.published_at is None
    services.item_publish(actor=chain.matchmaker_user, item=item)
    item.refresh_from_db()
    assert item.status == ItemStatus.PUBLISHED and item.published_by == chain.matchmaker_user
    # published: the author no longer edits it; the facilitator may return it
    with pytest.raises(PermissionDenied):
        services.item_save(actor=chain.owner_user, item=item, data={"title": "Anders"})
    with pytest.raises(ValidationError) as e:
        services.item_return(actor=chain.matchmaker_user, item=item, note=" ")
    assert "note" in e.value.message_dict
    services.item_return(actor=chain.matchmaker_user, item=item, note="Voeg foto's toe.")
    item.refresh_from_db()
    assert item.status == ItemStatus.RETURNED and list(selectors.items_search(viewer=None)) == []


def test_another_organisation_cannot_edit_a_draft(chain):
    item = _case(chain)
    with pytest.raises(PermissionDenied):
        services.item_save(actor=chain.outsider_user, item=item, data={"title": "Overgenomen"})
    with pytest.raises(PermissionDenied):
        services.item_submit(actor=chain.outsider_user, item=item)


def test_bad_case_and_event_give_dutch_messages_and_save_nothing(chain):
    with translation.override("nl"), pytest.raises(ValidationError) as e:
        _case(chain, project_name="", reused="")
    assert set(e.value.message_dict) >= {"project_name", "reused"}
    assert "project" in e.value.message_dict["project_name"][0].lower()
    start = timezone.now() + timedelta(days=20)
    event = {"kind": "event", "title": "Materialendag", "starts_at": start}
    with translation.override("nl"), pytest.raises(ValidationError) as e:
        services.item_save(
            actor=chain.owner_user, data={**event, "ends_at": start - timedelta(hours=2)}
        )
    assert "ends_at" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.item_save(actor=chain.owner_user, data={**event, "starts_at": None})
    assert "starts_at" in e.value.message_dict
    assert KnowledgeItem.objects.count() == 0


def test_event_sign_up_respects_places(chain):
    start = timezone.now() + timedelta(days=20)
    item = services.item_save(
        actor=chain.matchmaker_user,
        data={"kind": "event", "title": "Werksessie dakpannen", "starts_at": start, "capacity": 1},
    )
    with pytest.raises(PermissionDenied):  # not yet published: not even seen
        services.event_signup(actor=chain.owner_user, item=item)
    with pytest.raises(ValidationError):  # the facilitator sees it, but it takes no sign-ups
        services.event_signup(actor=chain.matchmaker_user, item=item)
    services.item_publish(actor=chain.matchmaker_user, item=item)
    services.event_signup(actor=chain.owner_user, item=item)
    services.event_signup(actor=chain.owner_user, item=item)  # twice is once
    with pytest.raises(ValidationError) as e:
        services.event_signup(actor=chain.buyer_user, item=item)
    assert "item" in e.value.message_dict
    assert item.signups.count() == 1


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 3), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_attachments_are_checked_by_content(chain):
    item = _case(chain)
    photo = services.item_attach(
        actor=chain.owner_user,
        item=item,
        upload=SimpleUploadedFile("x.bin", _png(), "application/octet-stream"),
        caption="Dak na hergebruik",
    )
    assert photo.kind == "photo" and photo.content_type == "image/png"
    with pytest.raises(ValidationError) as e:
        services.item_attach(
            actor=chain.owner_user,
            item=item,
            upload=SimpleUploadedFile("foto.png", b"<script>alert(1)</script>", "image/png"),
            caption="Nep",
        )
    assert "file" in e.value.message_dict
    doc = services.item_attach(
        actor=chain.owner_user,
        item=item,
        upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        caption="Rapport",
    )
    assert doc.kind == "document" and item.attachments.count() == 2
    with pytest.raises(PermissionDenied):
        services.item_attach(
            actor=chain.outsider_user,
            item=item,
            upload=SimpleUploadedFile("r.pdf", b"%PDF-1.4\n", "application/pdf"),
            caption="x",
        )


STEPS = [
    {
        "name": "Demonteren",
        "role": "demolisher",
        "days": "2",
        "fixed_eur": "150",
        "eur_per_unit": "0,10",
    },
    {"name": "Reinigen", "role": "processor", "days": "5.5", "eur_per_unit": "0.25"},
    {"name": "Keuren", "role": "certifier", "days": "3", "fixed_eur": "400"},
    {"name": "", "days": "99"},  # an empty row is dropped
]


def test_step_plan_totals_are_the_sums_of_its_steps(chain):
    tiles = chain.bricks.__class__.objects.get(code="roof-tiles-ceramic")
    plan = services.step_plan_save(
        actor=chain.matchmaker_user,
        data={"product_group": tiles, "market": "Renovatie woningbouw", "is_published": True},
        steps=STEPS,
    )
    totals = selectors.plan_totals(plan)
    assert plan.steps.count() == 3
    assert totals.days == Decimal("10.5")
    assert totals.fixed_eur == Decimal("550") and totals.eur_per_unit == Decimal("0.35")
    assert totals.min_batch == tiles.min_batch == Decimal("5000")
    assert totals.batch_eur == Decimal("2300")
    assert [v.plan for v in selectors.step_plans(None)] == [plan]


def test_step_plan_rules(chain):
    data = {"product_group": chain.bricks, "market": "Gevels"}
    with pytest.raises(PermissionDenied):
        services.step_plan_save(actor=chain.owner_user, data=data, steps=STEPS)
    with translation.override("nl"), pytest.raises(ValidationError) as e:
        services.step_plan_save(
            actor=chain.matchmaker_user, data=data, steps=[{"name": "Slopen", "days": "-1"}]
        )
    assert "steps" in e.value.message_dict
    with pytest.raises(ValidationError):
        services.step_plan_save(actor=chain.matchmaker_user, data=data, steps=[])
    assert StepPlan.objects.count() == 0


def test_barriers_are_kept_by_the_facilitator_and_commented_by_members(chain):
    data = {
        "title": "Afvalregels dwingen snelle afvoer af",
        "theme": "waste_law",
        "description": "x",
        "evidence": "y",
        "proposal": "z",
        "links": "Circulaw | https://www.circulaw.nl/",
    }
    with pytest.raises(PermissionDenied):
        services.barrier_save(actor=chain.owner_user, data=data)
    with pytest.raises(ValidationError) as e:
        services.barrier_save(actor=chain.matchmaker_user, data={**data, "links": "geen link"})
    assert "links" in e.value.message_dict
    assert Barrier.objects.count() == 0
    b = services.barrier_save(actor=chain.matchmaker_user, data=data)
    assert selectors.barrier_links(b) == [("Circulaw", "https://www.circulaw.nl/")]
    services.barrier_comment_add(actor=chain.outsider_user, barrier=b, body="Herkenbaar.")
    with pytest.raises(ValidationError):
        services.barrier_comment_add(actor=chain.outsider_user, barrier=b, body="  ")
    assert b.comments.count() == 1
