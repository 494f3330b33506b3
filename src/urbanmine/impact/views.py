import io

from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from urbanmine.catalogue.forms import unit_label
from urbanmine.catalogue.models import ProductGroup
from urbanmine.core.exports import safe_row
from urbanmine.core.forms import format_input, parse_number
from urbanmine.engine.impact import ImpactError

from . import services
from .explain import comparison_summary, explanation, factor_status, line_rows
from .forms import CompareForm

ASSUMPTION_FIELDS = services.EDITABLE_ASSUMPTIONS
FLAG_LABELS = {
    "reuse_processing_exceeds_virgin": gettext_lazy(
        "Processing for reuse emits more CO2 per kg than producing new (factor table)."
    ),
    "reuse_processing_co2_exceeds_new_production": gettext_lazy(
        "For this quantity and condition, processing emits more CO2 than new production."
    ),
    "transport_outweighs_co2_gain": gettext_lazy(
        "Transport emissions outweigh the CO2 gain of reuse."
    ),
    "virgin_factor_is_estimate": gettext_lazy("The CO2 factor of the new product is an estimate."),
    "reused_life_shorter_than_new": gettext_lazy(
        "The reused product lasts shorter than a new one; a replacement is included in the TCO."
    ),
}


def _compare(form: CompareForm):
    d = form.cleaned_data
    return services.comparison_run(
        product_group=d["product_group"].code,
        quantity=d["quantity"],
        distance_km=d["distance_km"],
        quality=d["quality"],
        steps=d["steps"],
        storage_days=d["storage_days"] or 0,
        mass_kg_per_unit=d["mass_kg_per_unit"],
        overrides={k: d.get(k) for k in ASSUMPTION_FIELDS},
    )


def _default_data() -> QueryDict:
    """The first view's input, as a person would type it (decimal commas, a percentage):
    bound, so the page opens with a verdict."""
    defaults = {
        **services.default_assumptions(),
        "product_group": "steel-beams",
        "quantity": 100,
        "distance_km": 30,
        "quality": "B",
        "storage_days": 0,
    }
    data = QueryDict(mutable=True)
    for name, value in defaults.items():
        data[name] = CompareForm.base_fields[name].prepare_value(value)
    data.setlist("steps", list(services.ALL_STEPS))
    return data


def compare(request):
    """The reuse-or-new decision tool (public: it uses only cited factors, no private data).

    Invalid input clears the verdict and shows each error next to its field: the htmx
    fragment swaps the result and, out of band, every field's error and the quantity's
    unit. It answers 200 to htmx (htmx swaps no 4xx answer, which left the old verdict on
    screen), 400 to a plain request."""
    data = request.GET if "product_group" in request.GET else _default_data()
    form = CompareForm(data)
    result = None
    if form.is_valid():
        try:
            result = _compare(form)
        except ImpactError as e:  # the engine's English reason, said in the interface's words
            if e.field == "product_group":
                form.add_error("product_group", _("No factors are known for this product group."))
            elif e.field in form.fields:
                form.add_error(e.field, _("This value cannot be used in the comparison."))
            else:
                form.add_error(None, _("The comparison cannot be made with these assumptions."))
            result = None
    if result is not None and request.GET.get("format") == "xlsx":
        return _xlsx(result, form.cleaned_data)
    group = ProductGroup.objects.filter(code=data.get("product_group")).first()
    context = {
        "form": form,
        "result": result,
        "flags": (
            flag_texts(result.flags)
            + services.processing_notes(
                product_group=form.cleaned_data["product_group"].code,
                quantity=float(form.cleaned_data["quantity"]),
            )
            if result is not None
            else []
        ),
        "summary": comparison_summary(result) if result is not None else "",
        "lines": _lines(result, group) if result is not None else [],
        "errors": [
            (form.fields[name].label if name in form.fields else "", errs)
            for name, errs in form.errors.items()
        ],
        "quantity_unit": unit_label(group.unit) if group else "",
        "partial": bool(request.htmx),
        "query": request.GET.urlencode(),
    }
    template = "impact/_compare_result.html" if request.htmx else "impact/compare.html"
    status = 400 if form.errors and not request.htmx else 200
    return render(request, template, context, status=status)


def _lines(result, group) -> list[dict]:
    name = group.name if group else ""
    return [
        *line_rows(result.co2_lines_reuse, "reuse", name),
        *line_rows(result.co2_lines_new, "new", name),
        *line_rows(result.cost_lines_reuse, "reuse", name),
        *line_rows(result.cost_lines_new, "new", name),
    ]


def flag_texts(flags) -> list[str]:
    """The engine's warning codes as sentences in the interface's language."""
    return [str(FLAG_LABELS.get(code, code)) for code in flags]


def _xlsx(result, cleaned) -> HttpResponse:
    from openpyxl import Workbook

    from urbanmine.core.exports import safe_row  # text cells never run as formulas

    wb = Workbook()
    ws = wb.active
    ws.title = "Vergelijking"
    d = result.to_dict()
    ws.append(safe_row(["urbanmine — hergebruik of nieuw / reuse or new"]))
    ws.append(safe_row([_("Verdict"), d["summary"]]))
    for key in (
        "product_group",
        "quantity",
        "mass_kg",
        "distance_km",
        "quality",
        "storage_days",
        "horizon_years",
        "co2_new_kg",
        "co2_reuse_kg",
        "co2_saving_kg",
        "co2_avoided_kg",
        "first_cost_new_eur",
        "first_cost_reuse_eur",
        "tco_new_eur",
        "tco_reuse_eur",
        "verdict",
    ):
        ws.append(safe_row([key, d[key]]))
    ws.append([])
    ws.append(safe_row(["line", "option", "value", "unit", "source", "status"]))
    for option, key in (
        ("reuse", "cost_lines_reuse"),
        ("new", "cost_lines_new"),
        ("reuse", "co2_lines_reuse"),
        ("new", "co2_lines_new"),
    ):
        for line in d.get(key, []):
            ws.append(
                safe_row(
                    [
                        line["name"],
                        option,
                        line["value"],
                        line["unit"],
                        line["source"],
                        line["status"],
                    ]
                )
            )
    ws2 = wb.create_sheet("Aannames")
    for k, v in cleaned.items():
        ws2.append(
            safe_row([k, getattr(v, "code", v) if not isinstance(v, list) else ", ".join(v)])
        )
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(
        buf.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = (
        f'attachment; filename="hergebruik-of-nieuw-{d["product_group"]}.xlsx"'
    )
    return response


WEIGHT_LABELS = {
    "impact": gettext_lazy("weight: environmental gain"),
    "ease": gettext_lazy("weight: ease of processing"),
    "gain_per_tonne": gettext_lazy("gain per tonne"),
    "total_potential": gettext_lazy("total potential in the stock"),
    "price_value": gettext_lazy("price avoided"),
    "standardisation": gettext_lazy("standardisation"),
    "detachability": gettext_lazy("detachability"),
    "testing": gettext_lazy("little testing"),
    "market_readiness": gettext_lazy("market readiness"),
}


def weight_error(e: ImpactError) -> str:
    """The ranking's refusal of the weights in words, naming the weight by its label."""
    label = WEIGHT_LABELS.get(e.field, e.field)
    if e.field in ("impact", "gain_per_tonne", "standardisation") and "zero" in str(e):
        return _("%(f)s: the weights of a group cannot all be zero.") % {"f": label}
    return _("%(f)s: a weight must be zero or more.") % {"f": label}


def top10(request):
    """Top 10 secondary product groups per scope, weights visible and adjustable."""
    scope = request.GET.get("scope", "bu") if request.GET.get("scope") in ("gww", "bu") else "bu"
    defaults = services.weight_fields()
    weights, errors = {}, []
    for name, default in defaults.items():
        raw = request.GET.get(name, "")
        if raw == "":
            weights[name] = default
            continue
        try:
            weights[name] = float(parse_number(raw))
        except ValueError:
            errors.append(
                _("%(f)s: “%(v)s” is not a number.")
                % {"f": WEIGHT_LABELS.get(name, name), "v": raw}
            )
            weights[name] = default
    ranked = []
    try:
        ranked = services.top10(scope=scope, weights=weights)
    except ImpactError as e:
        errors.append(weight_error(e))
    if request.GET.get("format") == "csv":
        import csv

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="top10-{scope}.csv"'
        w = csv.writer(response)
        w.writerow(
            [
                "rank",
                "code",
                "name",
                "gain_kg_per_t",
                "impact_score",
                "ease_score",
                "score",
                "explanation",
            ]
        )
        for r in ranked:
            w.writerow(
                safe_row(
                    [
                        r.rank,
                        r.code,
                        r.name_nl,
                        round(r.gain_kg_per_t, 1),
                        round(r.impact_score, 3),
                        round(r.ease_score, 3),
                        round(r.score, 3),
                        explanation(r),
                    ]
                )
            )
        return response
    processing = services.processing_by_code()
    context = {
        "scope": scope,
        "rows": [(r, explanation(r), factor_status(r.status)) for r in ranked],
        "processing": processing,
        "weight_rows": [
            (name, WEIGHT_LABELS.get(name, name), format_input(weights[name])) for name in defaults
        ],
        "errors": errors,
        "query": request.GET.urlencode(),
    }
    return render(request, "impact/top10.html", context, status=400 if errors else 200)
