from django import forms
from django.utils.translation import gettext_lazy as _

from urbanmine.catalogue.forms import ProductGroupField
from urbanmine.core.forms import NumberField, PercentField
from urbanmine.engine.impact import ALL_STEPS

STEP_LABELS = {
    "dismantling": _("dismantling"),
    "cleaning": _("cleaning"),
    "repair": _("repair"),
    "testing": _("testing"),
    "certification": _("certification"),
}


class CompareForm(forms.Form):
    product_group = ProductGroupField(label=_("Product group"))
    quantity = NumberField(label=_("Quantity"), min_value=0, initial=100)
    distance_km = NumberField(
        label=_("Transport distance of the reused product"), min_value=0, initial=30, unit="km"
    )
    quality = forms.ChoiceField(
        label=_("Condition (quality grade)"),
        choices=[("A", "A"), ("B", "B"), ("C", "C")],
        initial="B",
        help_text=_("A: as good as new; B: usable after light repair; C: needs repair."),
    )
    steps = forms.MultipleChoiceField(
        label=_("Processing steps needed"),
        required=False,
        choices=[(s, STEP_LABELS.get(s, s)) for s in ALL_STEPS],
        initial=list(ALL_STEPS),
        widget=forms.CheckboxSelectMultiple,
    )
    storage_days = NumberField(label=_("Storage"), min_value=0, initial=0, unit=_("days"))
    mass_kg_per_unit = NumberField(
        label=_("Mass per unit"),
        min_value=0,
        required=False,
        unit="kg",
        help_text=_("Leave empty to use the catalogue's typical mass of the product group."),
    )
    # Editable assumptions (estimates).
    new_supply_distance_km = NumberField(
        label=_("Delivery distance of a new product"), min_value=0, required=False, unit="km"
    )
    storage_eur_per_t_day = NumberField(
        label=_("Storage price"), min_value=0, required=False, unit=_("EUR per tonne per day")
    )
    purchase_eur_per_kg = NumberField(
        label=_("Purchase price of the reused product"),
        min_value=0,
        required=False,
        unit=_("EUR per kg"),
    )
    discount_rate = PercentField(
        label=_("Discount rate"),
        min_value=0,
        max_value=20,
        required=False,
        unit=_("% per year"),
        help_text=_(
            "How much less a euro spent later weighs than a euro spent today, per year: "
            "future costs such as a replacement are counted at their present value."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():  # the page shows each field's unit beside it
            f.unit = getattr(f, "unit", "")  # type: ignore[attr-defined]
