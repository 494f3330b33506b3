from django import forms
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.models import ProductGroup
from urbanmine.engine.impact import ALL_STEPS

STEP_LABELS = {
    "dismantling": _("dismantling"),
    "cleaning": _("cleaning"),
    "repair": _("repair"),
    "testing": _("testing"),
    "certification": _("certification"),
}


class CompareForm(forms.Form):
    product_group = forms.ModelChoiceField(
        label=_("Product group"), queryset=ProductGroup.objects.all(), to_field_name="code"
    )
    quantity = forms.FloatField(
        label=_("Quantity (units of the product group)"), min_value=0, initial=100
    )
    distance_km = forms.FloatField(
        label=_("Transport distance of the reused product (km)"), min_value=0, initial=30
    )
    quality = forms.ChoiceField(
        label=_("Condition (quality grade)"),
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
        initial="B",
    )
    steps = forms.MultipleChoiceField(
        label=_("Processing steps needed"),
        required=False,
        choices=[(s, STEP_LABELS.get(s, s)) for s in ALL_STEPS],
        initial=list(ALL_STEPS),
        widget=forms.CheckboxSelectMultiple,
    )
    storage_days = forms.FloatField(label=_("Storage (days)"), min_value=0, initial=0)
    mass_kg_per_unit = forms.FloatField(
        label=_("Mass per unit (kg; empty = catalogue)"), min_value=0, required=False
    )
    # Editable assumptions (estimates).
    new_supply_distance_km = forms.FloatField(
        label=_("Delivery distance of a new product (km)"), min_value=0, required=False
    )
    storage_eur_per_t_day = forms.FloatField(
        label=_("Storage price (EUR per t per day)"), min_value=0, required=False
    )
    purchase_eur_per_kg = forms.FloatField(
        label=_("Purchase price of the reused product (EUR/kg)"), min_value=0, required=False
    )
    discount_rate = forms.FloatField(
        label=_("Discount rate"), min_value=0, max_value=0.2, required=False
    )
