"""Ambitions, the clause library, tenders with their bids, and the commitments of the
winning bid (issue #17). The numbers (inheritance, realistic targets, ranking, realisation)
are the engine's (`engine/tenders.py`); every write goes through `services.py`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urbanmine.engine.tenders import R_LEVELS

R_LEVEL_CHOICES = [(r, r) for r in R_LEVELS]


class Phase(models.TextChoices):
    DEMOLITION = "demolition", _("Demolition")
    NEW_BUILD = "new_build", _("New build")


class AmbitionLevel(models.TextChoices):
    AREA = "area", _("Area (municipalities)")
    PROJECT = "project", _("Project (one asset)")


class Ambition(models.Model):
    """A client's targets for an area (a set of municipalities) or a project (an asset),
    for one phase and year. A project ambition names the area ambition it inherits
    (`parent`) and may only tighten it."""

    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="ambitions",
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=8, choices=AmbitionLevel.choices)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    municipalities = models.ManyToManyField(
        "regions.Municipality", verbose_name=_("municipalities"), blank=True, related_name="+"
    )
    asset = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ambitions",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("inherits from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    harvest_pct = models.DecimalField(
        _("harvest percentage (by mass)"), null=True, blank=True, max_digits=5, decimal_places=1
    )
    secondary_pct = models.DecimalField(
        _("share of secondary materials (by mass)"),
        null=True,
        blank=True,
        max_digits=5,
        decimal_places=1,
    )
    min_r_level = models.CharField(
        _("minimum R-level"), max_length=2, choices=R_LEVEL_CHOICES, blank=True
    )
    detachability_score = models.DecimalField(
        _("detachability score (1–5)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    co2_reduction_pct = models.DecimalField(
        _("CO2 reduction"), null=True, blank=True, max_digits=5, decimal_places=1
    )
    #: harvest (demolition) or secondary share (new build) per product group: {code: pct}
    group_targets = models.JSONField(_("targets per product group"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-year", "name", "id"]
        verbose_name = _("ambition")
        verbose_name_plural = _("ambitions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="area", asset__isnull=True)
                | models.Q(level="project", asset__isnull=False),
                name="ambition_project_has_asset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ClauseKind(models.TextChoices):
    REQUIREMENT = "requirement", _("Requirement")
    AWARD = "award", _("Award criterion")
    FUNCTIONAL = "functional", _("Functional specification")


class Clause(models.Model):
    """A text of the clause library. Clauses are versioned: a change is a new row with the
    same code and the next version; tenders keep the version they took."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ClauseKind.choices)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, blank=True)
    text = models.TextField(_("clause text"))
    source = models.CharField(_("source"), max_length=400)
    product_groups = models.ManyToManyField(
        "catalogue.ProductGroup", verbose_name=_("product groups"), blank=True, related_name="+"
    )
    author = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clauses",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("clause")
        verbose_name_plural = _("clauses")
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_clause_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class TenderStatus(models.TextChoices):
    DRAFT = "draft", _("in preparation")
    AWARDED = "awarded", _("awarded")


class Tender(models.Model):
    """A tender annex for a demolition or construction project: requirements, award
    criteria (a fictitious discount per tonne, euros per quality point), clauses, bids."""

    asset = models.ForeignKey(
        "assets.Asset", verbose_name=_("project"), on_delete=models.PROTECT, related_name="tenders"
    )
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="tenders",
    )
    ambition = models.ForeignKey(
        Ambition,
        verbose_name=_("ambition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tenders",
    )
    title = models.CharField(_("title"), max_length=200)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    status = models.CharField(
        _("status"), max_length=8, choices=TenderStatus.choices, default=TenderStatus.DRAFT
    )
    mass_basis_t = models.DecimalField(
        _("expected mass (t)"), max_digits=12, decimal_places=1, default=0
    )
    # requirements
    min_harvest_pct = models.DecimalField(
        _("minimum harvest percentage"), null=True, blank=True, max_digits=5, decimal_places=1
    )
    min_secondary_pct = models.DecimalField(
        _("minimum share of secondary materials"),
        null=True,
        blank=True,
        max_digits=5,
        decimal_places=1,
    )
    max_resale_days = models.PositiveIntegerField(
        _("maximum resale time (days)"), null=True, blank=True
    )
    requires_reuse_plan = models.BooleanField(_("reuse plan required"), default=True)
    requires_inventory = models.BooleanField(_("inventory required"), default=True)
    requires_registration = models.BooleanField(
        _("all lots registered on the platform"), default=True
    )
    # award criteria
    discount_eur_per_t = models.DecimalField(
        _("fictitious discount per tonne (EUR)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
    )
    eur_per_quality_point = models.DecimalField(
        _("fictitious discount per quality point (EUR)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    clauses = models.ManyToManyField(Clause, through="TenderClause", related_name="tenders")
    awarded_bid = models.OneToOneField(
        "Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return self.title


class TenderClause(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="tender_clauses")
    clause = models.ForeignKey(Clause, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "clause"], name="uniq_tender_clause")
        ]

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.clause_id}"


class Bid(models.Model):
    """A bid entered by the client (bidders need not be on the platform)."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    bidder = models.CharField(_("bidder"), max_length=200)
    price_eur = models.DecimalField(_("price (EUR, excl. VAT)"), max_digits=14, decimal_places=2)
    harvest_pct = models.DecimalField(
        _("promised harvest percentage"), null=True, blank=True, max_digits=5, decimal_places=1
    )
    secondary_pct = models.DecimalField(
        _("promised share of secondary materials"),
        null=True,
        blank=True,
        max_digits=5,
        decimal_places=1,
    )
    r_level = models.CharField(
        _("promised R-level"), max_length=2, choices=R_LEVEL_CHOICES, blank=True
    )
    resale_by = models.DateField(_("harvested lots resold by"), null=True, blank=True)
    reuse_plan_score = models.DecimalField(
        _("reuse plan score (0–10)"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(_("entered at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price_eur__gte=0), name="bid_price_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bidder} ({self.tender_id})"


class Commitment(models.Model):
    """After award: the winning bid's promises, measured against the project's lots."""

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="commitment")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="commitment")
    harvest_pct = models.DecimalField(
        _("harvest percentage"), null=True, blank=True, max_digits=5, decimal_places=1
    )
    secondary_pct = models.DecimalField(
        _("share of secondary materials"), null=True, blank=True, max_digits=5, decimal_places=1
    )
    r_level = models.CharField(_("R-level"), max_length=2, choices=R_LEVEL_CHOICES, blank=True)
    resale_by = models.DateField(_("resold by"), null=True, blank=True)
    max_resale_days = models.PositiveIntegerField(
        _("maximum resale time (days)"), null=True, blank=True
    )
    committed_at = models.DateTimeField(_("committed at"))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-committed_at"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"{self.tender_id}: {self.bid.bidder}"
