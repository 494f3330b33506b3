"""Web forms of the knowledge base: field types and labels only; the rules are the
service's."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from urbanmine.assets.models import Asset
from urbanmine.catalogue.models import ProductGroup
from urbanmine.organisations.models import ChainRole, Organisation

from .models import Barrier, BarrierStatus, BarrierTheme, ExampleProject, ItemKind, Phase

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = {"rows": 4}


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("all")), *ItemKind.choices]
    )
    product_group = forms.ModelChoiceField(
        label=_("Product group"),
        required=False,
        queryset=ProductGroup.objects.order_by("name_nl"),
        empty_label=_("all"),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("all")), *ChainRole.choices]
    )
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("all")), *Phase.choices]
    )


class ItemForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ItemKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), max_length=300, required=False)
    body = forms.CharField(
        label=_("Text (Markdown)"), required=False, widget=forms.Textarea(attrs={"rows": 10})
    )
    project_name = forms.CharField(label=_("Project (case)"), max_length=200, required=False)
    reused = forms.CharField(
        label=_("What was reused (case)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    method = forms.CharField(
        label=_("How it was reused (case)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    quantities = forms.CharField(
        label=_("Quantities (case)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    costs = forms.CharField(
        label=_("Costs (case)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    conditions = forms.CharField(
        label=_("Conditions (case)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    lessons = forms.CharField(
        label=_("Lessons learnt (case)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    standard_code = forms.CharField(
        label=_("Code of the standard (guideline)"), max_length=80, required=False
    )
    link_url = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    starts_at = forms.DateTimeField(label=_("Starts at (event)"), required=False, widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends at (event)"), required=False, widget=DATETIME)
    venue = forms.CharField(label=_("Venue (event)"), max_length=200, required=False)
    capacity = forms.IntegerField(label=_("Places (event)"), required=False, min_value=1)
    product_groups = forms.ModelMultipleChoiceField(
        label=_("Product groups"), required=False, queryset=ProductGroup.objects.order_by("name_nl")
    )
    roles = forms.MultipleChoiceField(label=_("Roles"), required=False, choices=ChainRole.choices)
    phases = forms.MultipleChoiceField(label=_("Phases"), required=False, choices=Phase.choices)


class AttachmentForm(forms.Form):
    caption = forms.CharField(label=_("Caption"), max_length=200)
    file = forms.FileField(
        label=_("Photo (JPEG, PNG, WebP) or document (PDF)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("What should the author change?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StepPlanForm(forms.Form):
    product_group = forms.ModelChoiceField(
        label=_("Product group"), queryset=ProductGroup.objects.order_by("name_nl")
    )
    market = forms.CharField(label=_("Product-market combination"), max_length=200)
    summary = forms.CharField(
        label=_("Summary (Markdown)"), required=False, widget=forms.Textarea(attrs=TEXT)
    )
    assessment_guideline = forms.CharField(
        label=_("Assessment guideline (Markdown)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    known_buyers = forms.CharField(
        label=_("Known buyers"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    source = forms.CharField(label=_("Source"), max_length=300, required=False)
    is_published = forms.BooleanField(label=_("Published"), required=False)


class PlanStepForm(forms.Form):
    name = forms.CharField(label=_("Step"), max_length=200, required=False)
    role = forms.ChoiceField(
        label=_("Who"), required=False, choices=[("", "—"), *ChainRole.choices]
    )
    days = forms.DecimalField(
        label=_("Typical time (days)"), required=False, min_value=0, decimal_places=1
    )
    fixed_eur = forms.DecimalField(
        label=_("Cost per batch (EUR)"), required=False, min_value=0, decimal_places=2
    )
    eur_per_unit = forms.DecimalField(
        label=_("Cost per unit (EUR)"), required=False, min_value=0, decimal_places=2
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)


PlanStepFormSet = forms.formset_factory(PlanStepForm, extra=3, max_num=30)


class BarrierFilterForm(forms.Form):
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("all")), *BarrierTheme.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all")), *BarrierStatus.choices]
    )
    product_group = forms.ModelChoiceField(
        label=_("Product group"),
        required=False,
        queryset=ProductGroup.objects.order_by("name_nl"),
        empty_label=_("all"),
    )


class BarrierForm(forms.ModelForm):
    class Meta:
        model = Barrier
        fields = [
            "title",
            "product_group",
            "theme",
            "status",
            "owner",
            "description",
            "evidence",
            "proposal",
            "source",
            "links",
        ]
        widgets = {
            "description": forms.Textarea(attrs=TEXT),
            "evidence": forms.Textarea(attrs=TEXT),
            "proposal": forms.Textarea(attrs=TEXT),
            "links": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Organisation.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["product_group"].queryset = ProductGroup.objects.order_by("name_nl")  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExampleProjectForm(forms.ModelForm):
    assets = forms.ModelMultipleChoiceField(label=_("Assets"), queryset=Asset.objects.none())

    class Meta:
        model = ExampleProject
        fields = [
            "name",
            "assets",
            "conditions_financial",
            "conditions_organisational",
            "conditions_technical",
            "notes",
        ]
        widgets = {
            "conditions_financial": forms.Textarea(attrs=TEXT),
            "conditions_organisational": forms.Textarea(attrs=TEXT),
            "conditions_technical": forms.Textarea(attrs=TEXT),
            "notes": forms.Textarea(attrs=TEXT),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # the assets that lots came from or went into: a report needs their events
        with_lots = Q(lots__isnull=False) | Q(applied_lots__isnull=False)
        self.fields["assets"].queryset = (  # type: ignore[attr-defined]
            Asset.objects.filter(with_lots).distinct().order_by("name")
        )
