"""Reads of the network (issue #18): the directory, the covenant with the progress of each
commitment, the regional targets against what the lifecycle events realised and what the
reference forecast expects, the multi-year planning per product group and the comparison per
municipality group. Every function issues a fixed, small number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, FloatField, Min, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from urbanmine.catalogue.models import ProductGroup
from urbanmine.hubs.models import Hub
from urbanmine.insight import selectors as insight
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import LifecycleEvent, Location, Lot
from urbanmine.lots.selectors import MASS, plausible_lots
from urbanmine.market.models import DemandRequest, DemandStatus
from urbanmine.organisations.models import Organisation

from .groups import municipality_groups
from .indicators import (
    APPLIED_T,
    HARVESTED_T,
    HUBS_OPENED,
    INDICATORS,
    SECONDARY_SHARE_PCT,
    progress_fraction,
)
from .models import (
    Certification,
    Commitment,
    Covenant,
    DirectoryEntry,
    EntryStatus,
    RegionalTarget,
    RegionFigure,
    Signature,
)
from .permissions import entries_visible_filter

EVENT_MASS_KG = F("quantity") * F("lot__mass_kg_per_unit")
#: the years the dashboard shows: the forecast's window and the horizons of the report
HORIZONS = (2030, 2050)


# --------------------------------------------------------------------------- directory
def directory_entries(
    viewer,
    *,
    q: str = "",
    role: str = "",
    product_group: str = "",
    municipality: str = "",
    status: str = "",
) -> QuerySet[DirectoryEntry]:
    """The entries the viewer may see, filtered, with everything a list shows prefetched
    (a fixed number of queries whatever the page size)."""
    qs = DirectoryEntry.objects.filter(entries_visible_filter(viewer)).select_related(
        "organisation__municipality"
    )
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(
            Q(organisation__name__icontains=q)
            | Q(description__icontains=q)
            | Q(product_groups__name_nl__icontains=q)
            | Q(product_groups__name_en__icontains=q)
            | Q(municipalities_served__name__icontains=q)
        )
    if role:
        qs = qs.filter(organisation__roles__role=role)
    if product_group:
        qs = qs.filter(product_groups__code=product_group)
    if municipality:
        qs = qs.filter(
            Q(municipalities_served__code=municipality)
            | Q(organisation__municipality__code=municipality)
        )
    return (
        qs.distinct()
        .order_by("organisation__name")
        .prefetch_related(
            "organisation__roles",
            "product_groups",
            "municipalities_served",
            Prefetch(
                "certifications",
                queryset=Certification.objects.select_related("scheme"),
            ),
            Prefetch(
                "organisation__hubs",
                queryset=Hub.objects.only("id", "name", "operator_id", "typology", "lat", "lon"),
            ),
        )
    )


def map_points(entries: Iterable[DirectoryEntry]) -> list[dict]:
    """One point per entry: the centre of its own municipality, else of the first
    municipality it serves, else its first hub; entries with none of these are left out
    (the table beside the map lists them)."""
    points = []
    for e in entries:
        m = e.organisation.municipality or next(iter(e.municipalities_served.all()), None)
        hubs = list(e.organisation.hubs.all())
        if m is not None:
            lat, lon = m.centroid_lat, m.centroid_lon
        elif hubs:
            lat, lon = hubs[0].lat, hubs[0].lon
        else:
            continue
        points.append({"id": e.pk, "name": e.organisation.name, "lat": lat, "lon": lon})
    return points


def pending_requests() -> list[DirectoryEntry]:
    return list(
        DirectoryEntry.objects.filter(status=EntryStatus.REQUESTED)
        .select_related("organisation", "requested_by")
        .prefetch_related("organisation__roles")
        .order_by("requested_at", "id")
    )


def certification_state(cert: Certification, today: date | None = None) -> str:
    """valid, expired or not yet valid on the Dutch calendar day."""
    today = today or timezone.localdate()
    if cert.valid_until < today:
        return "expired"
    if cert.valid_from > today:
        return "future"
    return "valid"


# --------------------------------------------------------------------------- realised
def _by_year(rows) -> dict[int, float]:
    return {int(r["y"]): float(r["v"] or 0) for r in rows if r["y"] is not None}


def _events(*, organisation_ids=None, municipality_codes=None) -> QuerySet[LifecycleEvent]:
    # a corrected step never happened (its correction event keeps the record)
    qs = LifecycleEvent.objects.filter(corrected_by__isnull=True)
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    if municipality_codes is not None:
        qs = qs.filter(lot__source_asset__municipality__code__in=municipality_codes)
    return qs


def _mass_by_org_year(qs: QuerySet[LifecycleEvent], key: str) -> dict[tuple, float]:
    rows = (
        qs.annotate(y=ExtractYear("occurred_at"))
        .values(key, "y")
        .annotate(v=Sum(EVENT_MASS_KG, output_field=FloatField()))
        .order_by()
    )
    return {(r[key], int(r["y"])): float(r["v"] or 0) for r in rows}


@dataclass
class Realised:
    """kg per (key, year) of harvest, application and exit; hubs opened per (key, year)."""

    harvested_kg: dict[tuple, float] = field(default_factory=dict)
    applied_kg: dict[tuple, float] = field(default_factory=dict)
    exited_kg: dict[tuple, float] = field(default_factory=dict)
    hubs_opened: dict[tuple, int] = field(default_factory=dict)

    def value(self, indicator: str, key, year: int, demand_kg: float | None = None) -> float | None:
        k = (key, year)
        if indicator == HARVESTED_T:
            return self.harvested_kg.get(k, 0.0) / 1000
        if indicator == APPLIED_T:
            return self.applied_kg.get(k, 0.0) / 1000
        if indicator == HUBS_OPENED:
            return float(self.hubs_opened.get(k, 0))
        applied = self.applied_kg.get(k, 0.0)
        if demand_kg is not None:  # the region: share of the demand
            return 100 * applied / demand_kg if demand_kg > 0 else None
        closed = applied + self.exited_kg.get(k, 0.0)  # an organisation: share of its routes
        return 100 * applied / closed if closed > 0 else None


def realised_by_organisation(organisation_ids: Iterable[int]) -> Realised:
    """What the organisations realised per year, from the events they recorded (4 queries):
    harvest = dismantling, applied = execution (applied again within one building life
    counts once), exit = recycling, energy recovery or disposal; hubs opened = hubs they
    operate whose first event lies in that year."""
    ids = list(organisation_ids)
    ev = _events(organisation_ids=ids)
    out = Realised(
        harvested_kg=_mass_by_org_year(ev.filter(step=Step.DISMANTLING), "organisation_id"),
        applied_kg=_mass_by_org_year(
            ev.filter(step=Step.EXECUTION).exclude(payload__has_key="credited_before"),
            "organisation_id",
        ),
        exited_kg=_mass_by_org_year(ev.filter(step=Step.EXIT), "organisation_id"),
    )
    firsts = (
        LifecycleEvent.objects.filter(hub__operator_id__in=ids)
        .values("hub_id", "hub__operator_id")
        .annotate(first=Min("occurred_at"))
        .order_by()
    )
    opened: dict[tuple, int] = defaultdict(int)
    for r in firsts:
        opened[(r["hub__operator_id"], timezone.localtime(r["first"]).year)] += 1
    out.hubs_opened = dict(opened)
    return out


def realised_by_region(groups: dict[str, tuple[str, ...] | None]) -> Realised:
    """What was realised per year in each region (key: region code, value: its municipality
    codes, None for the whole registry), by the municipality of the lot's source asset; hubs
    opened by the hub's municipality. A fixed number of queries (4), whatever the groups."""
    to_region: dict[str, list[str]] = defaultdict(list)
    whole = [k for k, codes in groups.items() if codes is None]
    for key, codes in groups.items():
        for c in codes or ():
            to_region[c].append(key)

    def spread(per_code: dict[tuple, float]) -> dict[tuple, float]:
        out: dict[tuple, float] = defaultdict(float)
        for (code, y), v in per_code.items():
            for key in to_region.get(code, []) + whole:
                out[(key, y)] += v
        return dict(out)

    ev = _events()
    mkey = "lot__source_asset__municipality__code"
    realised = Realised(
        harvested_kg=spread(_mass_by_org_year(ev.filter(step=Step.DISMANTLING), mkey)),
        applied_kg=spread(
            _mass_by_org_year(
                ev.filter(step=Step.EXECUTION).exclude(payload__has_key="credited_before"), mkey
            )
        ),
        exited_kg=spread(_mass_by_org_year(ev.filter(step=Step.EXIT), mkey)),
    )
    firsts = (
        LifecycleEvent.objects.filter(hub__isnull=False)
        .values("hub_id", "hub__municipality__code")
        .annotate(first=Min("occurred_at"))
        .order_by()
    )
    opened: dict[tuple, float] = defaultdict(float)
    for r in firsts:
        opened[(r["hub__municipality__code"], timezone.localtime(r["first"]).year)] += 1
    realised.hubs_opened = {k: int(v) for k, v in spread(dict(opened)).items()}
    return realised


# --------------------------------------------------------------------------- forecast
@dataclass
class Forecast:
    """Per region code and year (kg): release (demolition + renovation), reusable release
    (× the scenario's reuse share) and demand, from the reference scenario's latest result."""

    years: list[int]
    release_kg: dict[tuple, float]
    reusable_kg: dict[tuple, float]
    demand_kg: dict[tuple, float]
    reuse_share: float
    computed_at: object = None

    def value(self, indicator: str, key, year: int) -> float | None:
        """The forecast's expectation for an indicator: the reusable release is what could be
        harvested and applied; its share of the demand the secondary share within reach."""
        k = (key, year)
        if k not in self.demand_kg:
            return None
        if indicator in (HARVESTED_T, APPLIED_T):
            return self.reusable_kg[k] / 1000
        if indicator == SECONDARY_SHARE_PCT:
            d = self.demand_kg[k]
            return 100 * self.reusable_kg[k] / d if d > 0 else None
        return None


def reference_forecast(groups: dict[str, tuple[str, ...] | None]) -> Forecast | None:
    """The reference scenario's latest finished forecast summed per region (None when no
    forecast has been computed yet)."""
    result = insight.latest_result(insight.reference_scenario_obj(), done_only=True)
    if result is None:
        return None
    fa = insight.result_arrays(result)
    share = float(result.params.get("reuse_share", 0.35)) if result.params else 0.35
    release = fa.release.sum(axis=2)  # [year, municipality]
    demand = fa.demand.sum(axis=2)
    codes = fa.municipality_codes
    out = Forecast([int(y) for y in fa.years], {}, {}, {}, share, result.finished_at)
    for key, members in groups.items():
        idx = [i for i, c in enumerate(codes) if members is None or c in members]
        for yi, y in enumerate(out.years):
            r = float(release[yi, idx].sum()) if idx else 0.0
            out.release_kg[(key, y)] = r
            out.reusable_kg[(key, y)] = r * share
            out.demand_kg[(key, y)] = float(demand[yi, idx].sum()) if idx else 0.0
    return out


# --------------------------------------------------------------------------- targets
PROVINCE = "PV28"


@dataclass
class TargetRow:
    indicator: str
    label: str
    unit: str
    year: int
    target: float | None
    realised: float | None
    forecast: float | None
    note: str = ""

    @property
    def progress(self) -> float | None:
        return progress_fraction(self.realised, self.target)

    @property
    def forecast_reaches(self) -> bool | None:
        if self.forecast is None or self.target is None:
            return None
        return self.forecast >= self.target


def target_years(targets: list[RegionalTarget], forecast: Forecast | None) -> list[int]:
    """Every year from the first with a target, realisation or forecast to 2050."""
    this_year = timezone.localdate().year
    first = min([this_year - 2] + [t.year for t in targets])
    last = max([HORIZONS[-1]] + [t.year for t in targets])
    return list(range(first, last + 1))


def targets_overview() -> dict:
    """Per indicator with a target: per year the target (where set), what the lifecycle
    events realised in the province, and the reference forecast's expectation (8 queries)."""
    targets = list(RegionalTarget.objects.order_by("indicator", "year"))
    groups: dict[str, tuple[str, ...] | None] = {PROVINCE: None}
    realised = realised_by_region(groups)
    forecast = reference_forecast(groups)
    years = target_years(targets, forecast)
    by_key = {(t.indicator, t.year): t for t in targets}
    indicators = [c for c in INDICATORS if any(t.indicator == c for t in targets)]
    series = {}
    this_year = timezone.localdate().year
    for code in indicators:
        ind = INDICATORS[code]
        rows = []
        for y in years:
            t = by_key.get((code, y))
            demand = forecast.demand_kg.get((PROVINCE, y)) if forecast else None
            rows.append(
                TargetRow(
                    indicator=code,
                    label=str(ind.label),
                    unit=ind.unit,
                    year=y,
                    target=float(t.value) if t else None,
                    realised=realised.value(code, PROVINCE, y, demand_kg=demand or 0.0)
                    if y <= this_year
                    else None,
                    forecast=forecast.value(code, PROVINCE, y) if forecast else None,
                    note=t.note if t else "",
                )
            )
        series[code] = rows
    return {
        "targets": targets,
        "series": series,
        "years": years,
        "forecast": forecast,
        "horizons": HORIZONS,
    }


# --------------------------------------------------------------------------- covenant
def current_covenant() -> Covenant | None:
    """The covenant whose period covers this year, else the latest."""
    y = timezone.localdate().year
    return (
        Covenant.objects.filter(start_year__lte=y, end_year__gte=y).order_by("-start_year").first()
        or Covenant.objects.order_by("-start_year", "-id").first()
    )


@dataclass
class CommitmentProgress:
    commitment: Commitment
    label: str
    unit: str
    realised: float | None

    @property
    def progress(self) -> float | None:
        return progress_fraction(self.realised, float(self.commitment.value))


def covenant_progress(covenant: Covenant) -> list[tuple[Signature, list[CommitmentProgress]]]:
    """Each signatory with its commitments and what its lifecycle events realised in each
    committed year (6 queries, whatever the number of signatories)."""
    signatures = list(
        Signature.objects.filter(covenant=covenant)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("commitments", queryset=Commitment.objects.order_by("year", "indicator"))
        )
        .order_by("organisation__name")
    )
    realised = realised_by_organisation(s.organisation_id for s in signatures)
    this_year = timezone.localdate().year
    out = []
    for s in signatures:
        lines = []
        for c in s.commitments.all():
            ind = INDICATORS[c.indicator]
            lines.append(
                CommitmentProgress(
                    c,
                    str(ind.label),
                    ind.unit,
                    realised.value(c.indicator, s.organisation_id, c.year)
                    if c.year <= this_year
                    else None,
                )
            )
        out.append((s, lines))
    return out


# --------------------------------------------------------------------------- planning
def _demand_mass_kg(quantity: float, unit: str, group: ProductGroup) -> float:
    if unit == "kg":
        return quantity
    if unit == "t":
        return quantity * 1000
    return quantity * float(group.typical_mass_kg_per_unit or 0)


def planning_by_product_group(years: int = 10) -> dict:
    """The multi-year planning: per product group and year (this year and the next
    `years - 1`), the mass expected to be released (lots still in their asset, by their
    expected release date) and the mass demanded (open demand requests, by the start of
    their window; a quantity not in kg or t is converted at the group's typical mass per
    unit). Three queries."""
    first = timezone.localdate().year
    span = list(range(first, first + years))
    release = (
        plausible_lots(
            Lot.objects.filter(
                location=Location.IN_ASSET,
                expected_release_date__year__gte=first,
                expected_release_date__year__lt=first + years,
            )
        )
        .exclude(status=Status.CLOSED)
        .annotate(y=ExtractYear("expected_release_date"))
        .values("product_group_id", "y")
        .annotate(kg=Sum(MASS))
        .order_by()
    )
    groups = {g.pk: g for g in ProductGroup.objects.order_by("name_nl")}
    supply: dict[tuple, float] = defaultdict(float)
    for r in release:
        supply[(r["product_group_id"], int(r["y"]))] += float(r["kg"] or 0)
    wanted: dict[tuple, float] = defaultdict(float)
    for d in (
        DemandRequest.objects.filter(
            status__in=[DemandStatus.OPEN, DemandStatus.PARTIAL],
            window_start__year__gte=first,
            window_start__year__lt=first + years,
        )
        .values("product_group_id", "quantity", "unit", "window_start")
        .order_by()
    ):
        g = groups[d["product_group_id"]]
        wanted[(g.pk, d["window_start"].year)] += _demand_mass_kg(
            float(d["quantity"]), d["unit"], g
        )
    rows: list[dict] = []
    for g in groups.values():
        s = [supply.get((g.pk, y), 0.0) / 1000 for y in span]
        w = [wanted.get((g.pk, y), 0.0) / 1000 for y in span]
        if any(s) or any(w):
            rows.append(
                {
                    "group": g,
                    "release_t": s,
                    "demand_t": w,
                    "total_release_t": sum(s),
                    "total_demand_t": sum(w),
                }
            )
    rows.sort(key=lambda r: -(float(r["total_release_t"]) + float(r["total_demand_t"])))
    return {"years": span, "rows": rows}


# --------------------------------------------------------------------------- comparison
COMPARED = (HARVESTED_T, APPLIED_T, SECONDARY_SHARE_PCT, HUBS_OPENED)


def regional_comparison(year: int) -> dict:
    """The same indicators for the province, each of its municipality groups and every
    imported region, for one year: realised from the events (ours) or as published (theirs),
    with our forecast's release and demand beside them. 8 queries."""
    groups: dict[str, tuple[str, ...] | None] = {PROVINCE: None}
    names = {PROVINCE: "Zuid-Holland"}
    for g in municipality_groups():
        groups[g.code] = g.municipality_codes
        names[g.code] = g.name
    realised = realised_by_region(groups)
    forecast = reference_forecast(groups)
    rows = []
    for key in groups:
        demand = forecast.demand_kg.get((key, year)) if forecast else None
        rows.append(
            {
                "code": key,
                "name": names[key],
                "ours": True,
                "values": [realised.value(c, key, year, demand_kg=demand or 0.0) for c in COMPARED],
                "release_t": forecast.release_kg.get((key, year), 0) / 1000 if forecast else None,
                "demand_t": demand / 1000 if demand is not None else None,
            }
        )
    imported: dict[str, dict[str, float]] = defaultdict(dict)
    sources: dict[str, str] = {}
    for f in (
        RegionFigure.objects.filter(year=year)
        .select_related("batch")
        .order_by("region", "indicator", "-batch__imported_at", "-batch_id")
    ):
        # the newest import of a region's figure wins
        imported[f.region].setdefault(f.indicator, float(f.value))
        sources.setdefault(f.region, f.batch.source)
    for region, values in sorted(imported.items()):
        rows.append(
            {
                "code": "",
                "name": region,
                "ours": False,
                "source": sources[region],
                "values": [values.get(c) for c in COMPARED],
                "release_t": None,
                "demand_t": None,
            }
        )
    figure_years = sorted(
        set(RegionFigure.objects.values_list("year", flat=True).distinct().order_by())
    )
    return {
        "year": year,
        "indicators": [INDICATORS[c] for c in COMPARED],
        "rows": rows,
        "figure_years": figure_years,
    }


def dashboard_counts() -> dict:
    return DirectoryEntry.objects.aggregate(
        members=Count("id", filter=Q(status=EntryStatus.MEMBER)),
        requested=Count("id", filter=Q(status=EntryStatus.REQUESTED)),
    )


def organisations_without_entry(viewer_org_ids: Iterable[int]) -> list[Organisation]:
    return list(
        Organisation.objects.filter(id__in=list(viewer_org_ids))
        .filter(Q(directory_entry__isnull=True) | Q(directory_entry__status=EntryStatus.DECLINED))
        .order_by("name")
    )
