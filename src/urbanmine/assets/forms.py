from django import forms
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import ProductGroup, Unit
from urbanmine.lots.models import Quality

from .models import UseType


class AssetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=[("bu", _("B&U (building)")), ("gww", _("GWW (infrastructure)"))]
    )
    use_type = forms.ChoiceField(label=_("Use type"), choices=UseType.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = forms.FloatField(label=_("Latitude (WGS84)"), required=False)
    lon = forms.FloatField(label=_("Longitude (WGS84)"), required=False)
    rd_x = forms.FloatField(label=_("or RD New x (m)"), required=False)
    rd_y = forms.FloatField(label=_("RD New y (m)"), required=False)
    construction_year = forms.IntegerField(
        label=_("Construction year"), required=False, min_value=1000
    )
    floor_area_m2 = forms.DecimalField(
        label=_("Floor area (m²)"), required=False, min_value=0, decimal_places=1
    )
    length_m = forms.DecimalField(
        label=_("Length (m)"), required=False, min_value=0, decimal_places=1
    )

    def clean(self):
        data = super().clean()
        has_wgs = data.get("lat") is not None and data.get("lon") is not None
        has_rd = data.get("rd_x") is not None and data.get("rd_y") is not None
        if not has_wgs and not has_rd:
            raise forms.ValidationError(
                _("Give the location as latitude/longitude or as RD New x/y.")
            )
        return data


class LotIdentifyForm(forms.Form):
    product_group = forms.ModelChoiceField(
        label=_("Product group"), queryset=ProductGroup.objects.all(), to_field_name="code"
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.DecimalField(label=_("Quantity"), decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    mass_kg_per_unit = forms.DecimalField(
        label=_("Mass per unit (kg)"), decimal_places=3, min_value=0
    )
    quality = forms.ChoiceField(label=_("Quality grade"), choices=Quality.choices)
    has_asbestos = forms.BooleanField(label=_("Contains asbestos"), required=False)
    has_chromium6 = forms.BooleanField(label=_("Contains chromium-6"), required=False)
    has_other_hazard = forms.BooleanField(label=_("Other hazardous substances"), required=False)
    expected_release_date = forms.DateField(
        label=_("Expected release date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
