"""The scenario form: one field per parameter, flattened from ScenarioParams."""

from django import forms
from django.utils.translation import gettext_lazy as _

from urbanmine.assets.models import UseType
from urbanmine.core.formatting import format_number
from urbanmine.core.forms import NumberField
from urbanmine.engine.forecast import (
    USE_TYPES,
    ScenarioParams,
    weibull_parameters,
)

from .services import baseline_stock, lifetime_table


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    start_year = forms.IntegerField(label=_("First year"), min_value=2000, max_value=2150)
    end_year = forms.IntegerField(label=_("Last year"), min_value=2000, max_value=2150)
    reuse_share_pct = NumberField(
        label=_("Reuse potential (percentage of the released mass)"),
        min_value=0,
        max_value=100,
        unit="%",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(UseType.choices)
        base = ScenarioParams()
        shape, scale = weibull_parameters(lifetime_table(), base)
        programme = baseline_stock().programme_totals()
        self.use_rows = []
        for i, u in enumerate(USE_TYPES):
            self.fields[f"programme_{u}"] = NumberField(
                label=_("%(use)s: m² built per year") % {"use": labels[u]},
                required=False,
                min_value=0,
                unit="m²",
                help_text=_("baseline: %(v)s") % {"v": format_number(programme[u])},
            )
            self.fields[f"shape_{u}"] = NumberField(
                label=_("%(use)s: spread of the demolition age (Weibull shape)")
                % {"use": labels[u]},
                required=False,
                min_value=0.01,
                help_text=_("calibrated: %(v)s") % {"v": format_number(shape[i], 2)},
            )
            self.fields[f"scale_{u}"] = NumberField(
                label=_("%(use)s: typical lifetime (Weibull scale)") % {"use": labels[u]},
                required=False,
                min_value=0.01,
                unit=_("years"),
                help_text=_("calibrated: %(v)s years") % {"v": format_number(scale[i], 1)},
            )
            self.use_rows.append(
                (labels[u], self[f"programme_{u}"], self[f"shape_{u}"], self[f"scale_{u}"])
            )

    @classmethod
    def initial_from(cls, name: str, description: str, params: ScenarioParams) -> dict:
        data = {
            "name": name,
            "description": description,
            "start_year": params.start_year,
            "end_year": params.end_year,
            "reuse_share_pct": round(params.reuse_share * 100, 4),
        }
        for u in USE_TYPES:
            data[f"programme_{u}"] = params.programme_m2.get(u)
            over = params.lifetimes.get(u, {})
            data[f"shape_{u}"] = over.get("shape")
            data[f"scale_{u}"] = over.get("scale_years")
        return data

    def clean(self):
        data = super().clean()
        if (
            data.get("start_year") is not None
            and data.get("end_year") is not None
            and data["end_year"] < data["start_year"]
        ):
            self.add_error("end_year", _("The last year lies before the first year."))
        return data

    def params_json(self) -> dict:
        d = self.cleaned_data
        lifetimes = {}
        for u in USE_TYPES:
            over = {}
            if d.get(f"shape_{u}") is not None:
                over["shape"] = d[f"shape_{u}"]
            if d.get(f"scale_{u}") is not None:
                over["scale_years"] = d[f"scale_{u}"]
            if over:
                lifetimes[u] = over
        return {
            "start_year": d["start_year"],
            "end_year": d["end_year"],
            "reuse_share": d["reuse_share_pct"] / 100,
            "lifetimes": lifetimes,
            "programme_m2": {
                u: d[f"programme_{u}"] for u in USE_TYPES if d.get(f"programme_{u}") is not None
            },
        }
