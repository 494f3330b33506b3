"""The network's knowledge (issue #18, items 3–6): cases, guidelines, news and events written
in Markdown and published after review; step plans per product group; the agenda of
regulatory barriers; example projects whose report comes from their lifecycle events."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from urbanmine.core.documents import document_storage
from urbanmine.organisations.models import ChainRole


class ItemKind(models.TextChoices):
    CASE = "case", _("Case")
    GUIDELINE = "guideline", _("Guideline or standard")
    NEWS = "news", _("News")
    EVENT = "event", _("Event")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting review")
    RETURNED = "returned", _("Returned for changes")
    PUBLISHED = "published", _("Published")


class Phase(models.TextChoices):
    """The five phases of the chain (DOMAIN.md)."""

    SUPPLY = "supply", _("Supply & management")
    HARVEST = "harvest", _("Harvest")
    TRANSFORMATION = "transformation", _("Transformation")
    APPLICATION = "application", _("Application")
    USE = "use", _("Use & management")


class KnowledgeItem(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    # a case: the project and what it taught
    project_name = models.CharField(_("project"), max_length=200, blank=True)
    reused = models.TextField(_("what was reused"), blank=True)
    method = models.TextField(_("how it was reused"), blank=True)
    quantities = models.TextField(_("quantities"), blank=True)
    costs = models.TextField(_("costs"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    lessons = models.TextField(_("lessons learnt"), blank=True)
    # a guideline or standard
    standard_code = models.CharField(_("code of the standard"), max_length=80, blank=True)
    link_url = models.URLField(_("link"), blank=True)
    # an event (materials day, working-group session)
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("places"), null=True, blank=True)
    # tags by product group (roles and phases: ItemTag)
    product_groups = models.ManyToManyField(
        "catalogue.ProductGroup", verbose_name=_("product groups"), blank=True
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    review_note = models.CharField(_("review note"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_items",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="knowledge_items",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-published_at", "-updated_at", "-id"]
        verbose_name = _("knowledge item")
        verbose_name_plural = _("knowledge items")
        indexes = [models.Index(fields=["status", "kind"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(starts_at__isnull=False, ends_at__gte=models.F("starts_at")),
                name="knowledge_event_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == ItemStatus.PUBLISHED

    def tag_values(self, kind: str) -> list[str]:
        return [t.value for t in self.tags.all() if t.kind == kind]


class TagKind(models.TextChoices):
    ROLE = "role", _("role")
    PHASE = "phase", _("phase")


class ItemTag(models.Model):
    """A knowledge item's role or phase tag (a chain role or a phase code)."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=8, choices=TagKind.choices)
    value = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [
            models.UniqueConstraint(fields=["item", "kind", "value"], name="knowledge_tag_once")
        ]
        indexes = [models.Index(fields=["kind", "value"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document (PDF)")


def attachment_upload_to(instance, filename: str) -> str:
    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(
        instance.content_type, "pdf"
    )
    return f"knowledge/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    """A photo or document of a knowledge item; served only by a view that checks who may
    see the item (core/documents.py)."""

    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=10, choices=AttachmentKind.choices)
    file = models.FileField(storage=document_storage, upload_to=attachment_upload_to)
    content_type = models.CharField(max_length=40)
    caption = models.CharField(_("caption"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.caption


class EventSignup(models.Model):
    item = models.ForeignKey(KnowledgeItem, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_signups"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(fields=["item", "user"], name="knowledge_signup_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.item}"


# ------------------------------------------------------------------------ step plans
non_negative = [MinValueValidator(0)]


class StepPlan(models.Model):
    """The processing route of a product-market combination (issue #18 item 4)."""

    product_group = models.ForeignKey(
        "catalogue.ProductGroup",
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="step_plans",
    )
    market = models.CharField(_("product-market combination"), max_length=200)
    summary = models.TextField(_("summary (Markdown)"), blank=True)
    assessment_guideline = models.TextField(_("assessment guideline (Markdown)"), blank=True)
    known_buyers = models.TextField(_("known buyers"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["product_group__code", "market"]
        verbose_name = _("step plan")
        verbose_name_plural = _("step plans")
        constraints = [
            models.UniqueConstraint(
                fields=["product_group", "market"], name="knowledge_stepplan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product_group} — {self.market}"


class PlanStep(models.Model):
    plan = models.ForeignKey(StepPlan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("step"), max_length=200)
    role = models.CharField(_("who"), max_length=20, choices=ChainRole.choices, blank=True)
    days = models.DecimalField(
        _("typical time (days)"), max_digits=7, decimal_places=1, validators=non_negative
    )
    fixed_eur = models.DecimalField(
        _("cost per batch (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=non_negative,
    )
    eur_per_unit = models.DecimalField(
        _("cost per unit (EUR)"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=non_negative,
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="knowledge_planstep_order"),
            models.CheckConstraint(
                condition=models.Q(days__gte=0, fixed_eur__gte=0, eur_per_unit__gte=0),
                name="knowledge_planstep_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------------------ barriers
class BarrierTheme(models.TextChoices):
    BUILDING_REGULATIONS = "building_regulations", _("Building regulations")
    ENVIRONMENT_PLANS = "environment_plans", _("Environment plans")
    IMAGE_QUALITY_PLANS = "image_quality_plans", _("Image-quality plans")
    TAXES = "taxes", _("Taxes")
    WASTE_LAW = "waste_law", _("Waste law")


class BarrierStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    RAISED = "raised", _("Raised")
    IN_PROGRESS = "in_progress", _("In progress")
    SOLVED = "solved", _("Solved")


class Barrier(models.Model):
    """A regulatory barrier on the agenda, with its evidence and optimisation proposal."""

    title = models.CharField(_("title"), max_length=200)
    product_group = models.ForeignKey(
        "catalogue.ProductGroup",
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barriers",
        help_text=_("Empty: applies to every product group."),
    )
    theme = models.CharField(_("theme"), max_length=24, choices=BarrierTheme.choices)
    description = models.TextField(_("barrier (Markdown)"))
    evidence = models.TextField(_("evidence (Markdown)"))
    proposal = models.TextField(_("optimisation proposal (Markdown)"))
    status = models.CharField(
        _("status"), max_length=12, choices=BarrierStatus.choices, default=BarrierStatus.IDENTIFIED
    )
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="barriers",
    )
    source = models.CharField(_("source (report section)"), max_length=300, blank=True)
    links = models.TextField(_("links"), blank=True, help_text=_("One per line: title | https://…"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["theme", "title"]
        verbose_name = _("regulatory barrier")
        verbose_name_plural = _("regulatory barriers")

    def __str__(self) -> str:
        return self.title


class BarrierComment(models.Model):
    barrier = models.ForeignKey(Barrier, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, blank=True
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.barrier_id}: {self.body[:40]}"


# ------------------------------------------------------------------------ example projects
class ExampleProject(models.Model):
    """A project (one or more assets) monitored from demolition to reuse (issue #18 item 6):
    its report comes from the lifecycle events of the lots harvested from or applied in its
    assets; the team adds the conditions."""

    name = models.CharField(_("name"), max_length=200)
    assets = models.ManyToManyField(
        "assets.Asset", verbose_name=_("assets"), related_name="example_projects"
    )
    conditions_financial = models.TextField(_("financial conditions (Markdown)"), blank=True)
    conditions_organisational = models.TextField(
        _("organisational conditions (Markdown)"), blank=True
    )
    conditions_technical = models.TextField(_("technical conditions (Markdown)"), blank=True)
    notes = models.TextField(_("notes of the team (Markdown)"), blank=True)
    case = models.OneToOneField(
        KnowledgeItem,
        verbose_name=_("case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="example_project",
    )
    is_public = models.BooleanField(_("public"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("example project")
        verbose_name_plural = _("example projects")

    def __str__(self) -> str:
        return self.name
