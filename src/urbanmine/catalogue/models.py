"""The catalogue of product groups: what can be harvested, with the differentiation
attributes of DOMAIN.md (scope, volume & scarcity, impact, processing effort)."""

import re

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    GWW = "gww", _("GWW (infrastructure & public space)")
    BU = "bu", _("B&U (buildings)")
    BOTH = "both", _("GWW and B&U")


class BuildingLayer(models.TextChoices):
    STRUCTURE = "structure", _("Structure")
    SKIN = "skin", _("Skin")
    SERVICES = "services", _("Services")
    SPACE_PLAN = "space_plan", _("Space plan")
    SITE = "site", _("Site / public space")


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    M = "m", _("m")
    M2 = "m2", _("m²")
    M3 = "m3", _("m³")
    KG = "kg", _("kg")
    T = "t", _("t")


COUNTED_UNITS = {Unit.PIECE}


class VolumeScarcity(models.TextChoices):
    BULK = "bulk", _("bulk")
    REGULAR = "regular", _("regular")
    SCARCE = "scarce", _("scarce")


class Level(models.TextChoices):
    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class ProcessingEffort(models.TextChoices):
    EASY = "easy", _("easy")
    MODERATE = "moderate", _("moderate")
    HARD = "hard", _("hard (testing & certification)")


score = [MinValueValidator(1), MaxValueValidator(5)]


class ProductGroup(models.Model):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    scope = models.CharField(_("scope"), max_length=4, choices=Scope.choices)
    layer = models.CharField(_("building layer"), max_length=16, choices=BuildingLayer.choices)
    material = models.CharField(_("main material"), max_length=40)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    typical_mass_kg_per_unit = models.DecimalField(
        _("typical mass (kg per unit)"), max_digits=12, decimal_places=3
    )
    volume_scarcity = models.CharField(
        _("volume & scarcity"), max_length=8, choices=VolumeScarcity.choices
    )
    impact_class = models.CharField(
        _("impact of virgin alternative"), max_length=8, choices=Level.choices
    )
    processing_effort = models.CharField(
        _("processing effort"), max_length=8, choices=ProcessingEffort.choices
    )
    standardisation = models.PositiveSmallIntegerField(_("standardisation (1–5)"), validators=score)
    detachability = models.PositiveSmallIntegerField(_("detachability (1–5)"), validators=score)
    testing_burden = models.PositiveSmallIntegerField(_("testing burden (1–5)"), validators=score)
    market_readiness = models.PositiveSmallIntegerField(
        _("market readiness (1–5)"), validators=score
    )
    assessment_guideline = models.CharField(_("assessment guideline"), max_length=200, blank=True)
    # Products whose safety depends on their condition (structure, glazing, installations)
    # are sold or applied only with a passed, unexpired inspection (issue #14).
    inspection_required = models.BooleanField(_("inspection required before reuse"), default=False)
    # Product-group knowledge (issue #18): how long processing takes and the smallest batch
    # that makes a business case, with where the numbers come from (a source, or the
    # label of an estimate: data/catalogue.csv, scripts/derive_processing_estimates.py).
    typical_processing_days = models.PositiveIntegerField(
        _("typical processing time (days)"), null=True, blank=True
    )
    min_batch = models.DecimalField(
        _("minimum batch for a business case (in the unit)"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0.001)],
    )
    processing_source = models.CharField(
        _("source of processing time and minimum batch"), max_length=300, blank=True
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nl").startswith("en") else self.name_nl

    @property
    def guideline(self) -> str:
        """The assessment guideline in the active language: the standards' names as they
        are, what they check in words (`GUIDELINE_WORDS`)."""
        return guideline_label(self.assessment_guideline)


#: what the guidelines of the catalogue (data/catalogue.csv) check, in words
GUIDELINE_WORDS = {
    "cleaned reclaimed bricks": _("cleaned reclaimed bricks"),
    "visual + frost check": _("visual and frost check"),
    "structural assessment required": _("structural assessment required"),
    "recycled aggregates": _("recycled aggregates"),
    "tar-free check": _("check that it is free of tar"),
    "frames": _("frames"),
    "doors": _("doors"),
    "reuse of structural steel": _("reuse of structural steel"),
    "edge seal and U-value test": _("edge seal and U-value test"),
    "structural assessment": _("structural assessment"),
    "regrading": _("regrading"),
    "functional test and F-gas": _("functional test and F-gases"),
    "electrical safety test": _("electrical safety test"),
    "performance test": _("performance test"),
}


def guideline_label(text: str) -> str:
    """'BRL 1007 / NEN-EN 771-1 (cleaned reclaimed bricks)' with its words translated."""
    return re.sub(
        r"\(([^()]+)\)",
        lambda m: f"({GUIDELINE_WORDS[m[1]]})" if m[1] in GUIDELINE_WORDS else m[0],
        text or "",
    )


# Display names of the materials used in the catalogue and in MIR-DB's columns.
MATERIAL_LABELS = {
    "concrete": _("concrete"),
    "brick": _("brick"),
    "steel": _("steel"),
    "wood": _("wood"),
    "glass": _("glass"),
    "aluminum": _("aluminium"),
    "copper": _("copper"),
    "ceramics": _("ceramics"),
    "plastics": _("plastics"),
    "aggregates": _("aggregates"),
    "mortar_plaster": _("mortar & plaster"),
    "plaster_board_gypsum": _("gypsum / plasterboard"),
    "mineral_wool": _("mineral wool"),
    "bitumen": _("bitumen"),
    "asphalt": _("asphalt"),
    "natural_stone": _("natural stone"),
    "soil": _("soil"),
}


def material_label(code: str) -> str:
    return str(MATERIAL_LABELS.get(code, code.replace("_", " ")))
