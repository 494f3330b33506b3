"""Hubs: storage locations that buffer materials in time (DOMAIN.md: five typologies).
Stock and dwell time are derived from the lots' lifecycle events, never typed in."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class HubTypology(models.TextChoices):
    RAW_MATERIALS = "raw_materials", _("Industrial raw-materials hub")
    URBAN_MINING = "urban_mining", _("Urban Mining hub")
    CRAFT_CENTRE = "craft_centre", _("Circular craft centre")
    MATERIAL_BANK = "material_bank", _("Material bank")
    PRODUCER = "producer", _("At the producer")


class ProcessingCapability(models.TextChoices):
    SORTING = "sorting", _("Selection & sorting")
    CLEANING = "cleaning", _("Treatment & cleaning")
    TESTING = "testing", _("Quality control & testing")
    CRUSHING = "crushing", _("Crushing / granulating")
    REPAIR = "repair", _("Repair & refurbishment")
    REMANUFACTURING = "remanufacturing", _("Remanufacturing")


class Hub(models.Model):
    name = models.CharField(_("name"), max_length=200)
    typology = models.CharField(_("typology"), max_length=16, choices=HubTypology.choices)
    operator = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("operator"),
        on_delete=models.PROTECT,
        related_name="hubs",
    )
    lat = models.FloatField(_("latitude (WGS84)"))
    lon = models.FloatField(_("longitude (WGS84)"))
    municipality = models.ForeignKey(
        "regions.Municipality",
        verbose_name=_("municipality"),
        on_delete=models.PROTECT,
        related_name="hubs",
    )
    capacity_m2 = models.DecimalField(
        _("capacity (m²)"), max_digits=10, decimal_places=1, validators=[MinValueValidator(0)]
    )
    capacity_t = models.DecimalField(
        _("capacity (t)"), max_digits=12, decimal_places=3, validators=[MinValueValidator(0)]
    )
    max_dwell_days = models.PositiveIntegerField(
        _("maximum dwell time (days)"), default=settings.HUB_DEFAULT_MAX_DWELL_DAYS
    )
    accepted_product_groups = models.ManyToManyField(
        "catalogue.ProductGroup",
        verbose_name=_("accepted product groups"),
        blank=True,
        help_text=_("Leave empty to accept every product group."),
    )
    processing_capabilities = models.JSONField(
        _("processing capabilities"), default=list, blank=True
    )
    is_temporary = models.BooleanField(_("temporary hub"), default=False)
    open_to_deliveries = models.BooleanField(
        _("takes in lots from other organisations"),
        default=True,
        help_text=_(
            "Off: only the operator moves lots into this hub, and matching routes nothing "
            "through it."
        ),
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")

    def __str__(self) -> str:
        return self.name

    def accepts(self, product_group) -> bool:
        accepted = list(self.accepted_product_groups.all())
        return not accepted or product_group in accepted
