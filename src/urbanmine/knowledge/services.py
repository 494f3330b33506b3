"""Every write of the knowledge base: keyword-only `<entity>_<action>` functions in one
transaction, checking permission and validity once for the web (and any later API or
import). Errors are Dutch sentences naming the field (gettext)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.catalogue.models import ProductGroup
from urbanmine.core.documents import validate_pdf
from urbanmine.organisations.membership import acting_organisation_or_none
from urbanmine.organisations.models import ChainRole

from .models import (
    Attachment,
    AttachmentKind,
    Barrier,
    BarrierComment,
    EventSignup,
    ExampleProject,
    ItemKind,
    ItemStatus,
    ItemTag,
    KnowledgeItem,
    Phase,
    PlanStep,
    StepPlan,
    TagKind,
)
from .permissions import (
    barrier_may_comment,
    barrier_may_edit,
    example_project_may_manage,
    is_member,
    item_may_edit,
    item_may_review,
    item_may_view,
    step_plan_may_edit,
)

ITEM_FIELDS = (
    "kind",
    "title",
    "summary",
    "body",
    "project_name",
    "reused",
    "method",
    "quantities",
    "costs",
    "conditions",
    "lessons",
    "standard_code",
    "link_url",
    "starts_at",
    "ends_at",
    "venue",
    "capacity",
)
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def _full_clean(obj, exclude: Sequence[str] = ()) -> None:
    obj.full_clean(exclude=list(exclude), validate_unique=False)


def _check_item(item: KnowledgeItem) -> None:
    """The rules of a kind: a case names its project and what was reused; an event has a
    start, and ends after it."""
    errors: dict[str, str] = {}
    if not item.title.strip():
        errors["title"] = _("Give the item a title.")
    if item.kind == ItemKind.CASE:
        if not item.project_name.strip():
            errors["project_name"] = _("A case names its project.")
        if not item.reused.strip():
            errors["reused"] = _("A case says what was reused.")
    if item.kind == ItemKind.EVENT:
        if item.starts_at is None:
            errors["starts_at"] = _("An event needs a start date and time.")
        elif item.ends_at is not None and item.ends_at < item.starts_at:
            errors["ends_at"] = _("The end lies before the start.")
    if item.kind != ItemKind.EVENT and (item.starts_at or item.ends_at or item.capacity):
        item.starts_at = item.ends_at = item.capacity = None
    if errors:
        raise ValidationError(errors)


def _set_tags(item: KnowledgeItem, roles: Iterable[str], phases: Iterable[str]) -> None:
    valid_roles, valid_phases = set(ChainRole.values), set(Phase.values)
    roles, phases = sorted(set(roles)), sorted(set(phases))
    bad = [r for r in roles if r not in valid_roles]
    if bad:
        raise ValidationError({"roles": _("Unknown role: %(v)s.") % {"v": ", ".join(bad)}})
    bad = [p for p in phases if p not in valid_phases]
    if bad:
        raise ValidationError({"phases": _("Unknown phase: %(v)s.") % {"v": ", ".join(bad)}})
    item.tags.all().delete()
    ItemTag.objects.bulk_create(
        [ItemTag(item=item, kind=TagKind.ROLE, value=r) for r in roles]
        + [ItemTag(item=item, kind=TagKind.PHASE, value=p) for p in phases]
    )


@transaction.atomic
def item_save(
    *,
    actor,
    data: dict[str, Any],
    item: KnowledgeItem | None = None,
    product_groups: Iterable[ProductGroup] = (),
    roles: Iterable[str] = (),
    phases: Iterable[str] = (),
    is_demo: bool = False,
) -> KnowledgeItem:
    """Write a new item (a draft of the actor's organisation) or change one the actor may
    edit. A returned item stays returned until it is submitted again."""
    if item is None:
        if not is_member(actor):
            raise PermissionDenied(_("Only members of the network write in the knowledge base."))
        item = KnowledgeItem(
            author=actor, organisation=acting_organisation_or_none(actor), is_demo=is_demo
        )
    else:
        item = KnowledgeItem.objects.select_for_update().get(pk=item.pk)
        if not item_may_edit(actor, item):
            raise PermissionDenied(_("You may not change this item."))
    for name in ITEM_FIELDS:
        if name in data:
            value = data[name]
            setattr(item, name, "" if value is None and name not in _NULLABLE else value)
    _check_item(item)
    _full_clean(item, exclude=["author", "organisation", "published_by"])
    item.save()
    item.product_groups.set(list(product_groups))
    _set_tags(item, roles, phases)
    return item


_NULLABLE = {"starts_at", "ends_at", "capacity"}


def _locked_item(item: KnowledgeItem) -> KnowledgeItem:
    return KnowledgeItem.objects.select_for_update().get(pk=item.pk)


@transaction.atomic
def item_submit(*, actor, item: KnowledgeItem) -> KnowledgeItem:
    """The author offers the item for review."""
    item = _locked_item(item)
    if not item_may_edit(actor, item):
        raise PermissionDenied(_("You may not change this item."))
    if item.status == ItemStatus.PUBLISHED:
        raise ValidationError({"status": _("This item is already published.")})
    item.status = ItemStatus.SUBMITTED
    item.save(update_fields=["status", "updated_at"])
    return item


@transaction.atomic
def item_publish(*, actor, item: KnowledgeItem) -> KnowledgeItem:
    """The facilitator publishes after review."""
    if not item_may_review(actor):
        raise PermissionDenied(_("Only the facilitator publishes."))
    item = _locked_item(item)
    _check_item(item)
    item.status = ItemStatus.PUBLISHED
    item.review_note = ""
    item.published_at = timezone.now()
    item.published_by = actor
    item.save()
    return item


@transaction.atomic
def item_return(*, actor, item: KnowledgeItem, note: str) -> KnowledgeItem:
    """The facilitator sends the item back to its author with what to change (also takes a
    published item off line)."""
    if not item_may_review(actor):
        raise PermissionDenied(_("Only the facilitator reviews."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Say what the author should change.")})
    item = _locked_item(item)
    item.status = ItemStatus.RETURNED
    item.review_note = note[:500]
    item.published_at = None
    item.save()
    return item


def _image_type(upload) -> str | None:
    """The image's type read from its content (Pillow), not from its name."""
    from PIL import Image, UnidentifiedImageError

    upload.seek(0)
    try:
        with Image.open(upload) as im:
            fmt = im.format
            im.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    finally:
        upload.seek(0)
    return IMAGE_FORMATS.get(fmt or "")


@transaction.atomic
def item_attach(*, actor, item: KnowledgeItem, upload, caption: str) -> Attachment:
    """A photo (JPEG, PNG or WebP, recognised by its content) or a PDF document."""
    item = _locked_item(item)
    if not item_may_edit(actor, item):
        raise PermissionDenied(_("You may not change this item."))
    caption = (caption or "").strip()
    if not caption:
        raise ValidationError({"caption": _("Describe the file in a caption.")})
    if upload is None:
        raise ValidationError({"file": _("Choose a file.")})
    size = getattr(upload, "size", 0) or 0
    if size > settings.URBANMINE_DOCUMENT_MAX_BYTES:
        validate_pdf(upload, "file")  # names the size limit
    image = _image_type(upload)
    if image is not None:
        kind, content_type = AttachmentKind.PHOTO, image
    else:
        validate_pdf(upload, "file")
        kind, content_type = AttachmentKind.DOCUMENT, "application/pdf"
    att = Attachment(
        item=item, kind=kind, content_type=content_type, caption=caption[:200], uploaded_by=actor
    )
    att.file.save("upload", upload, save=False)
    att.save()
    return att


@transaction.atomic
def event_signup(*, actor, item: KnowledgeItem) -> EventSignup:
    """A signed-in user signs up for a published event that has not started and has room."""
    item = _locked_item(item)
    if not actor.is_authenticated or not item_may_view(actor, item):
        raise PermissionDenied
    if item.kind != ItemKind.EVENT or item.status != ItemStatus.PUBLISHED:
        raise ValidationError({"item": _("Only a published event takes sign-ups.")})
    if item.starts_at is not None and item.starts_at <= timezone.now():
        raise ValidationError({"item": _("This event has already started.")})
    existing = EventSignup.objects.filter(item=item, user=actor).first()
    if existing is not None:
        return existing
    if item.capacity is not None and item.signups.count() >= item.capacity:
        raise ValidationError({"item": _("This event is full.")})
    return EventSignup.objects.create(
        item=item, user=actor, organisation=acting_organisation_or_none(actor)
    )


@transaction.atomic
def event_signup_cancel(*, actor, item: KnowledgeItem) -> bool:
    return EventSignup.objects.filter(item=item, user=actor).delete()[0] > 0


# ------------------------------------------------------------------------ step plans
def _decimal(value, field: str, label: str) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        d = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationError(
            {field: _("%(f)s: “%(v)s” is not a number.") % {"f": label, "v": value}}
        ) from None
    if not d.is_finite() or d < 0:
        raise ValidationError({field: _("%(f)s cannot be below zero.") % {"f": label}})
    return d


@transaction.atomic
def step_plan_save(
    *,
    actor,
    data: dict[str, Any],
    steps: Sequence[dict[str, Any]],
    plan: StepPlan | None = None,
    is_demo: bool = False,
) -> StepPlan:
    """Write a step plan and replace its steps (in the given order). Each step: name, role,
    days, fixed_eur, eur_per_unit, notes. At least one step."""
    if not step_plan_may_edit(actor):
        raise PermissionDenied(_("Only the facilitator keeps the step plans."))
    plan = (
        StepPlan(is_demo=is_demo)
        if plan is None
        else StepPlan.objects.select_for_update().get(pk=plan.pk)
    )
    for name in (
        "product_group",
        "market",
        "summary",
        "assessment_guideline",
        "known_buyers",
        "source",
        "is_published",
    ):
        if name in data:
            setattr(plan, name, data[name])
    plan.updated_by = actor if actor is not None and actor.is_authenticated else None
    rows = [s for s in steps if (s.get("name") or "").strip()]
    if not rows:
        raise ValidationError({"steps": _("A step plan has at least one step.")})
    built = []
    for i, s in enumerate(rows, start=1):
        role = s.get("role") or ""
        if role and role not in ChainRole.values:
            raise ValidationError({"steps": _("Step %(n)d: unknown role.") % {"n": i}})
        built.append(
            PlanStep(
                position=i,
                name=s["name"].strip()[:200],
                role=role,
                days=_decimal(s.get("days"), "steps", _("Step %(n)d, days") % {"n": i}),
                fixed_eur=_decimal(
                    s.get("fixed_eur"), "steps", _("Step %(n)d, cost per batch") % {"n": i}
                ),
                eur_per_unit=_decimal(
                    s.get("eur_per_unit"), "steps", _("Step %(n)d, cost per unit") % {"n": i}
                ),
                notes=(s.get("notes") or "").strip()[:300],
            )
        )
    if (
        plan.product_group_id is not None
        and StepPlan.objects.filter(product_group_id=plan.product_group_id, market=plan.market)
        .exclude(pk=plan.pk)
        .exists()
    ):
        raise ValidationError(
            {"market": _("This product group already has a step plan for this market.")}
        )
    _full_clean(plan, exclude=["updated_by"])
    plan.save()
    plan.steps.all().delete()
    for step in built:
        step.plan = plan
        _full_clean(step, exclude=["plan"])
    PlanStep.objects.bulk_create(built)
    return plan


# ------------------------------------------------------------------------ barriers
BARRIER_FIELDS = (
    "title",
    "product_group",
    "theme",
    "description",
    "evidence",
    "proposal",
    "status",
    "owner",
    "source",
    "links",
)


def _check_links(text: str) -> None:
    from django.core.validators import URLValidator

    validate = URLValidator(schemes=["http", "https"])
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        url = line.split("|")[-1].strip()
        try:
            validate(url)
        except ValidationError:
            raise ValidationError(
                {
                    "links": _("Line %(n)d: “%(url)s” is not a web address (https://…).")
                    % {"n": n, "url": url}
                }
            ) from None


@transaction.atomic
def barrier_save(
    *, actor, data: dict[str, Any], barrier: Barrier | None = None, is_demo: bool = False
) -> Barrier:
    if not barrier_may_edit(actor):
        raise PermissionDenied(_("Only the facilitator keeps the agenda of barriers."))
    barrier = (
        Barrier(is_demo=is_demo)
        if barrier is None
        else Barrier.objects.select_for_update().get(pk=barrier.pk)
    )
    for name in BARRIER_FIELDS:
        if name in data:
            setattr(
                barrier,
                name,
                data[name] if data[name] is not None or name in ("product_group", "owner") else "",
            )
    _check_links(barrier.links)
    _full_clean(barrier)
    barrier.save()
    return barrier


@transaction.atomic
def barrier_comment_add(*, actor, barrier: Barrier, body: str) -> BarrierComment:
    if not barrier_may_comment(actor):
        raise PermissionDenied(_("Only members of the network comment."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > 2000:
        raise ValidationError({"body": _("A comment is at most 2,000 characters.")})
    return BarrierComment.objects.create(
        barrier=barrier, author=actor, organisation=acting_organisation_or_none(actor), body=body
    )


# ------------------------------------------------------------------------ example projects
EXAMPLE_FIELDS = (
    "name",
    "conditions_financial",
    "conditions_organisational",
    "conditions_technical",
    "notes",
)


@transaction.atomic
def example_project_save(
    *,
    actor,
    data: dict[str, Any],
    assets: Iterable,
    project: ExampleProject | None = None,
    is_demo: bool = False,
) -> ExampleProject:
    """Mark one or more assets as an example project (the facilitator), with the team's
    conditions and notes."""
    if not example_project_may_manage(actor):
        raise PermissionDenied(_("Only the facilitator marks example projects."))
    assets = list(assets)
    if not assets:
        raise ValidationError({"assets": _("Choose at least one asset.")})
    if project is None:
        project = ExampleProject(created_by=actor, is_demo=is_demo)
    else:
        project = ExampleProject.objects.select_for_update().get(pk=project.pk)
    for name in EXAMPLE_FIELDS:
        if name in data:
            setattr(project, name, data[name] or "")
    _full_clean(project, exclude=["created_by", "case"])
    project.save()
    project.assets.set(assets)
    return project


@transaction.atomic
def example_project_publish(*, actor, project: ExampleProject) -> KnowledgeItem:
    """The example project becomes a published case (its report in the text, the team's
    conditions as conditions) and its report and guide become public."""
    from .selectors import example_project_case_text

    if not example_project_may_manage(actor):
        raise PermissionDenied(_("Only the facilitator publishes example projects."))
    project = ExampleProject.objects.select_for_update().get(pk=project.pk)
    text = example_project_case_text(project)
    data = {
        "kind": ItemKind.CASE,
        "title": _("Example project: %(name)s") % {"name": project.name},
        "summary": text["summary"][:300],
        "body": text["body"],
        "project_name": project.name,
        "reused": text["reused"],
        "method": project.conditions_technical,
        "quantities": text["quantities"],
        "costs": text["costs"],
        "conditions": "\n\n".join(
            c for c in (project.conditions_financial, project.conditions_organisational) if c
        ),
        "lessons": project.notes,
    }
    item = item_save(
        actor=actor,
        data=data,
        item=project.case,
        product_groups=text["product_groups"],
        phases=[Phase.HARVEST, Phase.TRANSFORMATION, Phase.APPLICATION],
        is_demo=project.is_demo,
    )
    item = item_publish(actor=actor, item=item)
    project.case = item
    project.is_public = True
    project.save(update_fields=["case", "is_public"])
    return item
