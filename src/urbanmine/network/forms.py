"""Web forms of the network: field types and labels only; the rules are the services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import ProductGroup
from urbanmine.regions.models import ZUID_HOLLAND, Municipality

from .indicators import INDICATOR_CHOICES, UNIT_CHOICES
from .models import AmbitionLevel, CertificationScheme


class ProfileForm(forms.Form):
    description = forms.CharField(
        label=_("About the organisation"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=120)
    contact_email = forms.EmailField(label=_("Contact e-mail address"), required=False)
    contact_phone = forms.CharField(label=_("Contact telephone"), required=False, max_length=30)


class JoinRequestForm(ProfileForm):
    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"), queryset=None
    )
    motivation = forms.CharField(
        label=_("Why we join the network"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        from urbanmine.organisations.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        ).order_by("name")
        self.order_fields(["organisation", "motivation"])


class EntryForm(ProfileForm):
    municipalities_served = forms.ModelMultipleChoiceField(
        label=_("Municipalities served"),
        queryset=Municipality.objects.filter(province_code=ZUID_HOLLAND).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    product_groups = forms.ModelMultipleChoiceField(
        label=_("Product groups handled"),
        queryset=ProductGroup.objects.order_by("name_nl"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class CertificationForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("Certification"), queryset=CertificationScheme.objects.order_by("name")
    )
    number = forms.CharField(label=_("Certificate number"), max_length=60)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class CovenantForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Text of the covenant"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10})
    )
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2100)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2100)
    ambition_level = forms.ChoiceField(label=_("Ambition level"), choices=AmbitionLevel.choices)


class CommitmentForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    indicator = forms.ChoiceField(label=_("Indicator"), choices=INDICATOR_CHOICES)
    value = forms.DecimalField(
        label=_("Committed value (tonnes, percent or number of hubs)"),
        min_value=0,
        max_digits=14,
        decimal_places=3,
        localize=True,
    )


class TargetForm(forms.Form):
    indicator = forms.ChoiceField(label=_("Indicator"), choices=INDICATOR_CHOICES)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    value = forms.DecimalField(
        label=_("Target value"), min_value=0, max_digits=14, decimal_places=3, localize=True
    )
    unit = forms.ChoiceField(label=_("Unit"), choices=[("", "—"), *UNIT_CHOICES], required=False)
    note = forms.CharField(label=_("Source or explanation"), required=False, max_length=300)


class FigureImportForm(forms.Form):
    source = forms.CharField(label=_("Source (publisher, publication, year)"), max_length=300)
    file = forms.FileField(label=_("CSV file"))
    dry_run = forms.BooleanField(label=_("Only check the file"), required=False)
