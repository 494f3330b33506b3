"""Lots (lines of a material passport that travel the chain), their append-only lifecycle
events, lineage through splits and merges, and inspections / certificates."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import Unit
from urbanmine.core.documents import certificate_upload_to, document_storage
from urbanmine.core.models import Job

from .lifecycle import OFFERABLE, EventFacts, Status, Step


class Quality(models.TextChoices):
    A = "A", _("A (as new)")
    B = "B", _("B (good, minor damage)")
    C = "C", _("C (usable after repair)")


QUALITY_RANK = {"A": 1, "B": 2, "C": 3}


class RStrategy(models.TextChoices):
    R0 = "R0", _("R0 Refuse")
    R1 = "R1", _("R1 Rethink")
    R2 = "R2", _("R2 Reduce")
    R3 = "R3", _("R3 Reuse")
    R4 = "R4", _("R4 Repair")
    R5 = "R5", _("R5 Refurbish")
    R6 = "R6", _("R6 Remanufacture")
    R7 = "R7", _("R7 Repurpose")
    R8 = "R8", _("R8 Recycle")
    R9 = "R9", _("R9 Recover (energy)")


class QuantitySource(models.TextChoices):
    """Where the quantity of a lot made from an IFC model came from (engine.ifc)."""

    WEIGHT = "weight", _("weight in the model")
    VOLUME = "volume", _("volume × density")
    GEOMETRY = "geometry", _("geometry × density")
    TYPICAL = "typical", _("typical mass (estimate)")


class Location(models.TextChoices):
    IN_ASSET = "in_asset", _("In the asset")
    AT_HUB = "at_hub", _("At a hub")
    IN_TRANSIT = "in_transit", _("In transit")
    APPLIED = "applied", _("Applied in an asset")
    EXITED = "exited", _("Left the chain")


class ExitRoute(models.TextChoices):
    """How material that is not reused leaves the chain, lowest rungs of the R-ladder."""

    RECYCLE = "recycle", _("Recycling (R8)")
    RECOVER = "recover", _("Energy recovery (R9)")
    DISPOSE = "dispose", _("Disposal (landfill or incineration without recovery)")


#: the R-strategy an exit route realises (disposal is below the ladder: none)
EXIT_R_STRATEGY = {ExitRoute.RECYCLE: "R8", ExitRoute.RECOVER: "R9", ExitRoute.DISPOSE: ""}


class Lot(models.Model):
    code = models.CharField(_("lot code"), max_length=20, unique=True)
    product_group = models.ForeignKey(
        "catalogue.ProductGroup",
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    mass_kg_per_unit = models.DecimalField(
        _("mass per unit (kg)"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    # Lots from an IFC model: which quantity gave the mass ("" for lots entered otherwise).
    quantity_source = models.CharField(
        _("quantity source"),
        max_length=10,
        choices=QuantitySource.choices,
        blank=True,
        default="",
        db_default="",
    )
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    quality = models.CharField(_("quality grade"), max_length=1, choices=Quality.choices)
    has_asbestos = models.BooleanField(_("contains asbestos"), default=False)
    has_chromium6 = models.BooleanField(_("contains chromium-6"), default=False)
    has_other_hazard = models.BooleanField(_("contains other hazardous substances"), default=False)
    hazard_note = models.CharField(_("hazard note"), max_length=300, blank=True)

    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_lots",
    )
    custodian = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("custodian"),
        on_delete=models.PROTECT,
        related_name="held_lots",
    )
    # Where it came from (the passport it was identified in) and where it is now.
    source_asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("source asset"),
        on_delete=models.PROTECT,
        related_name="lots",
    )
    location = models.CharField(
        _("location"), max_length=12, choices=Location.choices, default=Location.IN_ASSET
    )
    hub = models.ForeignKey(
        "hubs.Hub",
        verbose_name=_("hub"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lots",
    )
    applied_asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("applied in asset"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applied_lots",
    )
    # Every asset this lot's material came from (denormalised trace through splits and merges).
    source_assets = models.ManyToManyField("assets.Asset", related_name="traced_lots", blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, db_index=True)
    status_since = models.DateTimeField(_("status since"))
    hub_since = models.DateTimeField(_("at hub since"), null=True, blank=True)
    r_strategy = models.CharField(
        _("R-strategy"), max_length=2, choices=RStrategy.choices, blank=True
    )
    # Who a reservation (connection) binds the lot to: until it is released, the reserved
    # quantity is sold or applied only to this organisation (issue #14).
    reserved_for = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("reserved for"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reserved_lots",
    )
    expected_release_date = models.DateField(_("expected release date"), null=True, blank=True)
    is_published = models.BooleanField(_("published as supply"), default=False, db_index=True)
    asking_price_eur = models.DecimalField(
        _("asking price per unit (EUR, excl. VAT)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    # lots added by hand, inventory or IFC wait for the owner's review (issue #13)
    draft = models.BooleanField(_("draft: not yet published by the owner"), default=False)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("lot")
        verbose_name_plural = _("lots")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="lot_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(is_published=False)
                | models.Q(has_asbestos=False, has_chromium6=False, has_other_hazard=False),
                name="hazardous_lot_never_published",
            ),
        ]
        indexes = [models.Index(fields=["is_published", "product_group"])]

    def __str__(self) -> str:
        return f"{self.code} {self.description or self.product_group_id}"

    @property
    def is_hazardous(self) -> bool:
        return self.has_asbestos or self.has_chromium6 or self.has_other_hazard

    @property
    def mass_kg(self) -> Decimal:
        return self.quantity * self.mass_kg_per_unit

    @property
    def is_offerable(self) -> bool:
        return not self.is_hazardous and self.status in OFFERABLE and self.quantity > 0

    def clean(self) -> None:
        if self.is_published and self.is_hazardous:
            raise ValidationError({"is_published": _("A hazardous lot can never be offered.")})
        if (
            self.unit == Unit.PIECE
            and self.quantity is not None
            and self.quantity != int(self.quantity)
        ):
            raise ValidationError({"quantity": _("Pieces are counted in whole numbers.")})


class LotLineage(models.Model):
    """A split (parent → child, part of the quantity) or a merge (parents → child)."""

    parent = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="children_links")
    child = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="parent_links")
    kind = models.CharField(
        max_length=14,
        choices=[
            ("split", _("split")),
            ("merge", _("merge")),
            ("transformation", _("transformation")),
        ],
    )
    quantity = models.DecimalField(max_digits=14, decimal_places=3)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lot lineage")
        verbose_name_plural = _("lot lineage")

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.child_id} ({self.kind})"


class AppendOnlyError(RuntimeError):
    pass


class LifecycleEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Lifecycle events are append-only.")

    def delete(self):
        raise AppendOnlyError("Lifecycle events are append-only.")


class LifecycleEvent(models.Model):
    """One process step (or change of hands) on a lot. Never updated, never deleted."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(_("process step"), max_length=20, choices=Step.choices)
    occurred_at = models.DateTimeField(_("when"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    location = models.CharField(_("place"), max_length=12, choices=Location.choices)
    asset = models.ForeignKey(
        "assets.Asset", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    hub = models.ForeignKey(
        "hubs.Hub", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    notes = models.TextField(_("notes"), blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status_after = models.CharField(_("status after"), max_length=12, choices=Status.choices)
    # Realised impact (issue 4): recorded on reservation, sale and application.
    co2_avoided_kg = models.FloatField(null=True, blank=True)
    waste_diverted_kg = models.FloatField(null=True, blank=True)
    r_strategy = models.CharField(max_length=2, choices=RStrategy.choices, blank=True)
    # What the step cost and brought in, where the recorder gives it (issue #18: the
    # example-project report sums them per product group). Optional; never negative.
    cost_eur = models.DecimalField(
        _("cost (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    revenue_eur = models.DecimalField(
        _("revenue (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    # A correction names the event it reverses (issue #14): both stay in the history, and
    # an event is corrected at most once.
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("corrects"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )

    objects = LifecycleEventQuerySet.as_manager()

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("lifecycle event")
        verbose_name_plural = _("lifecycle events")
        indexes = [models.Index(fields=["lot", "occurred_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cost_eur__isnull=True) | models.Q(cost_eur__gte=0),
                name="event_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(revenue_eur__isnull=True) | models.Q(revenue_eur__gte=0),
                name="event_revenue_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} {self.step} {self.occurred_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Lifecycle events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Lifecycle events are append-only.")

    def facts(self) -> EventFacts:
        """What the state machine needs of this stored event, to replay a history."""
        payload = self.payload or {}
        return EventFacts(
            self.step,
            passed=payload.get("passed"),
            closes="into" in payload or "transformed_into" in payload,
            restores=self.status_after if self.step in (Step.CORRECTION, Step.RELEASE) else None,
        )


class InspectionResult(models.TextChoices):
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class Inspection(models.Model):
    """An inspection and, when passed, the certificate that goes with it."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="inspections")
    event = models.OneToOneField(
        LifecycleEvent, on_delete=models.PROTECT, related_name="inspection"
    )
    inspector = models.ForeignKey(
        "organisations.Organisation", verbose_name=_("inspector"), on_delete=models.PROTECT
    )
    inspected_on = models.DateField(_("inspected on"))
    guideline = models.CharField(_("assessment guideline"), max_length=200)
    result = models.CharField(_("result"), max_length=6, choices=InspectionResult.choices)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    certificate_document = models.FileField(
        _("certificate (PDF)"),
        storage=document_storage,
        upload_to=certificate_upload_to,
        blank=True,
        max_length=120,
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-inspected_on"]
        verbose_name = _("inspection / certificate")
        verbose_name_plural = _("inspections / certificates")

    def __str__(self) -> str:
        return f"{self.lot_id} {self.inspected_on} {self.result}"


class EngagementStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("inspected")
    WITHDRAWN = "withdrawn", _("withdrawn")


class InspectionEngagement(models.Model):
    """The owner or custodian engages a certifier to inspect a lot: only an engaged
    certifier records a quality control, once per engagement (issue #14)."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="engagements")
    certifier = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("certifier"),
        on_delete=models.PROTECT,
        related_name="inspection_engagements",
    )
    engaged_by = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("engaged by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    engaged_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    engaged_at = models.DateTimeField(_("engaged at"))
    status = models.CharField(
        _("status"), max_length=10, choices=EngagementStatus.choices, default=EngagementStatus.OPEN
    )
    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="engagement"
    )

    class Meta:
        ordering = ["-engaged_at"]
        verbose_name = _("inspection engagement")
        verbose_name_plural = _("inspection engagements")
        constraints = [
            models.UniqueConstraint(
                fields=["lot", "certifier"],
                condition=models.Q(status="open"),
                name="one_open_engagement_per_lot_and_certifier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} → {self.certifier_id} ({self.status})"


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("awaiting the owner")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    WITHDRAWN = "withdrawn", _("withdrawn")


class TransferProposal(models.Model):
    """A custodian's proposal to sell a lot or hand its ownership over: it happens only when
    the owner accepts (issue #14). Price and terms are seen by the parties only."""

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="transfer_proposals")
    step = models.CharField(_("step"), max_length=20, choices=Step.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3)
    counterparty = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    price_eur = models.DecimalField(
        _("price (EUR)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    terms = models.TextField(_("terms"), blank=True)
    proposed_by = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    status = models.CharField(
        _("status"), max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    event = models.ForeignKey(
        LifecycleEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("transfer proposal")
        verbose_name_plural = _("transfer proposals")

    def __str__(self) -> str:
        return f"{self.lot_id} {self.step} → {self.counterparty_id} ({self.status})"


class InventoryImport(Job):
    """An inventory upload too large to parse and store within a request (more rows than
    URBANMINE_IMPORT_JOB_ROWS): parsed, validated and stored as a background job, all or
    nothing. The upload waits under VAR_DIR/imports (`file_name`) until the job ends.

    The result: `rows` valid rows of `mass_kg`, `stored` lots (`lot_codes`), and `issues`
    (the engine's errors and warnings as dicts with code and params, rendered in the
    viewer's language by `inventory_messages.issue_text`)."""

    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("asset"),
        on_delete=models.CASCADE,
        related_name="inventory_imports",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("acting organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_name = models.CharField(_("file name"), max_length=255)
    #: the upload under VAR_DIR/imports while the job has not ended; "" once removed
    file_name = models.CharField(max_length=64, blank=True, editable=False)
    column_map = models.JSONField(default=dict, blank=True)
    dry_run = models.BooleanField(_("check only"), default=False)
    rows = models.PositiveIntegerField(_("valid rows"), default=0)
    mass_kg = models.FloatField(_("mass (kg)"), null=True, blank=True)
    stored = models.PositiveIntegerField(_("lots stored"), default=0)
    lot_codes = models.JSONField(default=list, blank=True)
    issues = models.JSONField(default=dict, blank=True)  # {"errors": [...], "warnings": [...]}

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("inventory import")
        verbose_name_plural = _("inventory imports")

    def __str__(self) -> str:
        return f"import {self.pk} {self.source_name} {self.status}"
