"""Forms of the market: a buyer's demand (issue #13, item 4)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from urbanmine.assets.models import Asset
from urbanmine.assets.permissions import projects_for_demand
from urbanmine.catalogue.forms import ProductGroupField
from urbanmine.catalogue.models import Unit
from urbanmine.core.forms import DecimalNumberField
from urbanmine.lots.models import Quality


class DemandForm(forms.Form):
    """What a project needs: the service (`demand_request_create`) checks the rest."""

    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Destination project"), queryset=Asset.objects.none()
    )
    product_group = ProductGroupField(label=_("Product group"), to_field_name=None)
    quantity = DecimalNumberField(label=_("Quantity"), decimal_places=3, min_value=0)
    unit = forms.ChoiceField(
        label=_("Unit (empty: the product group's)"),
        choices=[("", "—"), *Unit.choices],
        required=False,
    )
    min_quality = forms.ChoiceField(label=_("Minimum quality"), choices=Quality.choices)
    window_start = forms.DateField(
        label=_("Needed from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_end = forms.DateField(
        label=_("Needed until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    max_distance_km = forms.IntegerField(
        label=_("Maximum transport distance (km)"), min_value=1, max_value=300, initial=50
    )
    notes = forms.CharField(
        label=_("Dimensions and performance"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, **kwargs):
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {"window_start": today + timedelta(days=30), "window_end": today + timedelta(days=120)},
        )
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for_demand(user).order_by("name")
        self.fields["min_quality"].initial = "B"

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", _("The end of the window lies before its start."))
        return data


class ReservationRequestForm(forms.Form):
    """A buyer asks the owner to reserve (part of) a lot on offer."""

    quantity = DecimalNumberField(label=_("Quantity"), decimal_places=3, min_value=0)
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("For project (optional)"), queryset=Asset.objects.none(), required=False
    )
    message = forms.CharField(
        label=_("Message to the owner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, user, lot, **kwargs):
        kwargs.setdefault("initial", {"quantity": lot.quantity.normalize()})
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for_demand(user).order_by("name")
        self.fields["quantity"].label = _("Quantity (%(unit)s, at most %(q)s)") % {
            "unit": lot.get_unit_display(),
            "q": lot.quantity.normalize(),
        }


class WantedForm(forms.Form):
    """Tell me when this is published."""

    product_group = ProductGroupField(label=_("Product group"), to_field_name=None)
    min_quality = forms.ChoiceField(label=_("Minimum quality"), choices=Quality.choices)
    project: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Near project (optional)"), queryset=Asset.objects.none(), required=False
    )
    max_distance_km = forms.IntegerField(
        label=_("Within (km)"), min_value=1, max_value=300, initial=50
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects_for_demand(user).order_by("name")
        self.fields["min_quality"].initial = "B"
