from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from urbanmine.assets.models import Asset
from urbanmine.assets.permissions import projects_of
from urbanmine.catalogue.forms import ProductGroupField
from urbanmine.catalogue.models import Unit
from urbanmine.core.documents import validate_pdf
from urbanmine.core.formatting import sort_key
from urbanmine.core.forms import DecimalNumberField
from urbanmine.hubs.models import Hub
from urbanmine.organisations.models import ChainRole, Organisation

from .lifecycle import Step, allowed_steps
from .models import ExitRoute, Quality, RStrategy
from .selectors import SUPPLY_SORTS


class RecordStepForm(forms.Form):
    step = forms.ChoiceField(label=_("Process step"))
    occurred_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    quantity = DecimalNumberField(
        label=_("Quantity"),
        required=False,
        min_value=0,
        decimal_places=3,
        help_text=_("Leave empty for the whole lot; less splits the lot."),
    )
    hub = forms.ModelChoiceField(
        label=_("Hub (destination)"), queryset=Hub.objects.none(), required=False
    )
    target_asset = forms.ModelChoiceField(
        label=_("Applied in asset"), queryset=Asset.objects.none(), required=False
    )
    counterparty = forms.ModelChoiceField(
        label=_("Takes over (buyer, new owner or custodian)"),
        queryset=Organisation.objects.none(),
        required=False,
    )
    passed = forms.TypedChoiceField(
        label=_("Inspection result"),
        required=False,
        choices=[("", "—"), ("1", _("passed")), ("0", _("failed"))],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    certificate_number = forms.CharField(
        label=_("Certificate number"), required=False, max_length=60
    )
    r_strategy = forms.ChoiceField(
        label=_("R-strategy realised"), required=False, choices=[("", "—"), *RStrategy.choices]
    )
    exit_route = forms.ChoiceField(
        label=_("Exit route"), required=False, choices=[("", "—"), *ExitRoute.choices]
    )
    price_eur = DecimalNumberField(
        label=_("Price (EUR, seen by the parties only)"),
        required=False,
        min_value=0,
        max_value=99999999999,
        decimal_places=2,
    )
    cost_eur = forms.DecimalField(
        label=_("Cost of this step (EUR, optional)"),
        required=False,
        min_value=0,
        max_value=99999999999,
        decimal_places=2,
    )
    revenue_eur = forms.DecimalField(
        label=_("Revenue of this step (EUR, optional)"),
        required=False,
        min_value=0,
        max_value=99999999999,
        decimal_places=2,
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lot, user=None, only_steps=None, **kwargs):
        """`only_steps`: the steps this user may record (a certifier: quality control)."""
        super().__init__(*args, **kwargs)
        steps = allowed_steps(lot.status, hazardous=lot.is_hazardous)
        if only_steps is not None:
            steps = [s for s in steps if s in only_steps]
        self.fields["step"].choices = [(s, Step(s).label) for s in steps]
        self.fields["hub"].queryset = Hub.objects.order_by("name")
        # A lot is applied in a project of the acting organisation (not shown: others' assets).
        self.fields["target_asset"].queryset = projects_of(user).order_by("name").only("id", "name")
        self.fields["counterparty"].queryset = Organisation.objects.order_by("name")
        if only_steps is not None and set(only_steps) == {Step.QUALITY_CONTROL}:
            # an inspection: only its own fields
            for name in (
                "quantity",
                "hub",
                "target_asset",
                "counterparty",
                "r_strategy",
                "price_eur",
                "exit_route",
                "revenue_eur",
            ):
                del self.fields[name]


def certifiers_for(lot) -> QuerySet[Organisation]:
    """Certifiers that may inspect this lot: the role, and neither its owner nor custodian."""
    return (
        Organisation.objects.filter(roles__role=ChainRole.CERTIFIER)
        .exclude(pk__in=[lot.owner_id, lot.custodian_id])
        .order_by("name")
        .distinct()
    )


class EngageCertifierForm(forms.Form):
    """The owner or custodian asks a certifier to inspect the lot."""

    certifier = forms.ModelChoiceField(label=_("Certifier"), queryset=Organisation.objects.none())

    def __init__(self, *args, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["certifier"].queryset = certifiers_for(lot)


class ProposeTransferForm(forms.Form):
    """The custodian proposes a sale (or ownership change) that the owner accepts."""

    step = forms.ChoiceField(
        label=_("Proposal"),
        choices=[(Step.SALE, _("Sale")), (Step.OWNERSHIP_CHANGE, _("Ownership change"))],
    )
    counterparty = forms.ModelChoiceField(
        label=_("To (buyer or new owner)"), queryset=Organisation.objects.none()
    )
    quantity = DecimalNumberField(
        label=_("Quantity"),
        required=False,
        min_value=0,
        decimal_places=3,
        help_text=_("Leave empty for the whole lot."),
    )
    price_eur = DecimalNumberField(
        label=_("Price (EUR)"), required=False, min_value=0, max_value=99999999999, decimal_places=2
    )
    terms = forms.CharField(
        label=_("Terms"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counterparty"].queryset = Organisation.objects.exclude(
            pk=lot.owner_id
        ).order_by("name")


#: the supply list's sort keys, ascending and descending (lots/selectors.SUPPLY_SORTS)
SORT_CHOICES = [("", "")] + [(k, k) for key in SUPPLY_SORTS for k in (key, f"-{key}")]


class SupplyFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("code, description or product group")}
        ),
    )
    product_group = forms.ChoiceField(label=_("Product group"), required=False)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    quality = forms.ChoiceField(
        label=_("Minimum quality"),
        required=False,
        choices=[("", _("any")), ("A", "A"), ("B", _("B or better")), ("C", _("C or better"))],
    )
    available_by = forms.DateField(
        label=_("Available by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    sort = forms.ChoiceField(required=False, widget=forms.HiddenInput, choices=SORT_CHOICES)

    def __init__(self, *args, groups, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        by_name = sorted(((g.code, str(g.name)) for g in groups), key=lambda c: sort_key(c[1]))
        self.fields["product_group"].choices = [("", _("all")), *by_name]
        self.fields["municipality"].choices = [("", _("all"))] + sorted(
            ((m.code, m.name) for m in municipalities), key=lambda c: sort_key(c[1])
        )


class LotIdentifyForm(forms.Form):
    """A new passport line (identification); `services.lot_identify` takes its data."""

    product_group = ProductGroupField(label=_("Product group"))
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = DecimalNumberField(label=_("Quantity"), decimal_places=3)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    mass_kg_per_unit = DecimalNumberField(
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


# ------------------------------------------------------------------ one form per step
class Destination:
    HUB = "hub"
    ON_SITE = "on_site"
    IN_TRANSIT = "in_transit"


#: step -> the fields its form shows (issue #14: one clear form per step)
STEP_FIELDS: dict[str, list[str]] = {
    Step.INVENTORY: ["occurred_on", "notes"],
    Step.DISMANTLING: [
        "destination",
        "hub",
        "quantity",
        "cost_eur",
        "revenue_eur",
        "occurred_on",
        "notes",
    ],
    Step.CONNECTION: ["counterparty", "quantity", "occurred_on", "notes"],
    Step.SORTING: ["cost_eur", "revenue_eur", "occurred_on", "notes"],
    Step.TREATMENT: ["cost_eur", "revenue_eur", "occurred_on", "notes"],
    Step.QUALITY_CONTROL: [
        "passed",
        "certificate_number",
        "valid_until",
        "certificate_document",
        "cost_eur",
        "occurred_on",
        "notes",
    ],
    Step.SALE: ["counterparty", "quantity", "price_eur", "occurred_on", "notes"],
    Step.TRANSPORT_STORAGE: [
        "destination",
        "hub",
        "quantity",
        "cost_eur",
        "revenue_eur",
        "occurred_on",
        "notes",
    ],
    Step.DESIGN: ["occurred_on", "notes"],
    Step.PERMIT: ["occurred_on", "notes"],
    Step.EXECUTION: [
        "target_asset",
        "quantity",
        "r_strategy",
        "cost_eur",
        "revenue_eur",
        "occurred_on",
        "notes",
    ],
    Step.MONITORING: ["occurred_on", "notes"],
    Step.OWNERSHIP_CHANGE: ["counterparty", "occurred_on", "notes"],
    Step.CUSTODY_CHANGE: ["counterparty", "occurred_on", "notes"],
    Step.EXIT: [
        "exit_route",
        "counterparty",
        "quantity",
        "cost_eur",
        "revenue_eur",
        "occurred_on",
        "notes",
    ],
    Step.RELEASE: ["occurred_on", "notes"],
}
#: step -> fields that must be given
STEP_REQUIRED: dict[str, set[str]] = {
    Step.DISMANTLING: {"destination"},
    Step.TRANSPORT_STORAGE: {"destination"},
    Step.CONNECTION: set(),
    Step.QUALITY_CONTROL: {"passed"},
    Step.SALE: {"counterparty"},
    Step.EXECUTION: {"target_asset"},
    Step.OWNERSHIP_CHANGE: {"counterparty"},
    Step.CUSTODY_CHANGE: {"counterparty"},
    Step.EXIT: {"exit_route", "counterparty"},
}
COUNTERPARTY_LABELS: dict[str, Any] = {
    Step.CONNECTION: _("Reserved for (leave empty for your own project)"),
    Step.SALE: _("Buyer"),
    Step.OWNERSHIP_CHANGE: _("New owner"),
    Step.CUSTODY_CHANGE: _("New custodian"),
    Step.EXIT: _("Received by (recycler, plant, landfill)"),
}


class HubChoiceField(forms.ModelChoiceField):
    """A hub with the room it has left, so the choice is made knowing it."""

    def __init__(self, *args, free_t: dict[int, float], **kwargs):
        self.free_t = free_t
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        free = number_format(self.free_t[obj.pk], 1, use_l10n=True, force_grouping=True)
        return _("%(hub)s (%(free)s t free)") % {"hub": obj.name, "free": free}


class StepForm(RecordStepForm):
    """One step's form: only that step's fields, its required ones required, and only the
    hubs that accept the lot's product group, take in from this organisation and have room."""

    destination = forms.ChoiceField(label=_("Destination"), required=False)
    valid_until = forms.DateField(
        label=_("Certificate valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    certificate_document = forms.FileField(
        label=_("Certificate or inspection report (PDF, optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def __init__(self, *args, lot, user, step: str, hubs: list[tuple], **kwargs):
        super().__init__(*args, lot=lot, user=user, only_steps=None, **kwargs)
        self.step_code = step
        keep = set(STEP_FIELDS[step])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in STEP_REQUIRED.get(step, ()):
            self.fields[name].required = True
        if "destination" in self.fields:
            choices = [(Destination.HUB, _("into a hub"))]
            if step == Step.DISMANTLING:
                choices.append((Destination.ON_SITE, _("stays on site for now")))
            choices.append((Destination.IN_TRANSIT, _("in transit (no hub yet)")))
            destination = self.fields["destination"]
            assert isinstance(destination, forms.ChoiceField)
            destination.choices = [("", "—"), *choices]
            self.fields["hub"] = HubChoiceField(
                label=_("Hub (only hubs that take this lot in and have room)"),
                queryset=Hub.objects.filter(pk__in=[h.pk for h, _free in hubs]).order_by("name"),
                required=False,
                free_t={h.pk: free for h, free in hubs},
            )
        if "counterparty" in self.fields and step in COUNTERPARTY_LABELS:
            self.fields["counterparty"].label = COUNTERPARTY_LABELS[step]
        self.order_fields(STEP_FIELDS[step])  # the step's own order: destination before hub

    def clean_certificate_document(self):
        upload = self.cleaned_data.get("certificate_document")
        if upload:
            try:
                validate_pdf(upload, "certificate_document")
            except ValidationError as e:
                raise forms.ValidationError(e.message_dict["certificate_document"]) from None
        return upload

    def clean(self):
        data = super().clean()
        if data.get("destination") == Destination.HUB and not data.get("hub"):
            self.add_error("hub", _("Choose the hub the lot goes to."))
        if data.get("destination") != Destination.HUB:
            data["hub"] = None
        return data


class TransformForm(forms.Form):
    """What the selected lots become (issue #14: a processor's transformation)."""

    product_group = ProductGroupField(label=_("New product group"), to_field_name=None)
    quantity = DecimalNumberField(label=_("Quantity (in the group's unit)"), decimal_places=3)
    mass_kg_per_unit = DecimalNumberField(
        label=_("Mass per unit (kg)"), decimal_places=3, min_value=0
    )
    quality = forms.ChoiceField(label=_("Quality grade"), choices=Quality.choices)
    r_strategy = forms.ChoiceField(
        label=_("R-strategy realised"),
        choices=[
            (r, label) for r, label in RStrategy.choices if r in ("R4", "R5", "R6", "R7", "R8")
        ],
    )
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
