from django import forms
from django.utils.translation import gettext_lazy as _

from urbanmine.core.forms import DecimalNumberField, NumberField
from urbanmine.organisations.models import Organisation

from .models import Asset, GrantRole, InterventionKind, UseType
from .services import GRANT_NEEDS_ROLE


class AssetForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    scope = forms.ChoiceField(
        label=_("Scope"), choices=[("bu", _("B&U (building)")), ("gww", _("GWW (infrastructure)"))]
    )
    use_type = forms.ChoiceField(label=_("Use type"), choices=UseType.choices)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    lat = NumberField(label=_("Latitude (WGS84)"), required=False)
    lon = NumberField(label=_("Longitude (WGS84)"), required=False)
    rd_x = NumberField(label=_("or RD New x (m)"), required=False)
    rd_y = NumberField(label=_("RD New y (m)"), required=False)
    construction_year = forms.IntegerField(
        label=_("Construction year"), required=False, min_value=1000
    )
    floor_area_m2 = DecimalNumberField(
        label=_("Floor area (m²)"), required=False, min_value=0, decimal_places=1
    )
    length_m = DecimalNumberField(
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


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=InterventionKind.choices)
    planned_start = forms.DateField(
        label=_("Planned start"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    planned_end = forms.DateField(
        label=_("Planned end"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class AssetGrantForm(forms.Form):
    """The owner lets an organisation in on the asset (issue #13)."""

    organisation: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )
    role = forms.ChoiceField(label=_("Role"), choices=GrantRole.choices)
    starts_on = forms.DateField(
        label=_("Valid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("Valid until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    also_for = forms.ModelMultipleChoiceField(
        label=_("Also on these assets of yours (a whole project at once)"),
        queryset=Asset.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, asset, **kwargs):
        super().__init__(*args, **kwargs)
        also = self.fields["also_for"]
        assert isinstance(also, forms.ModelMultipleChoiceField)
        also.queryset = (
            Asset.objects.filter(owner_id=asset.owner_id).exclude(pk=asset.pk).order_by("name")
        )
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Organisation.objects.filter(roles__role__in=list(GRANT_NEEDS_ROLE.values()))
            .exclude(pk=asset.owner_id)
            .distinct()
            .order_by("name")
        )
