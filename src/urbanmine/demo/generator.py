"""Reproducible Zuid-Holland demo data (`urbanmine demo [--scale N]`).

Real: the 342 municipalities (CBS codes, names, population, boundaries), the catalogue,
the material intensities (MIR-DB v1.2 Dutch buildings, via data/material_intensity_nl.csv)
and the Dutch stock's construction-period mix (MODERATE 2020). Synthetic, and marked
`is_demo`: organisations, assets, lots, hubs and demand. The distributions are documented
in docs/demo-data.md; the same seed gives the same data.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import numpy as np
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from urbanmine.assets.models import (
    Asset,
    GrantRole,
    InterventionKind,
    PermitDecision,
    PermitStatus,
    PlannedIntervention,
)
from urbanmine.catalogue.models import ProductGroup
from urbanmine.core.cache import public_version_bump
from urbanmine.demo.knowledge import load_knowledge_demo
from urbanmine.demo.network import make_network
from urbanmine.hubs.models import Hub, HubTypology
from urbanmine.lots.lifecycle import Status, Step
from urbanmine.lots.models import (
    EngagementStatus,
    Inspection,
    InspectionEngagement,
    InspectionResult,
    LifecycleEvent,
    Location,
    Lot,
    RStrategy,
)
from urbanmine.market.models import DemandRequest
from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole
from urbanmine.regions.models import ZUID_HOLLAND, Municipality
from urbanmine.regions.services import municipalities_load

from .tenders import make_tender_demo

DEMO_PASSWORD = "urbanmine-demo"

# One demo organisation per chain role; username = role code.
DEMO_ORGANISATIONS = [
    ("Provincie Zuid-Holland (demo)", [ChainRole.MATCHMAKER, ChainRole.ASSET_OWNER], "provincie"),
    ("Woonkracht Zuid (demo woningcorporatie)", [ChainRole.ASSET_OWNER], "eigenaar"),
    ("Inventarisatiebureau Materiaalbeeld (demo)", [ChainRole.INVENTORISER], "inventariseerder"),
    ("Sloopbedrijf De Oogst (demo)", [ChainRole.DEMOLISHER, ChainRole.STORAGE_MANAGER], "sloper"),
    ("Architectenbureau Kringloop (demo)", [ChainRole.DESIGNER], "ontwerper"),
    ("Bouwbedrijf Tweede Leven (demo)", [ChainRole.BUILDER], "bouwer"),
    ("Omgevingsdienst Haaglanden (demo)", [ChainRole.PERMIT_AUTHORITY], "omgevingsdienst"),
    ("Bouwmaterialenhandel Retour (demo)", [ChainRole.TRADER], "handelaar"),
    ("Verwerker Nieuwe Kans (demo)", [ChainRole.PROCESSOR, ChainRole.STORAGE_MANAGER], "verwerker"),
    ("Keuringsinstituut Zeker (demo)", [ChainRole.CERTIFIER], "certificeerder"),
    (
        "Gemeentelijk Depot Rotterdam (demo)",
        [ChainRole.STORAGE_MANAGER, ChainRole.ASSET_OWNER],
        "tussenbeheerder",
    ),
    ("Kenniscentrum Circulair Bouwen (demo)", [ChainRole.FACILITATOR], "adviseur"),
]

# Assumption (documented): lognormal floor area per building, median m², sigma 0.6.
MEDIAN_FLOOR_AREA_M2 = {
    "house": 120,
    "apartment": 2800,
    "office": 2400,
    "retail": 700,
    "education": 2800,
    "healthcare": 4500,
    "other": 900,
}

# Harvestable product lines per MIR-DB material: (product group, share of the material's
# mass that is harvestable as that product). Demo assumption, documented.
HARVEST_SHARES = {
    "brick": [("bricks-clay", 0.30)],
    "concrete": [("hollow-core-slabs", 0.12), ("concrete-granulate", 0.55)],
    "steel": [("steel-beams", 0.35), ("radiators", 0.03)],
    "wood": [("timber-beams", 0.25), ("doors-interior", 0.10), ("window-frames-timber", 0.10)],
    "glass": [("glazing-double", 0.45)],
    "ceramics": [("roof-tiles-ceramic", 0.5), ("sanitary-ware", 0.1)],
    "plaster_board_gypsum": [("plasterboard", 0.15)],
    "aluminum": [("window-frames-aluminium", 0.4)],
    "aggregates": [("mixed-granulate", 0.5)],
}
GWW_LINES = {
    "road": [
        ("paving-bricks", 0.02, "area"),
        ("kerbs-concrete", 0.4, "length"),
        ("asphalt-granulate", 0.12, "area_t"),
    ],
    "bridge": [
        ("steel-beams", 0.8, "length"),
        ("prefab-concrete-beams", 0.02, "length"),
        ("steel-guardrails", 2.0, "length"),
    ],
    "quay": [("steel-sheet-piles", 3.0, "length"), ("hardwood-piles-timber", 0.01, "length")],
    "public_space": [
        ("paving-tiles-concrete", 0.3, "area"),
        ("street-furniture", 0.004, "area"),
        ("lamp-posts", 0.002, "area"),
        ("traffic-signs", 0.002, "area"),
    ],
}

HUB_SITES = [  # (municipality code, typology, name, capacity t, capacity m², accepted codes or None)
    (
        "GM0599",
        HubTypology.RAW_MATERIALS,
        "Grondstoffenhub Waalhaven",
        25000,
        40000,
        ["concrete-granulate", "asphalt-granulate", "mixed-granulate", "soil"],
    ),
    ("GM0599", HubTypology.URBAN_MINING, "Urban Mining Hub Rotterdam-Zuid", 3000, 6000, None),
    ("GM0518", HubTypology.URBAN_MINING, "Bouwhub Den Haag Binckhorst", 2000, 4000, None),
    (
        "GM0503",
        HubTypology.CRAFT_CENTRE,
        "Circulair Ambachtscentrum Delft",
        250,
        800,
        [
            "timber-beams",
            "doors-interior",
            "doors-exterior",
            "window-frames-timber",
            "timber-flooring",
        ],
    ),
    ("GM0546", HubTypology.MATERIAL_BANK, "Materialenbank Leiden", 400, 1200, None),
    (
        "GM0505",
        HubTypology.PRODUCER,
        "Dakpannenfabriek Retourlocatie Dordrecht",
        800,
        2000,
        ["roof-tiles-ceramic", "roof-tiles-concrete"],
    ),
    (
        "GM0513",
        HubTypology.PRODUCER,
        "Kozijnenproducent Retour Gouda",
        300,
        900,
        ["window-frames-timber", "window-frames-aluminium", "glazing-double"],
    ),
    ("GM0637", HubTypology.MATERIAL_BANK, "Materialenbank Zoetermeer", 300, 900, None),
    ("GM0599", HubTypology.URBAN_MINING, "Tijdelijke hub Feijenoord (bouwplaats)", 600, 1500, None),
    ("GM0518", HubTypology.CRAFT_CENTRE, "Ambachtscentrum Den Haag Zuidwest", 200, 600, None),
]


@dataclass
class DemoReport:
    municipalities: int
    organisations: int
    assets: int
    lots: int
    events: int
    hubs: int
    demand: int
    seconds: float


def read_material_intensity(path: Path) -> dict[str, list[tuple[int, int, str, float]]]:
    out: dict[str, list[tuple[int, int, str, float]]] = defaultdict(list)
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            out[row["use_type"]].append(
                (
                    int(row["period_start"]),
                    int(row["period_end"]),
                    row["material"],
                    float(row["kg_per_m2"]),
                )
            )
    return out


def moderate_mix(path: Path) -> tuple[list[str], np.ndarray, list[tuple[int, int]]]:
    """(use type, period) combinations with their share of Dutch floor area (MODERATE 2020,
    the derived table data/moderate_nl_2020_mix.csv)."""
    keys, weights = [], []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            use = row["use_type"]
            area = float(row["floor_area_m2"] or 0)
            # Buildings, not floor area, are sampled: divide by the median size.
            keys.append((use, (int(row["period_start"]), int(row["period_end"]))))
            weights.append(area / MEDIAN_FLOOR_AREA_M2[use])
    w = np.array(weights)
    return [k[0] for k in keys], w / w.sum(), [k[1] for k in keys]


def _random_points_in(geom, n: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    from shapely import contains_xy

    minx, miny, maxx, maxy = geom.bounds
    out: list[tuple[float, float]] = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, 4 * n + 8)
        ys = rng.uniform(miny, maxy, 4 * n + 8)
        inside = contains_xy(geom, xs, ys)
        out.extend(zip(ys[inside].tolist(), xs[inside].tolist(), strict=True))
    return [(round(lat, 6), round(lon, 6)) for lat, lon in out[:n]]


class DemoRefused(Exception):
    """The database holds real records or accounts the demo would change."""


STEWARD = "beheerder"


def _ensure_users(orgs: dict[str, Organisation], *, steward_password: str | None) -> None:
    """One account per demo organisation. An existing account keeps its password; one that
    is not a member of its demo organisation is a real user: refused. The data steward (a
    superuser) is created only with a password given (demo mode)."""
    user_model = get_user_model()
    for username, org in orgs.items():
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": username.capitalize()}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        elif not Membership.objects.filter(user=user, organisation=org).exists():
            raise DemoRefused(
                f"user {username!r} exists and is not a demo account; nothing was loaded"
            )
        # each demo account administers its organisation: it invites and removes members
        Membership.objects.update_or_create(
            user=user, organisation=org, defaults={"is_admin": True}
        )
    if steward_password is None:
        return
    steward, created = user_model.objects.get_or_create(
        username=STEWARD, defaults={"is_staff": True, "is_superuser": True}
    )
    if not created:
        return  # never reset an existing account's password or rights
    steward.set_password(steward_password)
    steward.save()


def refuse_real_data() -> None:
    """The demo is for an empty or demo-only database: real organisations, assets or lots
    would be mixed with synthetic ones."""
    real = {
        "organisations": Organisation.objects.filter(is_demo=False).count(),
        "assets": Asset.objects.filter(is_demo=False).count(),
        "lots": Lot.objects.filter(is_demo=False).count(),
    }
    found = {k: n for k, n in real.items() if n}
    if found:
        listed = ", ".join(f"{n} {k}" for k, n in found.items())
        raise DemoRefused(
            f"the database holds records that are not demo data ({listed}); "
            "use --force to load the demo next to them"
        )


def demo_accounts(*, steward: bool = True) -> list[tuple[str, str, str]]:
    rows = [(u, DEMO_PASSWORD, name) for name, _roles, u in DEMO_ORGANISATIONS]
    if steward:
        rows.append((STEWARD, DEMO_PASSWORD, "data steward (Django admin)"))
    return rows


@dataclass
class _Demo:
    """What every phase of the generator shares. The phases draw from `rng` in a fixed
    order, so the same seed gives the same data."""

    rng: np.random.Generator
    today: date
    zh: list[Municipality]
    orgs: dict[str, Organisation]
    groups: dict[str, ProductGroup]
    hubs: list[Hub] = field(default_factory=list)
    hub_accepts: dict[int, set[str]] = field(default_factory=dict)

    @property
    def owner_pool(self) -> list[Organisation]:
        return [self.orgs["eigenaar"], self.orgs["provincie"], self.orgs["tussenbeheerder"]]

    @property
    def population_weights(self) -> np.ndarray:
        pop = np.array([m.population for m in self.zh], dtype=float)
        return pop / pop.sum()


def _make_organisations(*, steward_password: str | None) -> dict[str, Organisation]:
    orgs: dict[str, Organisation] = {}
    for name, roles, username in DEMO_ORGANISATIONS:
        org, _ = Organisation.objects.get_or_create(name=name, defaults={"is_demo": True})
        for role in roles:
            OrganisationRole.objects.get_or_create(organisation=org, role=role)
        orgs[username] = org
    # The real service area of Omgevingsdienst Haaglanden: its nine member municipalities.
    authority = orgs["omgevingsdienst"]
    authority.municipalities_served.add(
        *Municipality.objects.filter(code__in=HAAGLANDEN).values_list("pk", flat=True)
    )
    _ensure_users(orgs, steward_password=steward_password)
    return orgs


#: CBS codes of the municipalities Omgevingsdienst Haaglanden serves (odh.nl, 2024): Delft,
#: Den Haag, Leidschendam-Voorburg, Midden-Delfland, Pijnacker-Nootdorp, Rijswijk, Wassenaar,
#: Westland, Zoetermeer.
HAAGLANDEN = [
    "GM0503",
    "GM0518",
    "GM1916",
    "GM1842",
    "GM1926",
    "GM0603",
    "GM0629",
    "GM1783",
    "GM0637",
]


#: demo transformations: input group -> (output group, share of the input mass kept, R)
TRANSFORMS = {
    "bricks-clay": ("facade-bricks-slips", 0.8, "R6"),
    "timber-beams": ("glulam-beams", 0.7, "R6"),
    "hollow-core-slabs": ("concrete-granulate", 0.95, "R8"),
}


def _run_workflows(demo: _Demo, scale: int, lot_ids: list[int]) -> tuple[int, int]:
    """A few chains as the services record them (issue #14), so every history and panel has
    them: processors transform lots they hold, and a mistaken step is corrected. Returns the
    number of events written and of lots made."""
    from urbanmine.lots import services as lot_services

    before = LifecycleEvent.objects.count()
    groups = {
        g.code: g for g in ProductGroup.objects.filter(code__in=[t[0] for t in TRANSFORMS.values()])
    }
    held = (
        Lot.objects.filter(
            id__in=lot_ids,
            status__in=[Status.HARVESTED, Status.APPROVED],
            location=Location.AT_HUB,
            product_group__code__in=list(TRANSFORMS),
            has_asbestos=False,
            has_chromium6=False,
            has_other_hazard=False,
        )
        .select_related("product_group", "custodian")
        .order_by("code")
    )
    members = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(organisation__in=demo.orgs.values()).select_related(
            "user"
        )
    }
    done = 0
    for lot in held:
        if done >= 2 * scale:
            break
        actor = members.get(lot.custodian_id)
        if actor is None:
            continue
        code, keep, r = TRANSFORMS[lot.product_group.code]
        group = groups[code]
        out_kg = lot.quantity * lot.mass_kg_per_unit * Decimal(str(keep))
        per_unit = group.typical_mass_kg_per_unit
        qty = (out_kg / per_unit).quantize(
            Decimal("1") if group.unit == "piece" else Decimal("0.001")
        )
        if qty <= 0:
            continue
        into = lot_services.TransformInto(
            product_group=group,
            quantity=qty,
            mass_kg_per_unit=per_unit,
            quality=lot.quality,
            r_strategy=r,
            description=f"{group.name_nl} uit {lot.code} (demo)",
            # numbered on as a demo lot (a second load numbers on after it)
            code=f"D-{_last_demo_code_number() + 1:07d}",
        )
        try:
            product = lot_services.lots_transform(lot_ids=[lot.id], into=into, actor=actor)
        except ValidationError:  # an implausible demo mass for the new group: skipped
            continue
        Lot.objects.filter(pk=product.pk).update(is_demo=True)
        done += 1
    # a step recorded by mistake and corrected: a transport on a harvested lot at a hub
    for lot in Lot.objects.filter(
        is_demo=True, status=Status.HARVESTED, location=Location.AT_HUB
    ).order_by("-code")[:scale]:
        actor = members.get(lot.custodian_id)
        if actor is None:
            continue
        lot_services.lot_record_step(
            lot_id=lot.id, step=Step.TRANSPORT_STORAGE, actor=actor, notes="demo"
        )
        lot_services.lot_correct_last_step(
            lot_id=lot.id, actor=actor, reason="Transport per abuis vastgelegd (demo)"
        )
    return LifecycleEvent.objects.count() - before, done


def _make_grants(demo: _Demo, assets: list[Asset], projects: list[Asset], scale: int) -> None:
    """The housing corporation lets others in on buildings it plans to demolish (issue
    #13): the inventory firm on a few, the architect and the permit authority on some; one
    grant revoked and one ended, so the access history shows both. Every project's owner
    lets the builder and the architect in: they request material for it."""
    from urbanmine.assets.services import asset_grant, asset_grant_revoke

    users = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(organisation__in=demo.orgs.values()).select_related(
            "user"
        )
    }
    for project in projects:
        if project.owner_id in users:
            for username, role in (
                ("bouwer", GrantRole.BUILDER),
                ("ontwerper", GrantRole.DESIGNER),
            ):
                asset_grant(
                    asset=project,
                    organisation=demo.orgs[username],
                    role=role,
                    actor=users[project.owner_id],
                )
    owner = demo.orgs["eigenaar"]
    actor = Membership.objects.filter(organisation=owner).select_related("user").first()
    if actor is None:
        return
    mine = [a for a in assets if a.owner_id == owner.pk]
    haaglanden = set(HAAGLANDEN)
    today = demo.today
    plan = [("inventariseerder", GrantRole.INVENTORISER, a) for a in mine[: 3 * scale]]
    plan += [("ontwerper", GrantRole.DESIGNER, a) for a in mine[3 * scale : 5 * scale]]
    plan += [
        ("omgevingsdienst", GrantRole.PERMIT_AUTHORITY, a)
        for a in [a for a in mine if a.municipality.code in haaglanden][: 2 * scale]
    ]
    for username, role, asset in plan:
        asset_grant(asset=asset, organisation=demo.orgs[username], role=role, actor=actor.user)
    rest = mine[5 * scale : 7 * scale]
    if len(rest) == 2 * scale and rest:
        revoked = asset_grant(
            asset=rest[0],
            organisation=demo.orgs["inventariseerder"],
            role=GrantRole.INVENTORISER,
            actor=actor.user,
        )
        asset_grant_revoke(grant_id=revoked.pk, actor=actor.user)
        asset_grant(
            asset=rest[-1],
            organisation=demo.orgs["ontwerper"],
            role=GrantRole.DESIGNER,
            actor=actor.user,
            starts_on=today - timedelta(days=120),
            ends_on=today - timedelta(days=30),
        )


def _make_open_work(demo: _Demo, scale: int) -> None:
    """What waits for the demo accounts on their start pages (issue #13): demolitions
    planned without an inventory yet (the inventory firm let in), certifiers asked to
    inspect, reservation requests and a custodian's sale for the owner to answer, wanted
    lists with their notices."""
    from urbanmine.assets.services import asset_grant, intervention_plan
    from urbanmine.lots import services as lot_services
    from urbanmine.market.services import reservation_request_create

    users = {
        m.organisation_id: m.user
        for m in Membership.objects.filter(organisation__in=demo.orgs.values()).select_related(
            "user"
        )
    }
    owner = demo.orgs["eigenaar"]
    owner_user = users.get(owner.pk)
    if owner_user is None:
        return
    unplanned = (
        Asset.objects.filter(owner=owner, is_demo=True, scope="bu")
        .exclude(Exists(Lot.objects.filter(source_asset=OuterRef("pk"))))
        .exclude(Exists(PlannedIntervention.objects.filter(asset=OuterRef("pk"))))
        .order_by("name")[: 3 * scale]
    )
    for i, asset in enumerate(unplanned):
        start = demo.today + timedelta(days=180 + 30 * i)
        intervention_plan(
            asset=asset,
            kind=InterventionKind.DEMOLITION,
            planned_start=start,
            planned_end=start + timedelta(days=60),
            actor=owner_user,
            note="Sloop gepland, inventarisatie nog te doen (demo)",
        )
        asset_grant(
            asset=asset,
            organisation=demo.orgs["inventariseerder"],
            role=GrantRole.INVENTORISER,
            actor=owner_user,
        )
    # a fresh inventory the owner has not reviewed yet: its lines are drafts, not on offer
    fresh = (
        Asset.objects.filter(
            owner=owner,
            is_demo=True,
            lots__status=Status.INVENTORIED,
            lots__location=Location.IN_ASSET,
        )
        .order_by("name")
        .first()
    )
    if fresh is not None:
        Lot.objects.filter(
            source_asset=fresh, status=Status.INVENTORIED, location=Location.IN_ASSET
        ).exclude(engagements__isnull=False).update(draft=True, is_published=False)
    offered = list(
        Lot.objects.filter(
            owner=owner,
            is_published=True,
            status=Status.HARVESTED,
            location=Location.AT_HUB,
            product_group__inspection_required=False,  # sold without a certificate
        )
        .exclude(custodian=owner)
        # a second load leaves the first one's open work alone
        .exclude(engagements__status="open")
        .exclude(reservation_requests__status="pending")
        .exclude(transfer_proposals__status="pending")
        .distinct()
        .order_by("code")[: 4 * scale]
    )
    for lot in offered[: 2 * scale]:
        lot_services.lot_engage_certifier(
            lot_id=lot.id, certifier=demo.orgs["certificeerder"], actor=owner_user
        )
    for buyer, lot in zip(["bouwer", "handelaar"] * scale, offered[2 * scale :], strict=False):
        reservation_request_create(
            lot_id=lot.id,
            actor=users[demo.orgs[buyer].pk],
            quantity=max(1, int(lot.quantity) // 2),
            message="Past dit in ons project? (demo)",
        )
    for lot in offered[:scale]:
        custodian = users.get(lot.custodian_id)
        if custodian is not None:
            lot_services.lot_transfer_propose(
                lot_id=lot.id,
                step=Step.SALE,
                counterparty=demo.orgs["bouwer"],
                actor=custodian,
                quantity=max(1, int(lot.quantity) // 4),
                terms="Ophalen binnen twee weken (demo)",
            )
    # the builder's and the architect's wanted lists, told about what is on offer now
    from urbanmine.market.models import WantedItem
    from urbanmine.market.services import wanted_create, wanted_notify

    project = (
        Asset.objects.filter(grants__organisation=demo.orgs["bouwer"], is_demo=True)
        .order_by("name")
        .first()
    )
    for username, code, quality in (
        ("bouwer", "bricks-clay", "B"),
        ("bouwer", "timber-beams", "B"),
        ("ontwerper", "doors-interior", "A"),
    ):
        group = demo.groups.get(code)
        org = demo.orgs[username]
        user = users.get(org.pk)
        if group is None or user is None:
            continue
        if WantedItem.objects.filter(organisation=org, product_group=group, active=True).exists():
            continue  # a second load keeps the first one's wanted list
        wanted_create(
            actor=user,
            product_group=group,
            min_quality=quality,
            project=project if username == "bouwer" else None,
            max_distance_km=60,
        )
    wanted_notify()


def _make_permits(demo: _Demo, projects: list[Asset]) -> None:
    """Demo decisions of the permit authority on projects in its area that apply secondary
    materials: granted, granted with conditions, requested in turn."""
    applied = set(
        Lot.objects.filter(applied_asset__in=projects).values_list("applied_asset_id", flat=True)
    )
    codes = set(HAAGLANDEN)
    # the last project waits for its decision (the authority's start page shows it)
    mine = [p for p in projects if p.pk in applied and p.municipality.code in codes][:-1]
    statuses = [PermitStatus.GRANTED, PermitStatus.GRANTED_WITH_CONDITIONS, PermitStatus.REQUESTED]
    PermitDecision.objects.bulk_create(
        [
            PermitDecision(
                asset=p,
                authority=demo.orgs["omgevingsdienst"],
                status=statuses[i % 3],
                conditions="Constructieve toets hergebruikte elementen vóór uitvoering"
                if statuses[i % 3] == PermitStatus.GRANTED_WITH_CONDITIONS
                else "",
                case_number=f"DEMO-OLO-{p.pk:05d}",
                decided_at=timezone.now(),
            )
            for i, p in enumerate(mine)
        ]
    )


def _make_hubs(demo: _Demo) -> None:
    orgs = demo.orgs
    operators = {
        HubTypology.RAW_MATERIALS: orgs["verwerker"],
        HubTypology.URBAN_MINING: orgs["sloper"],
        HubTypology.CRAFT_CENTRE: orgs["verwerker"],
        HubTypology.MATERIAL_BANK: orgs["tussenbeheerder"],
        HubTypology.PRODUCER: orgs["handelaar"],
    }
    by_code = {m.code: m for m in demo.zh}
    for code, typology, name, cap_t, cap_m2, accepted in HUB_SITES:
        m = by_code[code]
        ((lat, lon),) = _random_points_in(_geometry(m), 1, demo.rng)
        hub, created = Hub.objects.get_or_create(
            name=name,
            defaults=dict(
                typology=typology,
                operator=operators[typology],
                lat=lat,
                lon=lon,
                municipality=m,
                capacity_t=Decimal(cap_t),
                capacity_m2=Decimal(cap_m2),
                is_demo=True,
                is_temporary="Tijdelijke" in name,
                processing_capabilities=["sorting", "cleaning"]
                + (["crushing"] if typology == HubTypology.RAW_MATERIALS else []),
            ),
        )
        if created and accepted:
            hub.accepted_product_groups.set([demo.groups[c] for c in accepted])
        demo.hubs.append(hub)
    demo.hub_accepts = {h.id: {g.code for g in h.accepted_product_groups.all()} for h in demo.hubs}


class _Points:
    """Random places inside municipalities, drawn per municipality up front."""

    def __init__(self, demo: _Demo, muni_idx: np.ndarray) -> None:
        per_muni: dict[int, int] = defaultdict(int)
        for i in muni_idx:
            per_muni[int(i)] += 1
        self.points = {
            i: _random_points_in(_geometry(demo.zh[i]), n, demo.rng) for i, n in per_muni.items()
        }
        self.cursor: dict[int, int] = defaultdict(int)

    def next(self, i: int) -> tuple[float, float]:
        p = self.points[i][self.cursor[i]]
        self.cursor[i] += 1
        return p


def _building(demo: _Demo, k: int, use: str, *, period: tuple[int, int], i: int, place) -> Asset:
    rng, m = demo.rng, demo.zh[i]
    year = int(rng.integers(period[0], period[1] + 1))
    area = float(np.round(MEDIAN_FLOOR_AREA_M2[use] * rng.lognormal(0, 0.6), 0))
    lat, lon = place
    return Asset(
        name=f"{_USE_NAMES[use]} {m.name} {k + 1:05d}",
        scope="bu",
        use_type=use,
        owner=demo.owner_pool[k % len(demo.owner_pool)],
        lat=lat,
        lon=lon,
        municipality=m,
        construction_year=year,
        floor_area_m2=Decimal(str(max(area, 30))),
        is_demo=True,
    )


def _gww_object(demo: _Demo, k: int, i: int, points: _Points) -> Asset:
    rng, m = demo.rng, demo.zh[i]
    use = ["road", "bridge", "quay", "public_space"][int(rng.integers(0, 4))]
    lat, lon = points.next(i)
    length = float(np.round(rng.uniform(80, 900), 0))
    owner = demo.orgs["tussenbeheerder"] if m.code == "GM0599" else demo.orgs["provincie"]
    return Asset(
        name=f"{_USE_NAMES[use]} {m.name} {k + 1:04d}",
        scope="gww",
        use_type=use,
        owner=owner,
        lat=lat,
        lon=lon,
        municipality=m,
        construction_year=int(rng.integers(1950, 2005)),
        length_m=Decimal(str(length)),
        area_m2=Decimal(str(round(length * rng.uniform(6, 14)))),
        is_demo=True,
    )


def _make_stock(demo: _Demo, scale: int, mix) -> list[Asset]:
    """Buildings drawn from the MODERATE period mix and GWW objects, placed in
    municipalities by population."""
    uses, weights, periods = mix
    rng = demo.rng
    n_buildings, n_gww = 240 * scale, 30 * scale
    muni_idx = rng.choice(len(demo.zh), size=n_buildings + n_gww, p=demo.population_weights)
    combo = rng.choice(len(uses), size=n_buildings, p=weights)
    points = _Points(demo, muni_idx)
    assets = []
    for k in range(n_buildings):
        i = int(muni_idx[k])
        c = combo[k]
        assets.append(_building(demo, k, uses[c], period=periods[c], i=i, place=points.next(i)))
    for k in range(n_gww):
        assets.append(_gww_object(demo, k, int(muni_idx[n_buildings + k]), points))
    return assets


def _make_projects(demo: _Demo, scale: int) -> list[Asset]:
    """New construction projects: destinations of demand and of applied lots."""
    rng, projects = demo.rng, []
    for k in range(12 * scale):
        i = int(rng.choice(len(demo.zh), p=demo.population_weights))
        m = demo.zh[i]
        ((lat, lon),) = _random_points_in(_geometry(m), 1, rng)
        use = ["apartment", "house", "office", "education"][k % 4]
        projects.append(
            Asset(
                name=f"Nieuwbouwproject {m.name} {k + 1:03d}",
                scope="bu",
                use_type=use,
                owner=demo.owner_pool[k % len(demo.owner_pool)],
                lat=lat,
                lon=lon,
                municipality=m,
                construction_year=demo.today.year + 1,
                floor_area_m2=Decimal(str(int(rng.integers(800, 9000)))),
                is_demo=True,
            )
        )
    return projects


def _plan_interventions(demo: _Demo, assets: list[Asset]) -> list[tuple[Asset, date]]:
    """18 % planned for demolition (these get a passport), 10 % renovation/maintenance."""
    rng, today = demo.rng, demo.today
    interventions, passport_assets = [], []
    for a in assets:
        r = rng.random()
        if r < 0.18:
            kind, start = (
                InterventionKind.DEMOLITION,
                today + timedelta(days=int(rng.integers(-300, 4 * 365))),
            )
            end = start + timedelta(days=int(rng.integers(30, 180)))
            passport_assets.append((a, start))
        elif r < 0.28:
            start = today + timedelta(days=int(rng.integers(-200, 3 * 365)))
            kind = InterventionKind.RENOVATION if a.scope == "bu" else InterventionKind.MAINTENANCE
            end = start + timedelta(days=int(rng.integers(30, 365)))
        else:
            continue
        interventions.append(
            PlannedIntervention(asset=a, kind=kind, planned_start=start, planned_end=end)
        )
    PlannedIntervention.objects.bulk_create(interventions, batch_size=2000)
    return passport_assets


def _store_lots(lots: list[Lot], event_specs: list[list[dict]]) -> int:
    Lot.objects.bulk_create(lots, batch_size=2000)
    _reload_pks(Lot, lots, "code")
    through = Lot.source_assets.through
    through.objects.bulk_create(
        [through(lot_id=lot.pk, asset_id=lot.source_asset_id) for lot in lots], batch_size=5000
    )
    events = [
        LifecycleEvent(lot_id=lot.pk, **spec)
        for lot, specs in zip(lots, event_specs, strict=True)
        for spec in specs
    ]
    LifecycleEvent.objects.bulk_create(events, batch_size=5000)
    _store_inspections(lots)
    return len(events)


def _store_inspections(lots: list[Lot]) -> None:
    """Each demo quality control as the services record it (issue #14): the owner or
    custodian engaged the certifier, which inspected once (the engagement is done), with a
    certificate valid for two years when it passed."""
    events = list(
        LifecycleEvent.objects.filter(
            lot_id__in=[lot.pk for lot in lots], step=Step.QUALITY_CONTROL
        ).select_related("lot__product_group")
    )
    inspections = [
        Inspection(
            lot_id=e.lot_id,
            event_id=e.pk,
            inspector_id=e.organisation_id,
            inspected_on=e.occurred_at.date(),
            guideline=e.lot.product_group.assessment_guideline or "-",
            result=InspectionResult.PASSED if e.payload.get("passed") else InspectionResult.FAILED,
            certificate_number=f"DEMO-{e.lot.code}" if e.payload.get("passed") else "",
            valid_until=e.occurred_at.date() + timedelta(days=730)
            if e.payload.get("passed")
            else None,
            notes="demo",
        )
        for e in events
    ]
    Inspection.objects.bulk_create(inspections, batch_size=5000)
    by_event = dict(
        Inspection.objects.filter(event_id__in=[e.pk for e in events]).values_list("event_id", "id")
    )
    InspectionEngagement.objects.bulk_create(
        [
            InspectionEngagement(
                lot_id=e.lot_id,
                certifier_id=e.organisation_id,
                engaged_by_id=e.lot.owner_id,
                engaged_at=e.occurred_at - timedelta(days=3),
                status=EngagementStatus.DONE,
                inspection_id=by_event[e.pk],
            )
            for e in events
        ],
        batch_size=5000,
    )


DEMAND_GROUPS = [
    "bricks-clay",
    "steel-beams",
    "timber-beams",
    "hollow-core-slabs",
    "roof-tiles-ceramic",
    "window-frames-timber",
    "doors-interior",
    "paving-bricks",
    "glazing-double",
    "concrete-granulate",
]


def _make_demand(demo: _Demo, projects: list[Asset], scale: int) -> int:
    rng, orgs = demo.rng, demo.orgs
    buyers = [orgs["bouwer"], orgs["ontwerper"], orgs["eigenaar"], orgs["handelaar"]]
    demand = []
    for k in range(40 * scale):
        g = demo.groups[DEMAND_GROUPS[k % len(DEMAND_GROUPS)]]
        project = projects[int(rng.integers(0, len(projects)))]
        start = demo.today + timedelta(days=int(rng.integers(0, 540)))
        qty = (
            Decimal(int(rng.integers(5, 400)))
            if g.unit == "piece"
            else Decimal(int(rng.integers(10, 300)))
        )
        demand.append(
            DemandRequest(
                project=project,
                organisation=buyers[k % len(buyers)],
                product_group=g,
                quantity=qty,
                unit=g.unit,
                min_quality="ABCB"[k % 4],
                window_start=start,
                window_end=start + timedelta(days=int(rng.integers(30, 180))),
                max_distance_km=int(rng.choice([25, 50, 75, 100])),
                is_demo=True,
            )
        )
    DemandRequest.objects.bulk_create(demand, batch_size=2000)
    return len(demand)


@transaction.atomic
def load_demo(
    *,
    scale: int = 1,
    seed: int = 2026,
    today: date | None = None,
    progress=print,
    force: bool = False,
    steward_password: str | None = None,
) -> DemoReport:
    """Load the synthetic demo. Refuses a database with real records (unless `force`) and
    real accounts with demo names; creates the data steward only with `steward_password`."""
    if not force:
        refuse_real_data()
    t0 = timezone.now()
    rng = np.random.default_rng(seed)
    progress("municipalities (CBS 2024, real boundaries)…")
    municipalities_load()
    zh = list(Municipality.objects.filter(province_code=ZUID_HOLLAND).order_by("code"))
    progress("organisations and demo accounts…")
    orgs = _make_organisations(steward_password=steward_password)
    groups = {g.code: g for g in ProductGroup.objects.all()}
    demo = _Demo(rng, today or timezone.localdate(), zh, orgs, groups)
    progress("hubs of every typology…")
    _make_hubs(demo)
    progress("synthetic building stock (MODERATE 2020 period mix)…")
    mix = moderate_mix(Path(settings.DERIVED_DATA_DIR) / "moderate_nl_2020_mix.csv")
    mi = read_material_intensity(Path(settings.DERIVED_DATA_DIR) / "material_intensity_nl.csv")
    assets = _make_stock(demo, scale, mix)
    projects = _make_projects(demo, scale)
    Asset.objects.bulk_create(assets + projects, batch_size=2000)
    _reload_pks(Asset, assets + projects, "name")
    progress("planned interventions…")
    passport_assets = _plan_interventions(demo, assets)
    progress("material passports and lot histories…")
    lots, event_specs = _LotHistories(demo, mi, projects).make(passport_assets)
    n_events = _store_lots(lots, event_specs)
    _make_permits(demo, projects)
    _make_grants(demo, [a for a, _day in passport_assets], projects, scale)
    wf_events, wf_lots = _run_workflows(demo, scale, [lot.pk for lot in lots])
    n_events += wf_events
    progress("demand requests…")
    n_demand = _make_demand(demo, projects, scale)
    progress("open work for the start pages…")
    _make_open_work(demo, scale)
    make_network(orgs, today=demo.today)
    make_tender_demo(orgs=orgs, today=demo.today)  # issue #17: ambitions, clauses, a tender
    progress("knowledge base, step plans, barriers, example project…")
    load_knowledge_demo(today=demo.today)
    public_version_bump()  # bulk writes send no signals: cached public pages are stale
    _analyze()
    return DemoReport(
        municipalities=Municipality.objects.count(),
        organisations=len(orgs),
        assets=len(assets) + len(projects),
        lots=len(lots) + wf_lots,
        events=n_events,
        hubs=len(demo.hubs),
        demand=n_demand,
        seconds=(timezone.now() - t0).total_seconds(),
    )


_USE_NAMES = {
    "house": "Woning",
    "apartment": "Appartementencomplex",
    "office": "Kantoor",
    "retail": "Winkelpand",
    "education": "School",
    "healthcare": "Zorggebouw",
    "industrial": "Bedrijfshal",
    "other": "Gebouw",
    "road": "Weg",
    "bridge": "Brug",
    "quay": "Kademuur",
    "public_space": "Plein",
}


def _geometry(m: Municipality):
    from shapely.geometry import shape

    return shape(json.loads(m.boundary_geojson))


def _reload_pks(model, objs, key: str) -> None:
    if objs and objs[0].pk is None:
        ids = dict(
            model.objects.filter(**{f"{key}__in": [getattr(o, key) for o in objs]}).values_list(
                key, "id"
            )
        )
        for o in objs:
            o.pk = o.id = ids[getattr(o, key)]


def _intensities(mi, use: str, year: int) -> dict[str, float]:
    return {mat: kg for (p0, p1, mat, kg) in mi.get(use, []) if p0 <= year <= p1}


# Lifecycle paths (each a legal sequence through the state machine) with weights.
PATHS: list[tuple[list[str], float]] = [
    ([], 0.0),
    ([Step.INVENTORY], 0.30),
    ([Step.INVENTORY, Step.DISMANTLING], 0.22),
    ([Step.INVENTORY, Step.DISMANTLING, Step.QUALITY_CONTROL], 0.12),  # passed
    ([Step.INVENTORY, Step.DISMANTLING, Step.QUALITY_CONTROL + "!"], 0.03),  # failed
    # failed, then out of the chain by recycling (issue #14: exits on the R-ladder)
    ([Step.INVENTORY, Step.DISMANTLING, Step.QUALITY_CONTROL + "!", Step.EXIT], 0.01),
    ([Step.INVENTORY, Step.DISMANTLING, Step.CONNECTION], 0.08),
    ([Step.INVENTORY, Step.DISMANTLING, Step.QUALITY_CONTROL, Step.SALE], 0.08),
    ([Step.INVENTORY, Step.DISMANTLING, Step.QUALITY_CONTROL, Step.SALE, Step.EXECUTION], 0.06),
    (
        [
            Step.INVENTORY,
            Step.DISMANTLING,
            Step.QUALITY_CONTROL,
            Step.SALE,
            Step.EXECUTION,
            Step.MONITORING,
        ],
        0.03,
    ),
    ([], 0.07),  # identified only
]
STATUS_AFTER = {
    Step.IDENTIFICATION: Status.IDENTIFIED,
    Step.INVENTORY: Status.INVENTORIED,
    Step.DISMANTLING: Status.HARVESTED,
    Step.QUALITY_CONTROL: Status.APPROVED,
    Step.QUALITY_CONTROL + "!": Status.REJECTED,
    Step.CONNECTION: Status.RESERVED,
    Step.SALE: Status.SOLD,
    Step.EXECUTION: Status.APPLIED,
    Step.MONITORING: Status.APPLIED,
    Step.EXIT: Status.EXITED,
}


class _LotHistories:
    """Passport lines of the assets planned for demolition, each with a legal lifecycle
    history drawn from PATHS (`lifecycle.next_status` accepts every one of them)."""

    def __init__(self, demo: _Demo, mi, projects: list[Asset]) -> None:
        self.demo, self.mi, self.projects, self.rng = demo, mi, projects, demo.rng
        weights = np.array([w for _, w in PATHS])
        self.path_weights = weights / weights.sum()
        self.seq = _last_demo_code_number()
        self.now = timezone.now()
        self.hub_load = {h.id: 0.0 for h in demo.hubs}  # kg held: never overfill a hub
        orgs = demo.orgs
        self.step_rules = {
            Step.DISMANTLING: self._dismantling,
            Step.QUALITY_CONTROL: lambda lot, step: (
                orgs["certificeerder"],
                {"passed": not step.endswith("!")},
                {},
            ),
            Step.CONNECTION: self._connection,
            Step.SALE: self._sale,
            Step.EXECUTION: self._execution,
            Step.MONITORING: lambda lot, step: (orgs["provincie"], {}, {}),
            Step.EXIT: self._exit,
        }

    def make(self, passport_assets) -> tuple[list[Lot], list[list[dict]]]:
        lots, specs = [], []
        for asset, start in passport_assets:
            asbestos_risk = asset.construction_year and 1945 <= asset.construction_year <= 1993
            contracted = self.rng.random() < 0.5
            for g, mass_kg in self._lines(asset):
                made = self._lot(asset, start, g, mass_kg, bool(asbestos_risk))
                if made is None:
                    continue
                lot, path = made
                lots.append(lot)
                specs.append(self._history(lot, path, contracted))
        return lots, specs

    def _lines(self, asset: Asset) -> list[tuple[ProductGroup, float]]:
        """(product group, harvestable kg) per line of the asset's passport."""
        groups, lines = self.demo.groups, []
        if asset.scope == "bu":
            area = float(asset.floor_area_m2 or 0)
            for material, kg_m2 in _intensities(
                self.mi, asset.use_type, asset.construction_year or 0
            ).items():
                for code, share in HARVEST_SHARES.get(material, []):
                    if code in groups:
                        lines.append((groups[code], kg_m2 * area * share))
            return lines
        length, surf = float(asset.length_m or 0), float(asset.area_m2 or 0)
        for code, per, basis in GWW_LINES.get(asset.use_type, []):
            g = groups[code]
            if basis == "area_t":
                mass = surf * per * 1000
            else:
                qty = {"length": length * per, "area": surf * per}[basis]
                mass = qty * float(g.typical_mass_kg_per_unit)
            lines.append((g, mass))
        return lines

    def _lot(self, asset, start, g, mass_kg: float, asbestos_risk: bool):
        qty = mass_kg / float(g.typical_mass_kg_per_unit)
        qty = float(max(1, round(qty))) if g.unit == "piece" else round(max(qty, 0.001), 3)
        if qty <= 0:
            return None
        self.seq += 1
        rng = self.rng
        hazardous = bool(asbestos_risk and rng.random() < 0.03)
        path = PATHS[int(rng.choice(len(PATHS), p=self.path_weights))][0]
        if hazardous:
            path = [s for s in path[:2]]  # a hazardous lot stops before any offer or sale
        quality = "ABC"[int(rng.choice(3, p=[0.3, 0.5, 0.2]))]
        lot = Lot(
            code=f"D-{self.seq:07d}",
            product_group=g,
            description=f"{g.name_nl} uit {asset.name}",
            quantity=Decimal(str(qty)),
            unit=g.unit,
            mass_kg_per_unit=g.typical_mass_kg_per_unit,
            quality=quality,
            has_asbestos=hazardous,
            hazard_note="Asbestverdacht (bouwjaar 1945–1993)" if hazardous else "",
            owner=asset.owner,
            custodian=asset.owner,
            source_asset=asset,
            location=Location.IN_ASSET,
            status=Status.IDENTIFIED,
            status_since=self.now,
            expected_release_date=start,
            is_demo=True,
        )
        return lot, path

    def _history(self, lot: Lot, path, contracted: bool) -> list[dict]:
        orgs, rng = self.demo.orgs, self.rng
        t = self.now - timedelta(days=int(rng.integers(40, 420)))
        ev = [
            _spec(Step.IDENTIFICATION, t, orgs["inventariseerder"], lot, status=Status.IDENTIFIED)
        ]
        if contracted:
            # The owner contracted the demolisher, who holds custody from now on.
            lot.custodian = orgs["sloper"]
            custody = {"custodian_from": lot.owner_id, "custodian_to": orgs["sloper"].id}
            ev.append(
                _spec(
                    Step.CUSTODY_CHANGE,
                    t,
                    lot.owner,
                    lot,
                    status=Status.IDENTIFIED,
                    payload=custody,
                )
            )
        for step in path:
            t = min(t + timedelta(days=int(rng.integers(5, 60))), self.now)
            real_step = step.rstrip("!")
            rule = self.step_rules.get(real_step)
            org, payload, extra = rule(lot, step) if rule else (orgs["inventariseerder"], {}, {})
            if real_step == Step.DISMANTLING and lot.location == Location.AT_HUB:
                lot.hub_since = t
            lot.status, lot.status_since = STATUS_AFTER[step], t
            ev.append(_spec(real_step, t, org, lot, status=lot.status, payload=payload, **extra))
        lot.is_published = (not lot.is_hazardous) and lot.status in (
            Status.INVENTORIED,
            Status.HARVESTED,
            Status.APPROVED,
        )
        return ev

    def _dismantling(self, lot: Lot, step: str):
        """A hub that accepts the group and has room; otherwise it stays on site."""
        code, accepts = lot.product_group.code, self.demo.hub_accepts
        mass = float(lot.quantity * lot.mass_kg_per_unit)
        candidates = [
            h
            for h in self.demo.hubs
            if (not accepts[h.id] or code in accepts[h.id])
            and self.hub_load[h.id] + mass <= float(h.capacity_t) * 1000
        ]
        payload = {}
        if candidates:
            hub = candidates[int(self.rng.integers(0, len(candidates)))]
            self.hub_load[hub.id] += mass
            lot.location, lot.hub = Location.AT_HUB, hub
            lot.custodian = hub.operator
            payload = {"hub": hub.id}
        return self.demo.orgs["sloper"], payload, {}

    def _exit(self, lot: Lot, step: str):
        """The owner sends a rejected lot to the processor for recycling (R8)."""
        if lot.hub_id:
            self.hub_load[lot.hub_id] -= float(lot.quantity * lot.mass_kg_per_unit)
        owner, recycler = lot.owner, self.demo.orgs["verwerker"]
        lot.location, lot.hub, lot.hub_since = Location.EXITED, None, None
        mass = float(lot.quantity * lot.mass_kg_per_unit)
        payload = {"exit_route": "recycle", "received_by": recycler.id}
        return owner, payload, {"r_strategy": "R8", "waste_diverted_kg": mass}

    def _connection(self, lot: Lot, step: str):
        """The owner reserves the lot for the builder's project: it binds (issue #14)."""
        builder = self.demo.orgs["bouwer"]
        lot.reserved_for = builder
        return lot.owner, {"for_organisation": builder.id}, _impact(lot)

    def _sale(self, lot: Lot, step: str):
        """The owner sells (a sale is the owner's decision, issue #14)."""
        org = lot.owner
        buyer = self.demo.orgs["bouwer"]
        payload = {"owner_from": lot.owner_id, "owner_to": buyer.id}
        lot.owner = buyer
        return org, payload, _impact(lot)

    def _execution(self, lot: Lot, step: str):
        target = self.projects[int(self.rng.integers(0, len(self.projects)))]
        if lot.hub_id:
            self.hub_load[lot.hub_id] -= float(lot.quantity * lot.mass_kg_per_unit)
        lot.location, lot.applied_asset, lot.hub, lot.hub_since = (
            Location.APPLIED,
            target,
            None,
            None,
        )
        lot.r_strategy = RStrategy.R3
        return self.demo.orgs["bouwer"], {"asset": target.id}, _impact(lot)


def _analyze() -> None:
    """Fresh planner statistics after the bulk load (PostgreSQL): until autovacuum gets to
    it, the planner takes the lots table for a seventh of its size and hashes all of it to
    show one passport's history (17 ms instead of 0.2 ms on the demo x10)."""
    if connection.vendor != "postgresql":
        return
    tables = [m._meta.db_table for m in (Asset, PlannedIntervention, Lot, LifecycleEvent)]
    tables += [Lot.source_assets.through._meta.db_table, DemandRequest._meta.db_table]
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in tables))


#: Demo lot codes: D- and seven digits, numbered on from the highest in the database.
DEMO_CODE = r"^D-[0-9]{7}$"


def _last_demo_code_number() -> int:
    """The highest demo lot number already stored: a second load (another seed or scale,
    or the same again with --force) numbers on after it instead of colliding on codes."""
    last = (
        Lot.objects.filter(code__regex=DEMO_CODE)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    return int(last[2:]) if last else 0


def _impact(lot: Lot) -> dict:
    """Realised impact of a reservation, sale or application, as the services record it."""
    from urbanmine.lots.steps import realised_impact

    co2, waste = realised_impact(lot, lot.quantity)
    return {"r_strategy": RStrategy.R3, "co2_avoided_kg": co2, "waste_diverted_kg": waste}


def _spec(step, t: datetime, org, lot: Lot, *, status, payload=None, **extra) -> dict:
    return dict(
        step=step,
        occurred_at=t,
        organisation=org,
        location=lot.location,
        asset=lot.applied_asset if lot.location == Location.APPLIED else lot.source_asset,
        hub=lot.hub if lot.location == Location.AT_HUB else None,
        quantity=lot.quantity,
        status_after=status,
        payload=payload or {},
        notes="demo",
        **extra,
    )
