"""Permission cases of the knowledge base, step plans, barriers and example projects (issue
#18): anonymous visitors see only what is published; an organisation sees and edits its own
drafts; only the facilitator (a matchmaker member or staff) publishes, keeps step plans and
barriers and marks example projects. Objects are built by the URL builders (first use)."""

from __future__ import annotations

from datetime import timedelta

from tests.contracts.route_cases import LOGIN, PUBLIC, Case, expect, page

FACILITATOR = "matchmaker_user"
DRAFT_TITLE = "Concept-casus Tarwewijk"


def _draft(w):
    """A case of the owner's organisation, not yet submitted."""
    if "draft" not in w.extra:
        from urbanmine.knowledge.services import item_save

        w.extra["draft"] = item_save(
            actor=w.chain.owner_user,
            data={
                "kind": "case",
                "title": DRAFT_TITLE,
                "project_name": "Tarwewijk",
                "reused": "dakpannen",
            },
        )
    return w.extra["draft"]


def _submitted(w):
    if "submitted" not in w.extra:
        from urbanmine.knowledge.services import item_save, item_submit

        item = item_save(
            actor=w.chain.owner_user,
            data={"kind": "news", "title": "Ingediend nieuws", "body": "tekst"},
        )
        w.extra["submitted"] = item_submit(actor=w.chain.owner_user, item=item)
    return w.extra["submitted"]


def _event(w):
    if "event" not in w.extra:
        from django.utils import timezone

        from urbanmine.knowledge.services import item_publish, item_save

        item = item_save(
            actor=w.chain.matchmaker_user,
            data={
                "kind": "event",
                "title": "Materialendag",
                "starts_at": timezone.now() + timedelta(days=30),
            },
        )
        w.extra["event"] = item_publish(actor=w.chain.matchmaker_user, item=item)
    return w.extra["event"]


def _photo(w, item):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from urbanmine.knowledge.services import item_attach

    buf = io.BytesIO()
    Image.new("RGB", (2, 2)).save(buf, format="PNG")
    actor = w.chain.matchmaker_user
    return item_attach(
        actor=actor, item=item, upload=SimpleUploadedFile("p.png", buf.getvalue()), caption="Foto"
    )


def _draft_photo(w) -> str:
    if "draft_photo" not in w.extra:
        w.extra["draft_photo"] = _photo(w, _draft(w))
    return f"/knowledge/files/{w.extra['draft_photo'].pk}/"


def _plan(w, published: bool):
    key = f"plan_{published}"
    if key not in w.extra:
        from urbanmine.knowledge.services import step_plan_save

        w.extra[key] = step_plan_save(
            actor=w.chain.matchmaker_user,
            data={
                "product_group": w.chain.bricks,
                "market": f"Gevels {'gepubliceerd' if published else 'concept'}",
                "is_published": published,
            },
            steps=[{"name": "Demonteren", "days": "2"}],
        )
    return w.extra[key]


def _barrier(w):
    if "barrier" not in w.extra:
        from urbanmine.knowledge.services import barrier_save

        w.extra["barrier"] = barrier_save(
            actor=w.chain.matchmaker_user,
            data={
                "title": "Bouwbesluit en hergebruikte producten",
                "theme": "building_regulations",
                "description": "x",
                "evidence": "y",
                "proposal": "z",
            },
        )
    return w.extra["barrier"]


def _example(w):
    """A project on the owner's building, not yet public."""
    if "example" not in w.extra:
        from urbanmine.knowledge.services import example_project_save

        w.extra["example"] = example_project_save(
            actor=w.chain.matchmaker_user,
            data={"name": "Voorbeeld Flat Rotterdam"},
            assets=[w.chain.building],
        )
    return w.extra["example"]


FACILITATOR_ONLY = expect(LOGIN, (403,), (200,))
FACILITATOR_WRITE = expect(LOGIN, (403,), (302,))
MEMBERS = expect(LOGIN, (200,), (200,))

CASES: list[Case] = [
    page("knowledge-list", lambda w: "/knowledge/", PUBLIC),
    page(
        "knowledge-list",
        lambda w: f"/knowledge/?q=Tarwewijk&_={_draft(w).pk}",
        PUBLIC,
        shown=lambda w: DRAFT_TITLE,  # the owner's organisation sees its draft, no one else
    ),
    page(
        "knowledge-workbench",
        lambda w: f"/knowledge/mine/?_={_draft(w).pk}",
        MEMBERS,
        shown=lambda w: DRAFT_TITLE,
    ),
    page("knowledge-create", lambda w: "/knowledge/new/", MEMBERS),
    page(
        "knowledge-create",
        lambda w: "/knowledge/new/",
        expect(LOGIN, (302,), (302,)),  # every member writes (a draft)
        method="post",
        data=lambda w: {"kind": "news", "title": "Nieuws", "body": "tekst"},
        writes=False,  # any member may (a 302 is success here)
    ),
    page(
        "knowledge-detail",
        lambda w: f"/knowledge/{_draft(w).pk}/",
        expect((404,), (404,), (200,)),
        shown=lambda w: DRAFT_TITLE,
    ),
    page("knowledge-detail", lambda w: f"/knowledge/{_event(w).pk}/", PUBLIC),
    page(
        "knowledge-edit",
        lambda w: f"/knowledge/{_draft(w).pk}/edit/",
        expect(LOGIN, (404,), (200,)),
    ),
    page(
        "knowledge-edit",
        lambda w: f"/knowledge/{_draft(w).pk}/edit/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"kind": "case", "title": "Nieuw", "project_name": "P", "reused": "r"},
        writes=True,
    ),
    page(
        "knowledge-submit",
        lambda w: f"/knowledge/{_draft(w).pk}/submit/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        writes=True,
    ),
    page(
        "knowledge-review",
        lambda w: f"/knowledge/{_submitted(w).pk}/review/",
        expect(LOGIN, (404,), (302,)),
        own=FACILITATOR,
        method="post",
        data=lambda w: {"decision": "publish"},
        writes=True,
    ),
    page(
        "knowledge-review",
        lambda w: f"/knowledge/{_event(w).pk}/review/",
        expect(LOGIN, (403,), (302,)),  # a published item: seen by all, reviewed by one
        own=FACILITATOR,
        method="post",
        data=lambda w: {"decision": "return", "note": "Datum klopt niet."},
        writes=True,
    ),
    page(
        "knowledge-attach",
        lambda w: f"/knowledge/{_draft(w).pk}/attach/",
        expect(LOGIN, (404,), (302,)),
        method="post",
        data=lambda w: {"caption": "zonder bestand"},
        writes=True,
    ),
    page(
        "knowledge-signup",
        lambda w: f"/knowledge/{_event(w).pk}/signup/",
        expect(LOGIN, (302,), (302,)),
        method="post",
        writes=False,  # any member may (a 302 is success here)
    ),
    page("knowledge-attachment", _draft_photo, expect((404,), (404,), (200,))),
    page("stepplan-list", lambda w: "/step-plans/", PUBLIC),
    page("stepplan-detail", lambda w: f"/step-plans/{_plan(w, True).pk}/", PUBLIC),
    page(
        "stepplan-detail",
        lambda w: f"/step-plans/{_plan(w, False).pk}/",
        expect((404,), (404,), (200,)),
        own=FACILITATOR,
    ),
    page("stepplan-create", lambda w: "/step-plans/new/", FACILITATOR_ONLY, own=FACILITATOR),
    page(
        "stepplan-edit",
        lambda w: f"/step-plans/{_plan(w, True).pk}/edit/",
        FACILITATOR_ONLY,
        own=FACILITATOR,
    ),
    page(
        "stepplan-create",
        lambda w: "/step-plans/new/",
        FACILITATOR_WRITE,
        own=FACILITATOR,
        method="post",
        data=lambda w: {
            "product_group": w.chain.steel.pk,
            "market": "Utiliteitsbouw",
            "steps-TOTAL_FORMS": "1",
            "steps-INITIAL_FORMS": "0",
            "steps-0-name": "Demonteren",
            "steps-0-days": "3",
        },
        writes=True,
    ),
    page("barrier-list", lambda w: "/barriers/", PUBLIC),
    page("barrier-detail", lambda w: f"/barriers/{_barrier(w).pk}/", PUBLIC),
    page(
        "barrier-detail",
        lambda w: f"/barriers/{_barrier(w).pk}/",
        expect(LOGIN, (302,), (302,)),  # members comment
        method="post",
        data=lambda w: {"body": "Herkenbaar in ons project."},
        writes=False,  # any member may (a 302 is success here)
    ),
    page("barrier-create", lambda w: "/barriers/new/", FACILITATOR_ONLY, own=FACILITATOR),
    page(
        "barrier-edit",
        lambda w: f"/barriers/{_barrier(w).pk}/edit/",
        FACILITATOR_ONLY,
        own=FACILITATOR,
    ),
    page(
        "barrier-edit",
        lambda w: f"/barriers/{_barrier(w).pk}/edit/",
        FACILITATOR_WRITE,
        own=FACILITATOR,
        method="post",
        data=lambda w: {
            "title": "Bouwbesluit",
            "theme": "building_regulations",
            "status": "raised",
            "description": "x",
            "evidence": "y",
            "proposal": "z",
        },
        writes=True,
    ),
    page(
        "example-list",
        lambda w: f"/example-projects/?_={_example(w).pk}",
        PUBLIC,
        shown=lambda w: "Voorbeeld Flat Rotterdam",  # the building's owner; not public yet
    ),
    page(
        "example-detail",
        lambda w: f"/example-projects/{_example(w).pk}/",
        expect((404,), (404,), (200,)),
    ),
    page(
        "example-guide",
        lambda w: f"/example-projects/{_example(w).pk}/guide.pdf",
        expect((404,), (404,), (200,)),
    ),
    page("example-create", lambda w: "/example-projects/new/", FACILITATOR_ONLY, own=FACILITATOR),
    page(
        "example-edit",
        lambda w: f"/example-projects/{_example(w).pk}/edit/",
        FACILITATOR_ONLY,
        own=FACILITATOR,
    ),
    page(
        "example-publish",
        lambda w: f"/example-projects/{_example(w).pk}/publish/",
        FACILITATOR_WRITE,
        own=FACILITATOR,
        method="post",
        writes=True,
    ),
]
