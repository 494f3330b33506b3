"""The network of the province (issue #18): its directory of member organisations with their
certifications, the covenant the members sign with yearly commitments, the province's
regional targets, and figures of other regions imported for comparison."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .indicators import INDICATOR_CHOICES, UNIT_CHOICES

YEARS = [MinValueValidator(2000), MaxValueValidator(2100)]


class CertificationScheme(models.Model):
    """A certification the data steward lists (BRL SVMS-007, KOMO, ISO 14001, VCA …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    issuer = models.CharField(_("scheme owner"), max_length=200, blank=True)
    description = models.CharField(_("what it certifies"), max_length=300, blank=True)
    url = models.URLField(_("web page"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("certification scheme")
        verbose_name_plural = _("certification schemes")

    def __str__(self) -> str:
        return self.name


class EntryStatus(models.TextChoices):
    """Joining the network: the organisation asks, the facilitator (province) decides."""

    REQUESTED = "requested", _("request to join, waiting for the province")
    MEMBER = "member", _("member of the network")
    DECLINED = "declined", _("request declined")


class DirectoryEntry(models.Model):
    """An organisation's own page in the network's directory. Published (visible to anyone)
    once the facilitator has approved its request to join."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="directory_entry",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.REQUESTED
    )
    description = models.TextField(_("about the organisation"), max_length=3000, blank=True)
    motivation = models.TextField(_("why we join the network"), max_length=1000, blank=True)
    website = models.URLField(_("website"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail address"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=30, blank=True)
    municipalities_served = models.ManyToManyField(
        "regions.Municipality",
        verbose_name=_("municipalities served"),
        blank=True,
        related_name="+",
    )
    product_groups = models.ManyToManyField(
        "catalogue.ProductGroup",
        verbose_name=_("product groups handled"),
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("asked to join at"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("directory entry")
        verbose_name_plural = _("directory entries")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def is_published(self) -> bool:
        return self.status == EntryStatus.MEMBER


class Certification(models.Model):
    """A certificate an organisation holds: its number and validity. Shown as expired from
    the day after `valid_until` (the Dutch calendar day)."""

    entry = models.ForeignKey(
        DirectoryEntry, on_delete=models.CASCADE, related_name="certifications"
    )
    scheme = models.ForeignKey(
        CertificationScheme,
        verbose_name=_("certification"),
        on_delete=models.PROTECT,
        related_name="certifications",
    )
    number = models.CharField(_("certificate number"), max_length=60)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))

    class Meta:
        ordering = ["scheme__name", "-valid_until"]
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")),
                name="certification_valid_until_after_from",
            ),
            models.UniqueConstraint(
                fields=["entry", "scheme", "number"], name="uniq_certification_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.number}"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day <= self.valid_until


class AmbitionLevel(models.TextChoices):
    """How far the covenant reaches (the report: a shared ambition as a point on the
    horizon, raised as the network gains experience)."""

    BASE = "base", _("Base: first steps, harvest and application in pilot projects")
    AMBITIOUS = "ambitious", _("Ambitious: reuse-unless in own projects and tenders")
    FRONTRUNNER = "frontrunner", _("Frontrunner: reuse as the standard, binding targets")


class Covenant(models.Model):
    """The Convenant Urban Mining: text, period and ambition level, recorded by the
    facilitator; members sign it with their own commitments per year."""

    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text of the covenant"), max_length=20000)
    start_year = models.PositiveSmallIntegerField(_("first year"), validators=YEARS)
    end_year = models.PositiveSmallIntegerField(_("last year"), validators=YEARS)
    ambition_level = models.CharField(
        _("ambition level"), max_length=12, choices=AmbitionLevel.choices
    )
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-start_year", "title"]
        verbose_name = _("covenant")
        verbose_name_plural = _("covenants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="covenant_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class Signature(models.Model):
    """An organisation (a member of the network) has signed the covenant."""

    covenant = models.ForeignKey(Covenant, on_delete=models.CASCADE, related_name="signatures")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="covenant_signatures",
    )
    signed_at = models.DateTimeField(_("signed at"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [
            models.UniqueConstraint(
                fields=["covenant", "organisation"], name="uniq_covenant_signature"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.covenant}"


class Commitment(models.Model):
    """What a signatory commits to for one year of the covenant's period, in the
    indicator's stored unit (indicators.py); progress is measured from lifecycle events."""

    signature = models.ForeignKey(Signature, on_delete=models.CASCADE, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("year"), validators=YEARS)
    indicator = models.CharField(_("indicator"), max_length=24, choices=INDICATOR_CHOICES)
    value = models.DecimalField(
        _("committed value"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["year", "indicator"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.UniqueConstraint(
                fields=["signature", "year", "indicator"], name="uniq_commitment_year"
            ),
            models.CheckConstraint(
                condition=models.Q(value__gte=0), name="commitment_value_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signature} {self.year} {self.indicator}"


class RegionalTarget(models.Model):
    """A circular target of the province for a year (e.g. 50 % secondary material in the
    demand of 2030). `value` is in the indicator's stored unit; `entered_unit` and
    `entered_value` keep what the facilitator typed."""

    indicator = models.CharField(_("indicator"), max_length=24, choices=INDICATOR_CHOICES)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEARS)
    value = models.DecimalField(
        _("target value"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    entered_value = models.DecimalField(_("value as entered"), max_digits=14, decimal_places=3)
    entered_unit = models.CharField(_("unit"), max_length=8, choices=UNIT_CHOICES)
    note = models.CharField(_("source or explanation"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("regional target")
        verbose_name_plural = _("regional targets")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="uniq_regional_target"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="target_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.year}"


class FigureImport(models.Model):
    """One CSV file of another region's published figures, loaded by the facilitator."""

    source = models.CharField(_("source"), max_length=300)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["-imported_at", "-id"]
        verbose_name = _("import of regional figures")
        verbose_name_plural = _("imports of regional figures")

    def __str__(self) -> str:
        return f"{self.source} ({self.rows})"


class RegionFigure(models.Model):
    """A published figure of a region outside the registry (another province, a
    municipality), in the indicator's stored unit, shown beside our own."""

    batch = models.ForeignKey(FigureImport, on_delete=models.CASCADE, related_name="figures")
    region = models.CharField(_("region"), max_length=120)
    indicator = models.CharField(_("indicator"), max_length=24, choices=INDICATOR_CHOICES)
    year = models.PositiveSmallIntegerField(_("year"), validators=YEARS)
    value = models.DecimalField(_("value"), max_digits=16, decimal_places=3)

    class Meta:
        ordering = ["region", "indicator", "year"]
        verbose_name = _("regional figure")
        verbose_name_plural = _("regional figures")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "region", "indicator", "year"], name="uniq_region_figure"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.indicator} {self.year}"
