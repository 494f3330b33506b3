"""Pages of the province dashboard and the forecast scenarios. Thin: validate, call
selectors / services, render."""

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from urbanmine.core.formatting import sort_key
from urbanmine.core.jobs import job_reap_if_stale
from urbanmine.core.models import JobStatus
from urbanmine.engine.forecast import ScenarioParams, reference_scenario
from urbanmine.lots.models import RStrategy

from . import dashboard as dash
from . import selectors, services
from .forms import ScenarioForm
from .models import ForecastResult, Scenario
from .permissions import forecast_may_cancel, forecast_may_run, scenario_may_edit


def _ladder_rows(table) -> list[tuple[str, str, float, float]]:
    """(code, label, t, share of the largest rung) per rung of the R-ladder."""
    labels: dict[str, str] = {code: str(label) for code, label in RStrategy.choices}
    labels["dispose"] = _("Disposal (below the ladder)")
    top = max((t for _code, t in table.rows), default=0) or 1
    return [(code, labels[code], t, t / top) for code, t in table.rows]


def _csv(table: dash.Table, filename: str) -> HttpResponse:
    from urbanmine.core.exports import safe_row  # text cells never run as formulas

    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    w = csv.writer(response)
    w.writerow(safe_row(table.columns))
    for row in table.rows:
        w.writerow(safe_row("" if v is None else v for v in row))
    return response


def _scenario_from(request) -> Scenario:
    sid = request.GET.get("scenario")
    if sid:
        if not (sid.isascii() and sid.isdigit()):
            raise Http404
        return get_object_or_404(Scenario, pk=int(sid))
    return services.reference_scenario_ensure()


def dashboard(request):
    """Province view, or one municipality with ?municipality=GMxxxx. Public: aggregates only."""
    municipalities = selectors.province_municipalities()
    code = request.GET.get("municipality") or None
    municipality = next((m for m in municipalities if m.code == code), None)
    if code and municipality is None:
        raise Http404(_("Unknown municipality."))
    scenario = _scenario_from(request)
    latest = selectors.latest_result(scenario)
    if latest is None:  # the first visit fills the cache: a job computes the forecast
        latest = services.forecast_ensure(scenario)
    job_reap_if_stale(latest)  # nobody watches a dead forecast "running"
    result = latest if latest.status == JobStatus.DONE else None
    if result is None:
        result = selectors.latest_result(scenario, done_only=True)
    # The latest job unless it succeeded: running (polled), or failed / cancelled (said so).
    running = latest if latest.status != JobStatus.DONE else None

    chart = request.GET.get("chart")
    if request.GET.get("format") == "csv":
        if chart not in dash.CHARTS:
            raise Http404(_("Unknown chart."))
        tables = dash.build(
            result=result, municipality=municipality, municipalities=municipalities, charts={chart}
        )
        if chart not in tables:
            raise Http404(_("No forecast computed yet."))
        suffix = f"-{municipality.code}" if municipality else ""
        return _csv(tables[chart], f"urbanmine-{chart}{suffix}.csv")

    realised = selectors.realised_impact(municipality)
    tables = dash.build(
        result=result,
        municipality=municipality,
        municipalities=municipalities,
        realised=realised,
    )
    query = {"scenario": scenario.pk}
    if municipality:
        query["municipality"] = municipality.code
    ref = reference_scenario()
    map_values = {}
    if "municipalities" in tables:
        t = tables["municipalities"]
        map_values = dict(zip(t.column("code"), t.column("release_kt"), strict=True))
    totals = {}
    if "release-demand" in tables:
        t = tables["release-demand"]
        totals = {
            "release_kt": sum(t.column("release_kt")),
            "demand_kt": sum(t.column("demand_kt")),
            "reusable_kt": sum(t.column("reusable_kt")),
        }
    hubs = tables["hubs"]
    stats = result.stats if result else {}
    coverage = stats.get("coverage")
    demo = selectors.demo_presence()
    context = {
        "coverage": coverage,
        # DEMO marks: realised figures come from lots/events, hub figures from hubs, the
        # forecast from the baseline overridden by registered (here: demo) buildings.
        "demo": {
            "realised": demo["lots"],
            "hubs": demo["hubs"] or demo["lots"],
            "registry": bool(coverage and coverage.get("n_demo_buildings")),
        },
        "scenario": scenario,
        "params": ScenarioParams.from_json(result.params) if result else scenario.parsed,
        "scenarios": selectors.scenarios(),
        "result": result,
        "running": running,
        "may_cancel": running is not None
        and running.is_active
        and forecast_may_cancel(request.user, running),
        "municipality": municipality,
        "municipalities": sorted(municipalities, key=lambda m: sort_key(m.name)),
        "tables": tables,
        "tables_json": {k: {"columns": t.columns, "rows": t.rows} for k, t in tables.items()},
        "map_json": json.dumps(map_values),
        "totals": totals,
        "realised": realised,
        "reference": ref,
        "charts": dash.CHARTS,
        "base_query": urlencode(query),
        "ladder_rows": _ladder_rows(tables["r-ladder"]),
        "hub_alerts": sum(h[7] for h in hubs.rows),
        "hub_warnings": sum(h[6] for h in hubs.rows),
        "may_edit": scenario_may_edit(request.user),
    }
    return render(request, "insight/dashboard.html", context)


def forecast_status(request, pk):
    """Progress of a forecast job (an htmx fragment; polled every second while it runs)."""
    polled = ("status", "progress", "message", "scenario_id", "started_by_id", "created_at")
    job = ("heartbeat_at", "task_id", "cancel_requested", "worker")
    result = get_object_or_404(ForecastResult.objects.only(*polled, *job), pk=pk)
    job_reap_if_stale(result)
    response = render(
        request,
        "insight/_progress.html",
        {
            "running": result,
            "may_cancel": not result.is_finished and forecast_may_cancel(request.user, result),
        },
    )
    if result.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def forecast_run(request, pk):
    scenario = get_object_or_404(Scenario, pk=pk)
    if not forecast_may_run(request.user):
        raise PermissionDenied
    result = services.forecast_start(scenario=scenario, actor=request.user)
    messages.success(request, _("Forecast %(id)s started.") % {"id": result.pk})
    return redirect(reverse("dashboard") + "?" + urlencode({"scenario": scenario.pk}))


@login_required
@require_POST
def forecast_cancel(request, pk):
    """Stop a queued or running forecast; back to the dashboard of its scenario."""
    result = get_object_or_404(ForecastResult, pk=pk)
    if not forecast_may_cancel(request.user, result):
        raise PermissionDenied
    if services.forecast_cancel(result=result, actor=request.user):
        text = (
            _("Forecast %(id)s is cancelled.")
            if result.status == JobStatus.CANCELLED
            else _("Forecast %(id)s stops at its next step.")
        )
        messages.success(request, text % {"id": result.pk})
    else:
        messages.info(request, _("Forecast %(id)s had already ended.") % {"id": result.pk})
    return redirect(reverse("dashboard") + "?" + urlencode({"scenario": result.scenario_id}))


def scenario_list(request):
    """Saved scenarios (public read: parameters are not personal data)."""
    return render(
        request,
        "insight/scenario_list.html",
        {
            "scenarios": selectors.scenarios(),
            "may_edit": scenario_may_edit(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scenario_edit(request, pk=None):
    if not scenario_may_edit(request.user):
        raise PermissionDenied
    scenario = get_object_or_404(Scenario, pk=pk) if pk else None
    if request.method == "POST":
        form = ScenarioForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                if scenario is None:
                    scenario = services.scenario_create(
                        actor=request.user,
                        name=d["name"],
                        description=d["description"],
                        params=form.params_json(),
                    )
                else:
                    services.scenario_update(
                        actor=request.user,
                        scenario=scenario,
                        name=d["name"],
                        description=d["description"],
                        params=form.params_json(),
                    )
            except ValidationError as e:
                for field, errs in e.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                if request.POST.get("make_reference"):
                    services.scenario_make_reference(actor=request.user, scenario=scenario)
                services.forecast_start(scenario=scenario, actor=request.user)
                messages.success(request, _("Scenario saved; its forecast is being computed."))
                return redirect(reverse("dashboard") + "?" + urlencode({"scenario": scenario.pk}))
    else:
        src = scenario.parsed if scenario else ScenarioParams()
        form = ScenarioForm(
            initial=ScenarioForm.initial_from(
                scenario.name if scenario else "",
                scenario.description if scenario else "",
                src,
            )
        )
    return render(request, "insight/scenario_form.html", {"form": form, "scenario": scenario})


def scenario_compare(request):
    """Two scenarios side by side: release and demand per year in one chart and a table."""
    all_scenarios = selectors.scenarios()
    by_id = {s.pk: s for s in all_scenarios}

    def pick(key, fallback):
        v = request.GET.get(key)
        if v and v.isascii() and v.isdigit() and int(v) in by_id:
            return by_id[int(v)]
        return fallback

    a = pick("a", all_scenarios[0] if all_scenarios else None)
    b = pick("b", all_scenarios[1] if len(all_scenarios) > 1 else a)
    series = []
    for s in [a, b] if a else []:
        r = selectors.latest_result(s, done_only=True)
        if r is None:
            series.append((s, None))
            continue
        t = dash.release_demand_table(
            selectors.result_arrays(r), ScenarioParams.from_json(r.params), None
        )
        series.append((s, t))
    years = sorted({row[0] for _s, t in series if t for row in t.rows})
    columns = ["year"]
    rows = [[y] for y in years]
    for idx, (_s, t) in enumerate(series):
        tag = "a" if idx == 0 else "b"
        columns += [f"{tag}_release_kt", f"{tag}_demand_kt"]
        vals = {row[0]: (row[3], row[5]) for row in t.rows} if t else {}
        for r in rows:
            r.extend(vals.get(r[0], (None, None)))
    table = dash.Table("compare", columns, rows)
    if request.GET.get("format") == "csv":
        return _csv(table, "urbanmine-compare.csv")
    return render(
        request,
        "insight/compare.html",
        {
            "scenarios": all_scenarios,
            "a": a,
            "b": b,
            "series": series,
            "table": table,
            "table_json": {"columns": columns, "rows": rows},
            "query": urlencode({"a": a.pk if a else "", "b": b.pk if b else ""}),
            "may_edit": scenario_may_edit(request.user),
        },
    )
