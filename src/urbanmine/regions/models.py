"""Municipalities (CBS codes, names, boundaries) read from the real public data files."""

from django.db import models
from django.utils.translation import gettext_lazy as _

ZUID_HOLLAND = "PV28"


class Municipality(models.Model):
    code = models.CharField(_("CBS code"), max_length=6, unique=True)  # GM0599
    name = models.CharField(_("name"), max_length=100)
    province_code = models.CharField(_("province code"), max_length=4, db_index=True)
    province_name = models.CharField(_("province"), max_length=50)
    population = models.PositiveIntegerField(_("population (1 Jan 2024)"), default=0)
    centroid_lat = models.FloatField()
    centroid_lon = models.FloatField()
    boundary_geojson = models.TextField(_("boundary (GeoJSON, simplified)"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
