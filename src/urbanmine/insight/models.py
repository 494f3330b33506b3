"""Forecast scenarios of the province and their stored results (computed as jobs)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from urbanmine.core.models import Job
from urbanmine.engine.forecast import ScenarioParams


class Scenario(models.Model):
    """A named set of forecast parameters (lifetimes, reuse share, construction programme)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scenarios",
    )
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    is_reference = models.BooleanField(
        _("reference scenario"),
        default=False,
        help_text=_("The scenario the public dashboard shows."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_reference", "name"]
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        constraints = [
            models.UniqueConstraint(
                fields=["is_reference"],
                condition=models.Q(is_reference=True),
                name="one_reference_scenario",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def parsed(self) -> ScenarioParams:
        return ScenarioParams.from_json(self.params)


class ForecastResult(Job):
    """One forecast run of a scenario over the registered stock: a job with progress and,
    when done, the arrays (kg) indexed [year][municipality][material] as nested JSON lists."""

    scenario = models.ForeignKey(Scenario, on_delete=models.CASCADE, related_name="results")
    params = models.JSONField(_("parameters used"), default=dict, blank=True)
    start_year = models.PositiveSmallIntegerField(default=0)
    end_year = models.PositiveSmallIntegerField(default=0)
    municipality_codes = models.JSONField(default=list, blank=True)
    materials = models.JSONField(default=list, blank=True)
    demolition_kg = models.JSONField(default=list, blank=True)
    renovation_kg = models.JSONField(default=list, blank=True)
    demand_kg = models.JSONField(default=list, blank=True)
    stock_mass_kg = models.JSONField(default=list, blank=True)  # [municipality][material]
    stats = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("forecast result")
        verbose_name_plural = _("forecast results")
        indexes = [models.Index(fields=["scenario", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.scenario} #{self.pk} {self.status}"
