"""Writes on assets and their planned interventions."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, TypedDict, Unpack

import numpy as np
from auditlog.context import set_actor
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.catalogue.models import Scope
from urbanmine.core.cache import public_version_bump
from urbanmine.core.documents import validate_pdf
from urbanmine.core.keywords import check_keywords
from urbanmine.engine import bag
from urbanmine.engine.forecast import IntensityTable, read_intensities
from urbanmine.organisations.models import ChainRole, Organisation
from urbanmine.regions.models import Municipality
from urbanmine.regions.services import ensure_municipalities, municipality_for_point, parse_location

from .models import (
    Asset,
    AssetGrant,
    GrantRole,
    PassportEstimate,
    PermitDecision,
    PermitStatus,
    PlannedIntervention,
)
from .permissions import (
    asset_may_change,
    asset_may_grant,
    asset_may_register_for,
    permit_authority_for,
)


class _AssetRequired(TypedDict):
    name: str
    scope: str
    use_type: str


class AssetFields(_AssetRequired, total=False):
    """What registering an asset needs: a name, scope and use type, and a place given as
    WGS84 `lat`/`lon` or RD New `rd_x`/`rd_y` (the municipality follows from it).
    (Optional keys by class totality: postponed annotations hide `NotRequired` at run time.)"""

    lat: float | None
    lon: float | None
    rd_x: float | None
    rd_y: float | None
    address: str
    construction_year: int | None
    floor_area_m2: Decimal | float | None
    length_m: Decimal | float | None
    area_m2: Decimal | float | None
    is_demo: bool


@transaction.atomic
def asset_create(*, owner: Organisation, actor=None, **fields: Unpack[AssetFields]) -> Asset:
    """Register an asset for `owner` (`actor` None: the system, e.g. a data import)."""
    check_keywords("asset_create", fields, AssetFields)
    if actor is not None and not asset_may_register_for(actor, owner):
        raise PermissionDenied(_("You may only register assets for your own organisation."))
    lat, lon = parse_location(
        lat=fields.get("lat"),
        lon=fields.get("lon"),
        rd_x=fields.get("rd_x"),
        rd_y=fields.get("rd_y"),
    )
    year = fields.get("construction_year")
    if year is not None and int(year) > timezone.now().year + 5:
        raise ValidationError(
            {"construction_year": _("The construction year lies too far in the future.")}
        )
    asset = Asset(
        owner=owner,
        name=fields["name"],
        scope=fields["scope"],
        use_type=fields["use_type"],
        lat=lat,
        lon=lon,
        municipality=municipality_for_point(lat, lon),
        address=fields.get("address", ""),
        construction_year=year,
        floor_area_m2=fields.get("floor_area_m2"),
        length_m=fields.get("length_m"),
        area_m2=fields.get("area_m2"),
        is_demo=fields.get("is_demo", False),
    )
    asset.full_clean()
    with set_actor(actor):  # the audit log names who registered it, with or without a request
        asset.save()
    return asset


@transaction.atomic
def intervention_plan(
    *,
    asset: Asset,
    kind: str,
    planned_start: date,
    planned_end: date,
    actor=None,
    note: str = "",
) -> PlannedIntervention:
    if actor is not None and not asset_may_change(actor, asset):
        raise PermissionDenied(_("Only the asset owner plans interventions."))
    item = PlannedIntervention(
        asset=asset, kind=kind, planned_start=planned_start, planned_end=planned_end, note=note
    )
    item.full_clean()
    with set_actor(actor):  # the audit log names who planned it
        item.save()
    return item


@transaction.atomic
def permit_decide(
    *,
    asset: Asset,
    status: str,
    actor,
    conditions: str = "",
    case_number: str = "",
    document: File | None = None,
) -> PermitDecision:
    """The permit authority records its decision on a project (added to the project's
    decisions; the latest holds), with the decision itself attached as PDF if given."""
    authority = permit_authority_for(actor, asset)
    if authority is None:
        raise PermissionDenied(
            _("Only a permit authority serving %(m)s decides on this project.")
            % {"m": asset.municipality}
        )
    if status not in PermitStatus.values:
        raise ValidationError({"status": _("Choose a decision.")})
    if status == PermitStatus.GRANTED_WITH_CONDITIONS and not conditions.strip():
        raise ValidationError({"conditions": _("Name the conditions of the permit.")})
    if document is not None:
        validate_pdf(document, "document")
    with set_actor(actor):
        decision = PermitDecision.objects.create(
            asset=asset,
            authority=authority,
            status=status,
            conditions=conditions.strip(),
            case_number=case_number.strip()[:40],
            decided_by=actor,
            decided_at=timezone.now(),
        )
        if document is not None:
            decision.document.save("decision.pdf", document, save=True)
    return decision


#: the chain role an organisation needs to be granted a role on an asset
GRANT_NEEDS_ROLE = {
    GrantRole.INVENTORISER: ChainRole.INVENTORISER,
    GrantRole.DEMOLISHER: ChainRole.DEMOLISHER,
    GrantRole.DESIGNER: ChainRole.DESIGNER,
    GrantRole.BUILDER: ChainRole.BUILDER,
    GrantRole.PERMIT_AUTHORITY: ChainRole.PERMIT_AUTHORITY,
    # publishing on the owner's behalf: an inventory firm, typically
    GrantRole.PUBLISHER: ChainRole.INVENTORISER,
}


@transaction.atomic
def asset_grant(
    *,
    asset: Asset,
    organisation: Organisation,
    role: str,
    actor,
    starts_on: date | None = None,
    ends_on: date | None = None,
) -> AssetGrant:
    """The owner lets `organisation` in on the asset in `role` from `starts_on` (today)
    until `ends_on` (open). Refused: a grant to the owner itself, to an organisation without
    that chain role, an end before the start, or a second grant overlapping a live one."""
    if not asset_may_grant(actor, asset):
        raise PermissionDenied(_("Only the asset's owner grants access to it."))
    if role not in GrantRole.values:
        raise ValidationError({"role": _("Choose a role.")})
    if organisation.pk == asset.owner_id:
        raise ValidationError(
            {"organisation": _("%(org)s owns the asset already.") % {"org": organisation}}
        )
    needed = GRANT_NEEDS_ROLE[GrantRole(role)]
    if not organisation.roles.filter(role=needed).exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s is not registered as %(role)s.")
                % {"org": organisation, "role": needed.label.lower()}
            }
        )
    starts_on = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(
            {"ends_on": _("The end date lies before the start date (%(d)s).") % {"d": starts_on}}
        )
    Asset.objects.select_for_update().filter(pk=asset.pk).first()  # one grant at a time
    overlapping = AssetGrant.objects.filter(
        asset=asset, organisation=organisation, role=role, revoked_at__isnull=True
    ).exclude(ends_on__lt=starts_on)
    if ends_on is not None:
        overlapping = overlapping.exclude(starts_on__gt=ends_on)
    if overlapping.exists():
        raise ValidationError(
            {
                "organisation": _("%(org)s already has this role on %(asset)s.")
                % {"org": organisation, "asset": asset.name}
            }
        )
    with set_actor(actor):
        return AssetGrant.objects.create(
            asset=asset,
            organisation=organisation,
            role=role,
            starts_on=starts_on,
            ends_on=ends_on,
            granted_by=actor if getattr(actor, "is_authenticated", False) else None,
            granted_at=timezone.now(),
        )


@transaction.atomic
def asset_grant_revoke(*, grant_id: int, actor) -> AssetGrant:
    """The owner ends a grant now; the grant stays in the asset's access history."""
    grant = AssetGrant.objects.select_for_update().select_related("asset").filter(pk=grant_id)
    found = grant.first()
    if found is None:
        raise ValidationError({"grant": _("Grant %(id)s does not exist.") % {"id": grant_id}})
    if not asset_may_grant(actor, found.asset):
        raise PermissionDenied(_("Only the asset's owner revokes access to it."))
    if found.revoked_at is not None:
        raise ValidationError({"grant": _("This grant was revoked already.")})
    found.revoked_at = timezone.now()
    found.revoked_by = actor if getattr(actor, "is_authenticated", False) else None
    with set_actor(actor):
        found.save(update_fields=["revoked_at", "revoked_by"])
    return found


# --------------------------------------------------------------------------- BAG import
#: The organisation that owns imported buildings whose owner the BAG does not know (the BAG
#: registers buildings, not owners). It has no members, so only platform-wide roles see
#: these assets until a data steward assigns the real owner (ADR 0006).
UNKNOWN_OWNER_NAME = "Eigenaar onbekend (BAG-import)"
ESTIMATE_SOURCE = (
    "urbanmine data/material_intensity_nl.csv (MIR-DB v1.2, Sprecher et al. 2022; "
    "RASMI, Fishman et al. 2024)"
)
#: The asset fields a (re-)import sets from the BAG; the name and owner are set only once.
BAG_FIELDS = (
    "use_type",
    "construction_year",
    "floor_area_m2",
    "lat",
    "lon",
    "municipality_id",
    "address",
)


def bag_unknown_owner() -> Organisation:
    """The placeholder owner of imported buildings (created on first use)."""
    org, _created = Organisation.objects.get_or_create(name=UNKNOWN_OWNER_NAME)
    return org


@dataclass
class BagImportReport:
    """What `assets_import_bag` did (or, in a dry run, would do); `to_dict` is the JSON
    report of `urbanmine import-bag --format json` (fields documented in ADR 0006)."""

    file: str
    dry_run: bool
    strict: bool
    municipality: str | None
    owner: Organisation
    buildings: bag.BagBuildings
    outside_municipality: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    estimates_written: int = 0
    with_inventory: int = 0
    registered_now_gone: list[str] = field(default_factory=list)
    estimated_kg: dict[str, float] = field(default_factory=dict)
    refused: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        b = self.buildings
        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "strict": self.strict,
            "refused": self.refused,
            "stored": not (self.dry_run or self.refused),
            "municipality": self.municipality,
            "owner": {"id": self.owner.pk, "name": self.owner.name},
            "features": b.features,
            "buildings": {
                "eligible": len(b),
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "with_inventory": self.with_inventory,
            },
            "skipped": {
                "status": b.skipped.get("status", {}),
                "no_units": b.skipped.get("no_units", 0),
                "rejected": b.skipped.get("rejected", 0),
                "outside_municipality": self.outside_municipality,
            },
            "units": b.units,
            "by_use_type": _count(b.use_type),
            "by_period": _count(bag.period_labels(b.construction_year)),
            "by_use_type_and_period": b.counts_by_use_and_period(),
            "floor_area_m2": round(float(b.floor_area_m2.sum()), 1),
            "estimate": {
                "written": self.estimates_written,
                "total_kg": round(sum(self.estimated_kg.values()), 1),
                "by_material_kg": self.estimated_kg,
                "source": ESTIMATE_SOURCE,
            },
            "registered_now_gone": self.registered_now_gone,
            "issues": [i.to_dict() for i in b.issues],
            "seconds": round(self.seconds, 2),
        }


def _count(values: Any) -> dict[str, int]:
    labels, counts = np.unique(np.asarray(values, dtype=str), return_counts=True)
    return {str(k): int(v) for k, v in zip(labels, counts, strict=True)}


@lru_cache(maxsize=1)
def _intensities() -> IntensityTable:
    return read_intensities(Path(settings.DERIVED_DATA_DIR) / "material_intensity_nl.csv")


def _municipality_boundaries() -> list[tuple[str, dict]]:
    ensure_municipalities()
    return [
        (code, json.loads(boundary))
        for code, boundary in Municipality.objects.exclude(boundary_geojson="").values_list(
            "code", "boundary_geojson"
        )
    ]


def assets_import_bag(
    *,
    path: Path | str,
    owner: Organisation | None = None,
    municipality_code: str | None = None,
    dry_run: bool = False,
    strict: bool = False,
    today_year: int | None = None,
) -> BagImportReport:
    """Register the buildings of a BAG GeoPackage as assets with an estimated passport, or
    update the ones registered before (matched by BAG id; never a duplicate). One
    transaction: all or nothing. Raises `engine.bag.BagFileError` for a file that is not
    the BAG layout (nothing stored); implausible features are skipped and named in the
    report, or, with `strict`, refuse the whole file (nothing stored)."""
    t0 = time.perf_counter()
    today_year = today_year or timezone.localdate().year
    if municipality_code and not Municipality.objects.filter(code=municipality_code).exists():
        raise ValidationError(
            {
                "municipality": _("%(code)s is no CBS municipality code.")
                % {"code": municipality_code}
            }
        )
    buildings = bag.read_bag_geopackage(path, today_year=today_year)
    buildings = bag.assign_municipalities(buildings, _municipality_boundaries())
    outside = 0
    if municipality_code:
        inside = buildings.municipality_code == municipality_code
        outside = int((~inside).sum())
        buildings = buildings.take(inside)
    report = BagImportReport(
        file=str(path),
        dry_run=dry_run,
        strict=strict,
        municipality=municipality_code,
        owner=owner or (Organisation(name=UNKNOWN_OWNER_NAME) if dry_run else bag_unknown_owner()),
        buildings=buildings,
        outside_municipality=outside,
    )
    if strict and buildings.issues:
        report.refused = True
        report.seconds = time.perf_counter() - t0
        return report
    table = _intensities()
    mass = bag.estimate_mass_kg(
        table, buildings.use_type, buildings.construction_year, buildings.floor_area_m2
    )
    report.estimated_kg = {
        m: round(float(kg), 1) for m, kg in zip(table.materials, mass.sum(axis=0), strict=True)
    }
    with transaction.atomic():
        _bag_store(report, mass, table.materials)
        if dry_run:
            transaction.set_rollback(True)
    report.seconds = time.perf_counter() - t0
    return report


def _bag_values(b: bag.BagBuildings, i: int, municipality_ids: dict[str, int]) -> tuple:
    """The BAG_FIELDS of building i, in the form the database returns them."""
    return (
        str(b.use_type[i]),
        int(b.construction_year[i]),
        Decimal(f"{b.floor_area_m2[i]:.1f}"),
        round(float(b.lat[i]), 6),
        round(float(b.lon[i]), 6),
        municipality_ids[str(b.municipality_code[i])],
        str(b.address[i])[:200],
    )


def _bag_store(report: BagImportReport, mass: np.ndarray, materials: tuple[str, ...]) -> None:
    """Create, update or leave each building and its estimate: a fixed number of queries
    (bulk inserts and updates in batches), never one per building."""
    b = report.buildings
    municipality_ids = dict(Municipality.objects.values_list("code", "id"))
    existing = {
        row[0]: row[1:]
        for row in Asset.objects.filter(bag_id__isnull=False).values_list(
            "bag_id", "id", *BAG_FIELDS
        )
    }
    new, changed = [], []
    for i, bag_id in enumerate(b.bag_id.tolist()):
        values = _bag_values(b, i, municipality_ids)
        known = existing.get(bag_id)
        if known is None:
            address = values[-1]
            new.append(
                Asset(
                    name=(address or f"BAG {bag_id}")[:200],
                    scope=Scope.BU,
                    owner=report.owner,
                    bag_id=bag_id,
                    **dict(zip(BAG_FIELDS, values, strict=True)),
                )
            )
        elif tuple(known[1:]) != values:
            asset = Asset(pk=known[0], bag_id=bag_id, **dict(zip(BAG_FIELDS, values, strict=True)))
            changed.append(asset)
    report.created, report.updated = len(new), len(changed)
    report.unchanged = len(b) - len(new) - len(changed)
    if not report.dry_run:
        Asset.objects.bulk_create(new, batch_size=1000)
        if changed:
            Asset.objects.bulk_update(changed, list(BAG_FIELDS), batch_size=500)
    ids = dict(Asset.objects.filter(bag_id__isnull=False).values_list("bag_id", "id"))
    estimates = {
        asset_id: (kg, basis, source)
        for asset_id, kg, basis, source in PassportEstimate.objects.filter(
            asset__bag_id__isnull=False
        ).values_list("asset_id", "materials_kg", "basis", "source")
    }
    now = timezone.now()
    est_new: list[PassportEstimate] = []
    est_changed: list[PassportEstimate] = []
    for i, bag_id in enumerate(b.bag_id.tolist()):
        kg = {m: round(float(v), 1) for m, v in zip(materials, mass[i], strict=True) if v > 0}
        asset_id = ids.get(bag_id, 0)  # 0: a dry run's new building (never stored)
        basis = (
            f"{b.use_type[i]}, built {int(b.construction_year[i])}, "
            f"{b.floor_area_m2[i]:.1f} m² floor area (BAG {bag_id})"
        )
        if estimates.get(asset_id) == (kg, basis, ESTIMATE_SOURCE):
            continue
        item = PassportEstimate(
            asset_id=asset_id,
            materials_kg=kg,
            total_kg=round(sum(kg.values()), 1),
            basis=basis,
            source=ESTIMATE_SOURCE,
            updated_at=now,
        )
        (est_changed if asset_id in estimates else est_new).append(item)
    report.estimates_written = len(est_new) + len(est_changed)
    if not report.dry_run:
        PassportEstimate.objects.bulk_create(est_new, batch_size=1000)
        if est_changed:
            PassportEstimate.objects.bulk_update(
                est_changed, ["materials_kg", "total_kg", "basis", "source", "updated_at"],
                batch_size=500,
            )  # fmt: skip
    gone = set(b.gone_ids)
    report.registered_now_gone = sorted(bag_id for bag_id in ids if bag_id in gone)
    if not report.dry_run and (new or changed or est_new or est_changed):
        public_version_bump()  # bulk writes send no signals: cached pages are stale now
    report.with_inventory = (
        Asset.objects.filter(bag_id__isnull=False, lots__isnull=False).distinct().count()
    )


@transaction.atomic
def asset_grant_many(*, assets: list[Asset], actor, **fields) -> list[AssetGrant]:
    """The same grant on several of the owner's assets (a project of several buildings):
    all or none; an error names the asset."""
    grants = []
    for asset in assets:
        try:
            grants.append(asset_grant(asset=asset, actor=actor, **fields))
        except ValidationError as e:
            raise ValidationError(
                {
                    field: [f"{asset.name}: {m}" for m in msgs]
                    for field, msgs in e.message_dict.items()
                }
            ) from None
    return grants
