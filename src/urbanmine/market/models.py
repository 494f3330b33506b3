"""Demand: what destination projects need (matching and proposals build on this)."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import Unit
from urbanmine.lots.models import Quality


class DemandStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTIAL = "partial", _("Partially matched")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class DemandRequest(models.Model):
    project = models.ForeignKey(
        "assets.Asset",
        verbose_name=_("destination project"),
        on_delete=models.PROTECT,
        related_name="demand_requests",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("buyer"),
        on_delete=models.PROTECT,
        related_name="demand_requests",
    )
    product_group = models.ForeignKey(
        "catalogue.ProductGroup",
        verbose_name=_("product group"),
        on_delete=models.PROTECT,
        related_name="demand_requests",
    )
    quantity = models.DecimalField(
        _("quantity"), max_digits=14, decimal_places=3, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    min_quality = models.CharField(_("minimum quality"), max_length=1, choices=Quality.choices)
    window_start = models.DateField(_("needed from"))
    window_end = models.DateField(_("needed until"))
    max_distance_km = models.PositiveIntegerField(_("maximum transport distance (km)"), default=50)
    status = models.CharField(
        _("status"), max_length=10, choices=DemandStatus.choices, default=DemandStatus.OPEN
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["window_start", "id"]
        verbose_name = _("demand request")
        verbose_name_plural = _("demand requests")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="demand_window_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="demand_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_group} × {self.quantity} → {self.project}"
