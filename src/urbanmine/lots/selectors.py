"""Reads on lots: public supply, passports, histories and what hubs hold — shaped for
bounded query counts. Functions that take a `viewer` show only what that user may see."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import get_language

from urbanmine.assets.models import PassportEstimate
from urbanmine.assets.permissions import asset_sees_whole_passport
from urbanmine.catalogue.models import material_label
from urbanmine.core.cache import public_cached
from urbanmine.engine.inventory import MAX_LOT_MASS_KG
from urbanmine.hubs.models import Hub
from urbanmine.organisations.membership import user_is_platform_wide, user_organisation_ids

from .lifecycle import Status
from .models import LifecycleEvent, Location, Lot, LotLineage, TransferProposal
from .permissions import hub_stock_visible_filter, lots_visible_filter


class LotMassKg(ExpressionWrapper):
    """quantity × mass_kg_per_unit (kg), in a type that cannot overflow on either database:
    PostgreSQL computes it as `numeric` (exact, arbitrary precision); SQLite as REAL, since
    its SUM() of INTEGERs raises "integer overflow" past 2^63 (two lots of 5·10^18 kg were
    enough) while a REAL sum cannot. The declared field holds any product of two stored
    values (14 digits, 3 decimals each)."""

    def __init__(self) -> None:
        super().__init__(
            F("quantity") * F("mass_kg_per_unit"),
            output_field=DecimalField(max_digits=28, decimal_places=6),
        )

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.expression)
        return f"CAST({sql} AS REAL)", params


#: A lot's mass (kg), for annotations (`mass_kg_total`) and sums.
MASS = LotMassKg()
#: The largest total an aggregate reports (kg): what 20 digits with 3 decimals hold (the
#: public API declares its totals so). Never reached in practice: sums leave out lots past
#: the maximum per lot, so it takes 10^9 lots of 100,000 t.
MAX_TOTAL_KG = Decimal("99999999999999999.999")


def plausible_lots(qs: QuerySet[Lot]) -> QuerySet[Lot]:
    """The lots whose mass is at most the maximum per lot (100,000 t; no write accepts more,
    but old rows and admin edits may hold it): every sum counts only these, so one absurd
    row neither breaks a public total nor leads it."""
    return qs.filter(LessThanOrEqual(MASS, Value(MAX_LOT_MASS_KG, output_field=MASS.output_field)))


def total_kg(value) -> Decimal:
    """A summed mass as a Decimal of at most `MAX_TOTAL_KG` (None -> 0)."""
    if value is None:
        return Decimal(0)
    total = value if isinstance(value, Decimal) else Decimal(str(value))
    if not total.is_finite() or total > MAX_TOTAL_KG:
        return MAX_TOTAL_KG
    return total


#: how the supply list sorts: a column key (descending with a leading "-") → order_by
SUPPLY_SORTS: dict[str, tuple[str, ...]] = {
    "code": ("code",),
    "group": ("product_group__name_nl", "code"),
    "description": ("description", "code"),
    "quantity": ("quantity", "code"),
    "mass": ("mass_kg_total", "code"),
    "quality": ("quality", "code"),
    "status": ("status", "code"),
    "place": ("place_name", "code"),
    "available": ("expected_release_date", "code"),
    "price": ("asking_price_eur", "code"),
}


def _supply_order(sort: str, language: str) -> list:
    key = sort.removeprefix("-")
    fields = SUPPLY_SORTS.get(key)
    if not fields:
        return ["product_group__code", "code"]
    if key == "group" and language != "nl":
        fields = ("product_group__name_en", "code")
    if sort.startswith("-"):
        first = F(fields[0]).desc(nulls_last=True)
        return [first, *fields[1:]]
    return [F(fields[0]).asc(nulls_first=True), *fields[1:]]


def published_supply(
    *,
    product_group: str = "",
    municipality: str = "",
    quality: str = "",
    available_by=None,
    scope: str = "",
    q: str = "",
    sort: str = "",
    language: str = "nl",
):
    """Lots offered publicly; `quality` means "this grade or better"; `available_by`
    keeps lots released (or expected) on or before that date; `q` searches code,
    description and product group (both languages); `sort` is a SUPPLY_SORTS key."""
    qs = (
        Lot.objects.filter(is_published=True)
        .select_related("product_group", "source_asset__municipality", "hub__municipality")
        .annotate(
            mass_kg_total=MASS,
            place_name=Case(
                When(location=Location.AT_HUB, then=F("hub__municipality__name")),
                When(location=Location.APPLIED, then=F("applied_asset__municipality__name")),
                default=F("source_asset__municipality__name"),
            ),
        )
        .order_by(*_supply_order(sort, language))
    )
    for word in (q or "").split()[:8]:
        qs = qs.filter(
            Q(code__icontains=word)
            | Q(description__icontains=word)
            | Q(product_group__name_nl__icontains=word)
            | Q(product_group__name_en__icontains=word)
            | Q(product_group__code__icontains=word)
        )
    if product_group:
        qs = qs.filter(product_group__code=product_group)
    if scope:
        qs = qs.filter(product_group__scope__in=[scope, "both"])
    if municipality:
        qs = qs.filter(
            Q(location=Location.AT_HUB, hub__municipality__code=municipality)
            | (~Q(location=Location.AT_HUB) & Q(source_asset__municipality__code=municipality))
        )
    if quality in ("A", "B", "C"):
        qs = qs.filter(quality__lte=quality)
    if available_by:
        qs = qs.filter(
            Q(expected_release_date__isnull=True) | Q(expected_release_date__lte=available_by)
        )
    return qs


#: at most this many lots are named in one map marker's popup (the rest are counted)
PLACE_LOTS_NAMED = 8


def supply_places(supply) -> list[dict]:
    """Every lot of a supply queryset on the map, one point per place (a hub, the building
    it is still in, the asset it was applied in), with the lots there: one query."""
    rows = supply.order_by().values_list(
        "code",
        "product_group__name_nl" if get_language() == "nl" else "product_group__name_en",
        "location",
        "hub__lat",
        "hub__lon",
        "hub__name",
        "applied_asset__lat",
        "applied_asset__lon",
        "applied_asset__name",
        "source_asset__lat",
        "source_asset__lon",
        "source_asset__name",
    )
    places: dict[tuple[float, float], dict] = {}
    for code, group, location, *where in rows:
        hub, applied, source = where[0:3], where[3:6], where[6:9]
        if location == Location.AT_HUB and hub[0] is not None:
            lat, lon, name = hub
        elif location == Location.APPLIED and applied[0] is not None:
            lat, lon, name = applied
        else:
            lat, lon, name = source
        if lat is None:
            continue
        key = (round(lat, 5), round(lon, 5))
        place = places.setdefault(
            key, {"lat": key[0], "lon": key[1], "name": name, "n": 0, "lots": []}
        )
        place["n"] += 1
        if len(place["lots"]) < PLACE_LOTS_NAMED:
            place["lots"].append([code, group])
    return list(places.values())


def lot_place(lot: Lot) -> tuple[float, float, str]:
    """Where a lot is now: (lat, lon, municipality name)."""
    hub, applied = lot.hub, lot.applied_asset
    if lot.location == Location.AT_HUB and hub is not None:
        return hub.lat, hub.lon, hub.municipality.name
    if lot.location == Location.APPLIED and applied is not None:
        return applied.lat, applied.lon, applied.municipality.name
    a = lot.source_asset
    return a.lat, a.lon, a.municipality.name


def supply_aggregates():
    """Public aggregates: mass offered per product group and per status (the same for
    everyone: from the shared cache, core/cache.py)."""
    return public_cached("supply-aggregates", (), _supply_aggregates)


def _supply_aggregates():
    by_group = (
        plausible_lots(Lot.objects.filter(is_published=True))
        .values("product_group__code", "product_group__name_nl", "product_group__name_en")
        .annotate(mass_kg=Sum(MASS))
        .order_by("-mass_kg", "product_group__code")
    )
    by_status = (
        plausible_lots(Lot.objects.exclude(status=Status.CLOSED))
        .values("status")
        .annotate(mass_kg=Sum(MASS))
        .order_by("status")
    )
    return _totals(list(by_group)), _totals(list(by_status))


def _totals(rows) -> list[dict]:
    return [{**r, "mass_kg": total_kg(r["mass_kg"])} for r in rows]


def passport_lots(asset, viewer=None):
    """The lots of an asset's passport: identified in it (still there or traced from it) and
    lots applied in it (the loop closes). With a `viewer`, only the lots that user may see
    unless they see the whole passport (owner, platform-wide roles)."""
    qs = Lot.objects.filter(Q(source_asset=asset) | Q(applied_asset=asset))
    if viewer is not None and not asset_sees_whole_passport(viewer, asset):
        qs = qs.filter(lots_visible_filter(viewer))
    return (
        qs.exclude(status=Status.CLOSED)
        .select_related("product_group", "hub", "owner", "custodian")
        .annotate(mass_kg_total=MASS)
        .order_by("product_group__code", "code")
    )


#: (model, field, language) -> {value: label}: a few dozen entries at most.
_CHOICE_LABELS: dict[tuple[str, str, str | None], dict] = {}


def choice_label(obj, field: str) -> str:
    """`obj.get_<field>_display()` with the field's labels translated once per language.
    Django's own hashes every (lazy, translated) label of the field on every call: the 90
    calls of a passport page cost more than all its queries."""
    key = (obj._meta.label, field, get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        choices = obj._meta.get_field(field).flatchoices
        labels = _CHOICE_LABELS[key] = {value: str(text) for value, text in choices}
    value = getattr(obj, field)
    return labels.get(value, value)


def passport_summary(lots) -> dict:
    """Mass per material and per status, from already-fetched lots (no extra queries)."""
    per_material: dict[str, Decimal] = defaultdict(Decimal)
    per_status: dict[str, Decimal] = defaultdict(Decimal)
    for lot in lots:
        per_material[material_label(lot.product_group.material)] += lot.mass_kg_total
        per_status[choice_label(lot, "status")] += lot.mass_kg_total
    total = sum(per_material.values(), Decimal(0))
    return {
        "per_material": sorted(per_material.items(), key=lambda kv: -kv[1]),
        "per_status": sorted(per_status.items(), key=lambda kv: -kv[1]),
        "total_kg": total,
    }


def passport_estimate(asset) -> dict | None:
    """The passport *estimated* by the BAG import (floor area × material intensity), with
    its mass per material, largest first; None when the asset has none. It is no inventory:
    no lots, never supply; `superseded` once lots are identified in the asset (ADR 0006)."""
    estimate = PassportEstimate.objects.filter(asset=asset).first()
    if estimate is None:
        return None
    return {
        "per_material": sorted(
            ((material_label(m), kg) for m, kg in estimate.materials_kg.items()),
            key=lambda kv: -kv[1],
        ),
        "total_kg": estimate.total_kg,
        "basis": estimate.basis,
        "source": estimate.source,
        "updated_at": estimate.updated_at,
        "superseded": Lot.objects.filter(source_asset=asset).exists(),
    }


#: Up to this many lots, an asset's history asks for its lots' ids (see `asset_history`).
MAX_HISTORY_LOT_IDS = 5000


def asset_history(asset, limit: int = 200, viewer=None):
    """Events of the asset's lots, newest first; with a `viewer`, as `passport_lots`.

    The asset's lot ids are read first (one indexed query): "the lot's source asset is X
    or the event's asset is X" across the join (or over a subquery) makes PostgreSQL scan
    every event (17-25 ms on the demo x10); two conditions on ids are two index lookups
    (0.2 ms)."""
    lot_ids = list(
        Lot.objects.filter(source_asset=asset)
        .order_by()
        .values_list("id", flat=True)[: MAX_HISTORY_LOT_IDS + 1]
    )
    of_lots = (
        Q(lot__source_asset=asset)  # a huge passport: the join (no list of parameters)
        if len(lot_ids) > MAX_HISTORY_LOT_IDS
        else Q(lot_id__in=lot_ids)
    )
    qs = LifecycleEvent.objects.filter(of_lots | Q(asset=asset))
    if viewer is not None and not asset_sees_whole_passport(viewer, asset):
        qs = qs.filter(lots_visible_filter(viewer, prefix="lot__"))
    return qs.select_related("lot", "organisation", "actor", "hub").order_by("-occurred_at", "-id")[
        :limit
    ]


def lot_for_page():
    """Lots with everything their page shows (place, owner, custodian, group)."""
    return Lot.objects.select_related(
        "product_group",
        "owner",
        "custodian",
        "hub__municipality",
        "source_asset__municipality",
        "applied_asset__municipality",
    )


def lot_history(lot):
    return lot.events.select_related("organisation", "actor", "hub", "asset").order_by(
        "occurred_at", "id"
    )


def lot_trace_assets(lot):
    """Every source asset of a lot (through all splits and merges)."""
    return lot.source_assets.select_related("municipality").order_by("name")


# ------------------------------------------------------------------------------- hub stock
#: Lots a hub holds: at the hub and neither merged away nor applied.
HELD = Q(location=Location.AT_HUB) & ~Q(status__in=[Status.CLOSED, Status.APPLIED])


@dataclass
class StockLine:
    lot: Lot
    dwell_days: int
    level: str  # "ok" | "warning" (6 to 9 months) | "alert" (over 9 months)


def dwell_level(days: int) -> str:
    if days > settings.HUB_DWELL_ALERT_DAYS:
        return "alert"
    if days > settings.HUB_DWELL_WARNING_DAYS:
        return "warning"
    return "ok"


def hub_stock(hub: Hub, viewer=None) -> list[StockLine]:
    """What a hub holds, oldest first, with dwell times. With a `viewer`: the operator and
    platform-wide roles see every lot, others only the lots they may see."""
    lots = Lot.objects.filter(HELD, hub=hub)
    if viewer is not None:
        lots = lots.filter(hub_stock_visible_filter(viewer, hub))
    lots = (
        lots.select_related("product_group", "owner", "source_asset")
        .annotate(mass_kg_total=MASS)
        .order_by("hub_since", "code")
    )
    now = timezone.now()
    out = []
    for lot in lots:
        days = (now - lot.hub_since).days if lot.hub_since else 0
        out.append(StockLine(lot=lot, dwell_days=days, level=dwell_level(days)))
    return out


def hub_occupancy(hubs: Iterable[Hub]) -> dict[int, Decimal]:
    """Mass held (kg) per hub id, one query: an aggregate, public to signed-in users."""
    rows = (
        plausible_lots(Lot.objects.filter(HELD, hub__in=hubs))
        .values("hub_id")
        .annotate(m=Sum(MASS))
        .order_by()
    )
    return {r["hub_id"]: total_kg(r["m"]) for r in rows}


def hub_stock_mass_kg(hub: Hub, exclude_lot_id: int | None = None) -> Decimal:
    """Mass at a hub that counts against its capacity (everything not merged away)."""
    qs = Lot.objects.filter(hub=hub, location=Location.AT_HUB).exclude(status=Status.CLOSED)
    if exclude_lot_id:
        qs = qs.exclude(id=exclude_lot_id)
    return total_kg(plausible_lots(qs).aggregate(m=Sum(MASS))["m"])


# ------------------------------------------------------------------------------- lineage
def lot_lineage_filter(lot: Lot, time_field: str) -> Q:
    """Rows (with a `lot` and a time) that belong to this lot's material: its own, and its
    ancestors' (the lots it was split or merged from) up to the moment the material left
    them. `time_field` is the row's time, e.g. `event__occurred_at` for inspections:
    Q(lot=self) | Q(lot=parent, time ≤ split)."""
    q = Q(lot_id=lot.id)
    frontier: dict[int, Any] = {lot.id: None}
    seen = {lot.id}
    for _depth in range(50):  # lineage is a DAG; 50 generations is far beyond any chain
        links = list(
            LotLineage.objects.filter(child_id__in=frontier).values_list(
                "parent_id", "child_id", "created_at"
            )
        )
        nxt: dict[int, object] = {}
        for parent, child, created in links:
            bound = frontier[child]
            until = created if bound is None else min(created, bound)
            if parent not in seen:
                seen.add(parent)
                nxt[parent] = until
                q |= Q(lot_id=parent, **{f"{time_field}__lte": until})
        if not nxt:
            break
        frontier = nxt
    return q


# ------------------------------------------------------------------ consent and privacy
#: payload keys of an event that only the parties read (a sale's price and terms)
PRIVATE_PAYLOAD_KEYS = ("price_eur", "terms")


def payload_for(payload: dict | None, viewer_orgs: Iterable[int] | None) -> dict:
    """An event's payload as a viewer sees it: the price and terms of a sale only for its
    parties, the seller and the buyer (`viewer_orgs` None: the recorder itself)."""
    payload = dict(payload or {})
    if viewer_orgs is None:
        return payload
    if {payload.get("owner_from"), payload.get("owner_to")} & set(viewer_orgs):
        return payload
    return {k: v for k, v in payload.items() if k not in PRIVATE_PAYLOAD_KEYS}


def transfer_proposals_visible(user) -> QuerySet[TransferProposal]:
    """Proposals the user is a party to (`permissions.transfer_may_view` as a filter)."""
    qs = TransferProposal.objects.select_related("lot", "counterparty", "proposed_by")
    if user_is_platform_wide(user):
        return qs
    orgs = user_organisation_ids(user)
    return qs.filter(
        Q(lot__owner_id__in=orgs) | Q(proposed_by_id__in=orgs) | Q(counterparty_id__in=orgs)
    )


def lot_engagements(lot: Lot, viewer) -> list:
    """The certifiers engaged for a lot, for its owner, custodian, the certifiers themselves
    and platform-wide roles; nobody else learns who inspects what before the result."""
    from .models import InspectionEngagement

    qs = InspectionEngagement.objects.filter(lot=lot).select_related("certifier", "engaged_by")
    if user_is_platform_wide(viewer):
        return list(qs)
    orgs = user_organisation_ids(viewer)
    if lot.owner_id in orgs or lot.custodian_id in orgs:
        return list(qs)
    return list(qs.filter(certifier_id__in=orgs))


def hubs_for_intake(lot: Lot, organisation_ids: Iterable[int]) -> list[tuple[Hub, float]]:
    """(hub, free t) for the hubs this lot can go into now: they accept its product group,
    take in from one of these organisations, and have room for all of it. Three queries."""
    orgs = set(organisation_ids)
    hubs = [
        h
        for h in Hub.objects.prefetch_related("accepted_product_groups").order_by("name")
        if (h.open_to_deliveries or h.operator_id in orgs) and h.accepts(lot.product_group)
    ]
    held = hub_occupancy(hubs)
    mass = lot.quantity * lot.mass_kg_per_unit
    out = []
    for h in hubs:
        free_kg = h.capacity_t * 1000 - held.get(h.id, Decimal(0))
        if lot.hub_id == h.id and lot.location == Location.AT_HUB:
            continue  # already there
        if free_kg >= mass:
            out.append((h, float(free_kg) / 1000))
    return out


def lot_latest_inspection(lot: Lot):
    """The latest inspection of this lot's material (its own or an ancestor's before the
    material left it): the one that decides whether it may be sold or applied."""
    from .models import Inspection

    return (
        Inspection.objects.filter(lot_lineage_filter(lot, "event__occurred_at"))
        .order_by("-inspected_on", "-id")
        .first()
    )


def lot_certificate_valid(lot: Lot, day) -> bool:
    """A passed inspection whose certificate has not expired on `day` (an expired one
    counts as none)."""
    from .models import InspectionResult

    latest = lot_latest_inspection(lot)
    return (
        latest is not None
        and latest.result == InspectionResult.PASSED
        and (latest.valid_until is None or latest.valid_until >= day)
    )


def asset_drafts(asset):
    """The asset's lots that wait for the owner's publication."""
    return (
        Lot.objects.filter(source_asset=asset, draft=True)
        .exclude(status=Status.CLOSED)
        .select_related("product_group")
        .order_by("code")
    )
