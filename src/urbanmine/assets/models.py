"""Assets: buildings (B&U) and infrastructure / public-space objects (GWW) — the material
banks — with their planned interventions. Their passport is the set of lots in them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import Scope
from urbanmine.core.documents import document_storage, permit_upload_to
from urbanmine.engine.forecast.tables import USE_TYPES


class UseType(models.TextChoices):
    HOUSE = "house", _("Single-family house")
    APARTMENT = "apartment", _("Apartment building")
    OFFICE = "office", _("Office")
    RETAIL = "retail", _("Retail")
    EDUCATION = "education", _("Education")
    HEALTHCARE = "healthcare", _("Healthcare")
    INDUSTRIAL = "industrial", _("Industrial")
    OTHER = "other", _("Other building")
    ROAD = "road", _("Road")
    BRIDGE = "bridge", _("Bridge or viaduct")
    QUAY = "quay", _("Quay wall or bank protection")
    PUBLIC_SPACE = "public_space", _("Public space")


# The building use types the forecast engine knows (the others are GWW objects).
BUILDING_USE_TYPES = set(USE_TYPES)


class Asset(models.Model):
    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(
        _("scope"), max_length=4, choices=[(Scope.BU, Scope.BU.label), (Scope.GWW, Scope.GWW.label)]
    )
    use_type = models.CharField(_("use type"), max_length=16, choices=UseType.choices)
    owner = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="assets",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS84)"))
    lon = models.FloatField(_("longitude (WGS84)"))
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="assets",
    )
    construction_year = models.PositiveSmallIntegerField(
        _("construction year"), null=True, blank=True
    )
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    length_m = models.DecimalField(
        _("length (m)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    area_m2 = models.DecimalField(
        _("surface area (m²)"), max_digits=12, decimal_places=1, null=True, blank=True
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    # The BAG pand identification (16 digits) of a building registered from the BAG
    # (`urbanmine import-bag`); a re-import updates the asset with the same id (ADR 0006).
    bag_id = models.CharField(
        _("BAG building id"), max_length=16, unique=True, null=True, blank=True, default=None
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        indexes = [models.Index(fields=["municipality", "use_type"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.scope == Scope.BU and self.use_type not in BUILDING_USE_TYPES:
            raise ValidationError({"use_type": _("A building (B&U) needs a building use type.")})
        if self.scope == Scope.GWW and self.use_type in BUILDING_USE_TYPES:
            raise ValidationError(
                {"use_type": _("An infrastructure object (GWW) needs a GWW use type.")}
            )


class PassportEstimate(models.Model):
    """A material passport *estimated* from the building's floor area × the material
    intensity of its use type and construction year (`data/material_intensity_nl.csv`), made
    by the BAG import. It is not an inventory: it holds no lots, is never offered as supply,
    and an inventory replaces it (once lots are identified in the asset, the passport and the
    forecast use them and show the estimate as superseded). ADR 0006."""

    asset = models.OneToOneField(
        Asset, on_delete=models.CASCADE, related_name="passport_estimate", primary_key=True
    )
    materials_kg = models.JSONField(_("estimated mass per material (kg)"))
    total_kg = models.FloatField(_("estimated total mass (kg)"))
    basis = models.CharField(_("basis of the estimate"), max_length=200)
    source = models.CharField(_("source"), max_length=300)
    updated_at = models.DateTimeField(_("estimated at"))

    class Meta:
        verbose_name = _("estimated passport")
        verbose_name_plural = _("estimated passports")

    def __str__(self) -> str:
        return f"{self.asset_id}: {self.total_kg / 1000:.1f} t (estimate)"


class InterventionKind(models.TextChoices):
    DEMOLITION = "demolition", _("Demolition")
    RENOVATION = "renovation", _("Renovation")
    MAINTENANCE = "maintenance", _("Maintenance")


class PlannedIntervention(models.Model):
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="interventions")
    kind = models.CharField(_("kind"), max_length=16, choices=InterventionKind.choices)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["planned_start"]
        verbose_name = _("planned intervention")
        verbose_name_plural = _("planned interventions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_end__gte=models.F("planned_start")),
                name="intervention_dates_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.asset} {self.planned_start}"

    def clean(self) -> None:
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            raise ValidationError({"planned_end": _("The end date lies before the start date.")})


class PermitStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    GRANTED = "granted", _("granted")
    GRANTED_WITH_CONDITIONS = "conditions", _("granted with conditions")
    REFUSED = "refused", _("refused")


class PermitDecision(models.Model):
    """The permit authority's decision on a project that applies secondary materials
    (issue #14). Decisions are added, never changed: the latest one holds. Lots are not
    applied in a project whose permit was refused."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("project"), on_delete=models.PROTECT, related_name="permits"
    )
    authority = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("permit authority"),
        on_delete=models.PROTECT,
        related_name="permit_decisions",
    )
    status = models.CharField(_("decision"), max_length=12, choices=PermitStatus.choices)
    conditions = models.TextField(_("conditions"), blank=True)
    case_number = models.CharField(_("case number (Omgevingsloket)"), max_length=40, blank=True)
    document = models.FileField(
        _("decision (PDF)"),
        storage=document_storage,
        upload_to=permit_upload_to,
        blank=True,
        max_length=120,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("permit decision")
        verbose_name_plural = _("permit decisions")

    def __str__(self) -> str:
        return f"{self.asset_id} {self.status} {self.decided_at:%Y-%m-%d}"


class GrantRole(models.TextChoices):
    """What an owner lets another organisation do on an asset (issue #13)."""

    INVENTORISER = "inventoriser", _("Inventoriser: add lots and import inventories")
    DEMOLISHER = "demolisher", _("Demolisher: harvest the lots")
    DESIGNER = "designer", _("Designer: read the passport")
    BUILDER = "builder", _("Builder: read the passport")
    PERMIT_AUTHORITY = "permit_authority", _("Permit authority: read the passport")
    PUBLISHER = "publisher", _("Publisher: review and publish draft lots")


class AssetGrant(models.Model):
    """The owner lets an organisation in on one asset, in a role, for a period. Grants are
    never deleted: a revocation is recorded on the grant, and both show in the asset's
    access history."""

    asset = models.ForeignKey(
        Asset, verbose_name=_("asset"), on_delete=models.PROTECT, related_name="grants"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="asset_grants",
    )
    role = models.CharField(_("role"), max_length=16, choices=GrantRole.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"))
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-granted_at", "-id"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="asset_grant_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["organisation", "role"])]

    def __str__(self) -> str:
        return f"{self.asset_id} → {self.organisation_id} ({self.role})"

    @property
    def live(self) -> bool:
        return self.is_active(timezone.localdate())

    @property
    def pending(self) -> bool:
        return self.revoked_at is None and self.starts_on > timezone.localdate()

    def is_active(self, day) -> bool:
        return (
            self.revoked_at is None
            and self.starts_on <= day
            and (self.ends_on is None or self.ends_on >= day)
        )
