"""Web forms of the tender tool: field types and labels only; ranges and rules are the
service's (`services.py`), so the web, the API and the demo refuse the same input."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from urbanmine.assets.models import Asset
from urbanmine.catalogue.models import ProductGroup
from urbanmine.engine.tenders import R_LEVELS
from urbanmine.regions.models import ZUID_HOLLAND, Municipality

from .models import Ambition, AmbitionLevel, Clause, ClauseKind, Phase

R_CHOICES = [("", "—"), *[(r, r) for r in R_LEVELS]]


def _dec(label, **kw):
    return forms.DecimalField(label=label, required=False, localize=True, **kw)


class AmbitionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    level = forms.ChoiceField(label=_("Level"), choices=AmbitionLevel.choices)
    phase = forms.ChoiceField(label=_("Phase"), choices=Phase.choices)
    year = forms.IntegerField(label=_("Year"))
    municipalities = forms.ModelMultipleChoiceField(
        label=_("Municipalities (area)"), queryset=Municipality.objects.none(), required=False
    )
    asset = forms.ModelChoiceField(
        label=_("Project (asset)"), queryset=Asset.objects.none(), required=False
    )
    parent = forms.ModelChoiceField(
        label=_("Inherits the area ambition"), queryset=Ambition.objects.none(), required=False
    )
    harvest_pct = _dec(_("Harvest percentage by mass (demolition, %)"))
    secondary_pct = _dec(_("Share of secondary materials by mass (new build, %)"))
    min_r_level = forms.ChoiceField(label=_("Minimum R-level"), choices=R_CHOICES, required=False)
    detachability_score = _dec(_("Detachability score (new build, 1–5)"))
    co2_reduction_pct = _dec(_("CO2 reduction (%)"))

    def __init__(self, *args, assets, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = Municipality.objects.filter(
            province_code=ZUID_HOLLAND
        ).order_by("name")
        self.fields["asset"].queryset = assets
        self.fields["parent"].queryset = areas
        self.fields["year"].initial = timezone.localdate().year + 1


class ClauseForm(forms.Form):
    code = forms.SlugField(label=_("Code (the same code makes a new version)"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=ClauseKind.choices)
    phase = forms.ChoiceField(
        label=_("Phase"), choices=[("", _("both")), *Phase.choices], required=False
    )
    text = forms.CharField(label=_("Clause text"), widget=forms.Textarea(attrs={"rows": 5}))
    source = forms.CharField(label=_("Source (report section or public guidance)"), max_length=400)
    product_groups = forms.ModelMultipleChoiceField(
        label=_("Product groups"), queryset=ProductGroup.objects.order_by("name_nl"), required=False
    )


class TenderForm(forms.Form):
    asset = forms.ModelChoiceField(label=_("Project (asset)"), queryset=Asset.objects.none())
    phase = forms.ChoiceField(label=_("Kind of tender"), choices=Phase.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    ambition = forms.ModelChoiceField(
        label=_("Ambition"), queryset=Ambition.objects.none(), required=False
    )

    def __init__(self, *args, assets, ambitions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asset"].queryset = assets
        self.fields["ambition"].queryset = ambitions


class CriteriaForm(forms.Form):
    mass_basis_t = _dec(_("Expected mass (t)"))
    min_harvest_pct = _dec(_("Minimum harvest percentage (%)"))
    min_secondary_pct = _dec(_("Minimum share of secondary materials (%)"))
    max_resale_days = _dec(_("Maximum resale time of harvested lots (days)"))
    requires_reuse_plan = forms.BooleanField(label=_("Reuse plan required"), required=False)
    requires_inventory = forms.BooleanField(label=_("Inventory required"), required=False)
    requires_registration = forms.BooleanField(
        label=_("All lots registered on the platform"), required=False
    )
    discount_eur_per_t = _dec(_("Fictitious discount per tonne kept in use (EUR)"))
    eur_per_quality_point = _dec(_("Fictitious discount per reuse plan point (EUR)"))


class AddClauseForm(forms.Form):
    clause = forms.ModelChoiceField(label=_("Clause"), queryset=Clause.objects.none())

    def __init__(self, *args, clauses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clause"].queryset = Clause.objects.filter(pk__in=[c.pk for c in clauses])
        self.fields["clause"].label_from_instance = lambda c: f"{c.title} (v{c.version})"


class BidForm(forms.Form):
    bidder = forms.CharField(label=_("Bidder"), max_length=200)
    price_eur = _dec(_("Price (EUR, excl. VAT)"))
    harvest_pct = _dec(_("Promised harvest percentage (%)"))
    secondary_pct = _dec(_("Promised share of secondary materials (%)"))
    r_level = forms.ChoiceField(label=_("Promised R-level"), choices=R_CHOICES, required=False)
    resale_by = forms.DateField(
        label=_("Harvested lots resold by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reuse_plan_score = _dec(_("Reuse plan score (0–10)"))

    def __init__(self, *args, tender, **kwargs):
        """Only the figures the tender assesses (the service refuses the others)."""
        super().__init__(*args, **kwargs)
        drop = (
            ["secondary_pct"] if tender.phase == Phase.DEMOLITION else ["harvest_pct", "resale_by"]
        )
        if not tender.eur_per_quality_point:
            drop.append("reuse_plan_score")
        for name in drop:
            del self.fields[name]
