"""Every write of the tender tool: one transaction each, permission and validity checked
once here for the pages, the API and the demo. Errors name the field (Dutch through
gettext); nothing is half-saved."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from urbanmine.assets.models import Asset
from urbanmine.catalogue.models import ProductGroup
from urbanmine.engine.tenders import R_LEVELS, tightening_violations
from urbanmine.organisations.membership import acting_organisation, user_organisation_ids
from urbanmine.organisations.models import ChainRole, Organisation
from urbanmine.regions.models import Municipality

from .models import (
    Ambition,
    AmbitionLevel,
    Bid,
    Clause,
    ClauseKind,
    Commitment,
    Phase,
    Tender,
    TenderClause,
    TenderStatus,
)
from .permissions import (
    clause_may_author,
    is_client,
    is_province,
    municipal_organisations,
    municipality_ids_for_area_ambitions,
    tender_may_change,
    tender_may_create_for,
)
from .selectors import passport_masses, targets_of


def _labels() -> dict[str, str]:
    return {
        "harvest_pct": _("harvest percentage"),
        "secondary_pct": _("share of secondary materials"),
        "min_r_level": _("minimum R-level"),
        "detachability_score": _("detachability score"),
        "co2_reduction_pct": _("CO2 reduction"),
        "group_targets": _("targets per product group"),
        "min_harvest_pct": _("minimum harvest percentage"),
        "min_secondary_pct": _("minimum share of secondary materials"),
        "discount_eur_per_t": _("fictitious discount per tonne"),
        "eur_per_quality_point": _("fictitious discount per quality point"),
        "reuse_plan_score": _("reuse plan score"),
        "price_eur": _("price"),
        "max_resale_days": _("maximum resale time"),
        "mass_basis_t": _("expected mass"),
    }


class _Errors:
    """Collects field errors; `raise_if_any` raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _number(errors: _Errors, field: str, value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        d = Decimal(str(value).replace(",", "."))
    except (InvalidOperation, ValueError):
        errors.add(field, _("The %(field)s is not a number.") % {"field": _labels()[field]})
        return None
    if not d.is_finite():
        errors.add(field, _("The %(field)s is not a number.") % {"field": _labels()[field]})
        return None
    return d


def _pct(errors: _Errors, field: str, value: Any) -> Decimal | None:
    d = _number(errors, field, value)
    if d is not None and not Decimal(0) <= d <= Decimal(100):
        errors.add(
            field,
            _("The %(field)s must lie between 0 and 100%% (given: %(value)s).")
            % {"field": _labels()[field], "value": value},
        )
        return None
    return d


def _not_negative(errors: _Errors, field: str, value: Any) -> Decimal | None:
    d = _number(errors, field, value)
    if d is not None and d < 0:
        errors.add(
            field,
            _("The %(field)s may not be below zero (given: %(value)s).")
            % {"field": _labels()[field], "value": value},
        )
        return None
    return d


def _group_targets(errors: _Errors, targets: Mapping[str, Any] | None) -> dict[str, float]:
    out: dict[str, float] = {}
    if not targets:
        return out
    known = set(ProductGroup.objects.filter(code__in=list(targets)).values_list("code", flat=True))
    for code, value in targets.items():
        if code not in known:
            errors.add("group_targets", _("Unknown product group %(code)s.") % {"code": code})
            continue
        d = _pct(errors, "group_targets", value)
        if d is not None:
            out[code] = float(d)
    return out


# ------------------------------------------------------------------------ ambitions
class AmbitionTargetsIn(TypedDict, total=False):
    harvest_pct: Any
    secondary_pct: Any
    min_r_level: str
    detachability_score: Any
    co2_reduction_pct: Any
    group_targets: Mapping[str, Any] | None


class _AmbitionRequired(TypedDict):
    name: str
    level: str
    phase: str
    year: Any


class AmbitionFields(_AmbitionRequired, AmbitionTargetsIn, total=False):
    """An ambition: its name, level (area: `municipalities`; project: `asset` and the
    area ambition it inherits, `parent`), phase, year and targets."""

    municipalities: Iterable[Municipality]
    asset: Asset | None
    parent: Ambition | None


def _targets(errors: _Errors, fields: AmbitionTargetsIn) -> dict[str, Any]:
    """The targets checked: percentages 0–100, the detachability score 1–5, an R-level."""
    values: dict[str, Any] = {
        "harvest_pct": _pct(errors, "harvest_pct", fields.get("harvest_pct")),
        "secondary_pct": _pct(errors, "secondary_pct", fields.get("secondary_pct")),
        "co2_reduction_pct": _pct(errors, "co2_reduction_pct", fields.get("co2_reduction_pct")),
        "detachability_score": _number(
            errors, "detachability_score", fields.get("detachability_score")
        ),
        "min_r_level": fields.get("min_r_level") or "",
        "group_targets": _group_targets(errors, fields.get("group_targets")),
    }
    d = values["detachability_score"]
    if d is not None and not Decimal(1) <= d <= Decimal(5):
        errors.add("detachability_score", _("The detachability score must lie between 1 and 5."))
    if values["min_r_level"] and values["min_r_level"] not in R_LEVELS:
        errors.add("min_r_level", _("Choose an R-level from R0 to R9."))
    return values


def _check_heading(errors: _Errors, fields: AmbitionFields) -> int:
    if fields.get("level") not in AmbitionLevel.values:
        errors.add("level", _("Choose area or project."))
    if fields.get("phase") not in Phase.values:
        errors.add("phase", _("Choose demolition or new build."))
    if not (fields.get("name") or "").strip():
        errors.add("name", _("Give the ambition a name."))
    try:
        year = int(fields.get("year"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        errors.add("year", _("The year is not a whole number."))
        return 0
    if not 2000 <= year <= 2100:
        errors.add("year", _("The year must lie between 2000 and 2100."))
    return year


def _area_owner(actor, errors: _Errors, fields: AmbitionFields, owner) -> Organisation:
    """Who sets an area ambition (the province, or a municipality for its own area)."""
    allowed = municipality_ids_for_area_ambitions(actor)
    if allowed is not None and not allowed:
        raise PermissionDenied(_("Only the province or a municipality sets area ambitions."))
    municipalities = list(fields.get("municipalities") or ())
    if not municipalities:
        errors.add("municipalities", _("Choose at least one municipality."))
    elif allowed is not None and any(m.pk not in allowed for m in municipalities):
        errors.add("municipalities", _("You may set ambitions only for your own municipality."))
    if fields.get("asset") is not None or fields.get("parent") is not None:
        errors.add("asset", _("An area ambition names no project."))
    if owner is None and not is_province(actor):
        orgs = municipal_organisations(actor)
        owner = orgs[0] if orgs else None
    return owner or acting_organisation(actor, None, role=ChainRole.MATCHMAKER)


def _project_owner(actor, errors: _Errors, fields: AmbitionFields) -> Organisation:
    """A project ambition: the asset's owner, inheriting an area ambition that covers it."""
    asset = fields.get("asset")
    if asset is None:
        errors.add("asset", _("Choose the project (asset)."))
        errors.raise_if_any()
    assert asset is not None
    if not (is_client(actor) and asset.owner_id in user_organisation_ids(actor)):
        raise PermissionDenied(_("Only the asset's owner sets its ambition."))
    parent = fields.get("parent")
    if parent is None:  # inherited without asking: the newest area ambition covering it
        parent = (
            Ambition.objects.filter(
                level=AmbitionLevel.AREA,
                phase=fields.get("phase"),
                municipalities=asset.municipality_id,
            )
            .order_by("-year", "-id")
            .first()
        )
        fields["parent"] = parent
    elif parent is not None:
        if parent.level != AmbitionLevel.AREA:
            errors.add("parent", _("A project inherits an area ambition."))
        elif not parent.municipalities.filter(pk=asset.municipality_id).exists():
            errors.add("parent", _("The area ambition does not cover this project."))
        elif parent.phase != fields.get("phase"):
            errors.add("parent", _("The area ambition is for another phase."))
    return asset.owner


@transaction.atomic
def ambition_create(
    *,
    actor,
    owner: Organisation | None = None,
    is_demo: bool = False,
    **fields: Unpack[AmbitionFields],
) -> Ambition:
    """Record an ambition. An area ambition (province or municipality) covers
    municipalities; a project ambition (the asset's owner) may inherit an area ambition
    covering the asset and may only tighten it (refused naming each looser field)."""
    errors = _Errors()
    year = _check_heading(errors, fields)
    targets = _targets(errors, fields)
    area = fields.get("level") == AmbitionLevel.AREA
    if area:
        owner = _area_owner(actor, errors, fields, owner)
    elif fields.get("level") == AmbitionLevel.PROJECT:
        owner = _project_owner(actor, errors, fields)
    errors.raise_if_any()
    ambition = Ambition(
        owner=owner,
        name=fields["name"].strip(),
        level=fields["level"],
        phase=fields["phase"],
        year=year,
        asset=None if area else fields.get("asset"),
        parent=None if area else fields.get("parent"),
        created_by=actor,
        is_demo=is_demo,
        **targets,
    )
    if ambition.parent is not None:
        _check_tightens(ambition.parent, ambition)
    ambition.save()
    if area:
        ambition.municipalities.set(list(fields.get("municipalities") or ()))
    return ambition


def _check_tightens(area: Ambition, project: Ambition) -> None:
    """Refuse a project ambition that loosens the area ambition it inherits, naming
    each field."""
    wrong = tightening_violations(targets_of(area), targets_of(project))
    if not wrong:
        return
    labels = _labels()
    errors = _Errors()
    for name in wrong:
        if name.startswith("group_harvest_pct:"):
            code = name.split(":", 1)[1]
            need = area.group_targets.get(code)
            errors.add(
                "group_targets",
                _(
                    "The target for %(group)s may not be below the area ambition's "
                    "%(need)s%%: a project may only tighten it."
                )
                % {"group": code, "need": need},
            )
            continue
        need = getattr(area, name)
        errors.add(
            name,
            _(
                "The %(field)s may not be looser than the area ambition "
                "(%(area)s: %(need)s): a project may only tighten it."
            )
            % {"field": labels[name], "area": area.name, "need": need},
        )
    errors.raise_if_any()


# ------------------------------------------------------------------------- clauses
class _ClauseRequired(TypedDict):
    code: str
    title: str
    kind: str
    text: str
    source: str


class ClauseFields(_ClauseRequired, total=False):
    phase: str
    product_groups: Iterable[ProductGroup]


@transaction.atomic
def clause_create(
    *,
    actor,
    author: Organisation | None = None,
    is_demo: bool = False,
    **fields: Unpack[ClauseFields],
) -> Clause:
    """Add a clause, or the next version of a clause with the same code (the earlier
    versions stay: tenders keep the version they took)."""
    if actor is not None and not clause_may_author(actor):
        raise PermissionDenied(_("Only the province and municipalities add clauses."))
    errors = _Errors()
    code = (fields.get("code") or "").strip().lower()
    title, kind, text = fields.get("title") or "", fields.get("kind"), fields.get("text") or ""
    source, phase = fields.get("source") or "", fields.get("phase") or ""
    if not code:
        errors.add("code", _("Give the clause a code."))
    if not title.strip():
        errors.add("title", _("Give the clause a title."))
    if kind not in ClauseKind.values:
        errors.add("kind", _("Choose the kind of clause."))
    if phase and phase not in Phase.values:
        errors.add("phase", _("Choose demolition or new build."))
    if not text.strip():
        errors.add("text", _("The clause needs a text."))
    if not source.strip():
        errors.add("source", _("Name the source the clause rests on."))
    errors.raise_if_any()
    if author is None and actor is not None:
        orgs = municipal_organisations(actor)
        author = orgs[0] if orgs and not is_province(actor) else None
        author = author or acting_organisation(actor, None, role=ChainRole.MATCHMAKER)
    last = Clause.objects.select_for_update().filter(code=code).aggregate(v=Max("version"))["v"]
    clause = Clause.objects.create(
        code=code,
        version=(last or 0) + 1,
        title=title.strip(),
        kind=kind,
        phase=phase,
        text=text.strip(),
        source=source.strip(),
        author=author,
        is_demo=is_demo,
    )
    clause.product_groups.set(list(fields.get("product_groups") or ()))
    return clause


# ------------------------------------------------------------------------- tenders
def _effective_harvest(ambition: Ambition | None) -> Decimal | None:
    if ambition is None:
        return None
    if ambition.harvest_pct is None and ambition.parent is not None:
        return ambition.parent.harvest_pct
    return ambition.harvest_pct


@transaction.atomic
def tender_create(
    *,
    actor,
    asset: Asset,
    title: str,
    phase: str,
    ambition: Ambition | None = None,
    is_demo: bool = False,
) -> Tender:
    """A tender for the asset's demolition or construction, by its owner; requirements
    start from the ambition (its harvest or secondary share), the expected mass from the
    passport (or its estimate)."""
    if not tender_may_create_for(actor, asset):
        raise PermissionDenied(_("Only the asset's owner tenders its project."))
    errors = _Errors()
    if phase not in Phase.values:
        errors.add("phase", _("Choose demolition or new build."))
    if not (title or "").strip():
        errors.add("title", _("Give the tender a title."))
    if ambition is not None:
        covers = (
            ambition.asset_id == asset.pk
            if ambition.level == AmbitionLevel.PROJECT
            else ambition.municipalities.filter(pk=asset.municipality_id).exists()
        )
        if not covers:
            errors.add("ambition", _("This ambition does not cover the project."))
        elif ambition.phase != phase:
            errors.add("ambition", _("This ambition is for another phase."))
    errors.raise_if_any()
    mass_t = Decimal(str(round(passport_masses(asset).total_kg / 1000, 1)))
    harvest = _effective_harvest(ambition) if phase == Phase.DEMOLITION else None
    secondary = ambition.secondary_pct if (ambition and phase == Phase.NEW_BUILD) else None
    return Tender.objects.create(
        asset=asset,
        owner=asset.owner,
        ambition=ambition,
        title=title.strip(),
        phase=phase,
        mass_basis_t=mass_t,
        min_harvest_pct=harvest,
        min_secondary_pct=secondary,
        created_by=actor,
        is_demo=is_demo,
    )


def _locked_draft(actor, tender: Tender) -> Tender:
    if not tender_may_change(actor, tender):
        raise PermissionDenied(_("Only the client changes its tender."))
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if locked.status != TenderStatus.DRAFT:
        raise ValidationError(_("The tender has been awarded: it no longer changes."))
    return locked


class CriteriaFields(TypedDict, total=False):
    """A tender's requirements and award criteria (empty: none)."""

    min_harvest_pct: Any
    min_secondary_pct: Any
    max_resale_days: Any
    discount_eur_per_t: Any
    eur_per_quality_point: Any
    mass_basis_t: Any
    requires_reuse_plan: bool
    requires_inventory: bool
    requires_registration: bool


@transaction.atomic
def tender_set_criteria(*, actor, tender: Tender, **fields: Unpack[CriteriaFields]) -> Tender:
    """Requirements and award criteria of a tender in preparation."""
    t = _locked_draft(actor, tender)
    errors = _Errors()
    harvest = _pct(errors, "min_harvest_pct", fields.get("min_harvest_pct"))
    secondary = _pct(errors, "min_secondary_pct", fields.get("min_secondary_pct"))
    discount = _not_negative(errors, "discount_eur_per_t", fields.get("discount_eur_per_t"))
    per_point = _not_negative(errors, "eur_per_quality_point", fields.get("eur_per_quality_point"))
    days = _not_negative(errors, "max_resale_days", fields.get("max_resale_days"))
    if days is not None and days != int(days):
        errors.add("max_resale_days", _("The maximum resale time is a whole number of days."))
    mass = _not_negative(errors, "mass_basis_t", fields.get("mass_basis_t"))
    need = _effective_harvest(t.ambition) if t.phase == Phase.DEMOLITION else None
    if harvest is not None and need is not None and harvest < need:
        errors.add(
            "min_harvest_pct",
            _("The minimum harvest percentage may not be below the ambition's %(need)s%%.")
            % {"need": need},
        )
    errors.raise_if_any()
    t.min_harvest_pct = harvest
    t.min_secondary_pct = secondary
    t.max_resale_days = None if days is None else int(days)
    t.discount_eur_per_t = discount
    t.eur_per_quality_point = per_point
    if mass is not None:
        t.mass_basis_t = mass
    t.requires_reuse_plan = bool(fields.get("requires_reuse_plan", True))
    t.requires_inventory = bool(fields.get("requires_inventory", True))
    t.requires_registration = bool(fields.get("requires_registration", True))
    t.save()
    return t


@transaction.atomic
def tender_add_clause(*, actor, tender: Tender, clause: Clause) -> TenderClause:
    t = _locked_draft(actor, tender)
    if TenderClause.objects.filter(tender=t, clause__code=clause.code).exists():
        raise ValidationError({"clause": _("The tender already holds this clause.")})
    last = TenderClause.objects.filter(tender=t).aggregate(p=Max("position"))["p"]
    return TenderClause.objects.create(tender=t, clause=clause, position=(last or 0) + 1)


@transaction.atomic
def tender_remove_clause(*, actor, tender: Tender, clause: Clause) -> None:
    t = _locked_draft(actor, tender)
    TenderClause.objects.filter(tender=t, clause=clause).delete()


class _BidRequired(TypedDict):
    bidder: str
    price_eur: Any


class BidFields(_BidRequired, total=False):
    """A bid: price, promised harvest % (demolition) or secondary share (new build),
    R-level, date by which harvested lots are resold, reuse plan score (0–10)."""

    harvest_pct: Any
    secondary_pct: Any
    r_level: str
    resale_by: date | None
    reuse_plan_score: Any


def _bid_figures(errors: _Errors, fields: BidFields, today: date) -> dict[str, Any]:
    """The bid's own figures checked: ranges, an R-level, a resale date not in the past."""
    if not (fields.get("bidder") or "").strip():
        errors.add("bidder", _("Name the bidder."))
    price = _not_negative(errors, "price_eur", fields.get("price_eur"))
    if price is None and "price_eur" not in errors.errors:
        errors.add("price_eur", _("Give the bid's price."))
    score = _number(errors, "reuse_plan_score", fields.get("reuse_plan_score"))
    if score is not None and not Decimal(0) <= score <= Decimal(10):
        errors.add("reuse_plan_score", _("The reuse plan score must lie between 0 and 10."))
    r_level = fields.get("r_level") or ""
    if r_level and r_level not in R_LEVELS:
        errors.add("r_level", _("Choose an R-level from R0 to R9."))
    resale_by = fields.get("resale_by")
    if resale_by is not None and resale_by < today:
        errors.add(
            "resale_by",
            _("The resale date %(day)s lies in the past.")
            % {"day": resale_by.strftime("%d-%m-%Y")},
        )
    return {
        "bidder": (fields.get("bidder") or "").strip(),
        "price_eur": price,
        "harvest_pct": _pct(errors, "harvest_pct", fields.get("harvest_pct")),
        "secondary_pct": _pct(errors, "secondary_pct", fields.get("secondary_pct")),
        "r_level": r_level,
        "resale_by": resale_by,
        "reuse_plan_score": score,
    }


def _bid_fits_tender(errors: _Errors, t: Tender, bid: dict[str, Any]) -> None:
    """A figure for a criterion the tender lacks is refused, naming it."""
    harvest, secondary = bid["harvest_pct"], bid["secondary_pct"]
    if t.phase == Phase.DEMOLITION:
        if secondary is not None:
            errors.add(
                "secondary_pct",
                _("This demolition tender has no criterion for a share of secondary materials."),
            )
        if harvest is None and "harvest_pct" not in errors.errors:
            errors.add("harvest_pct", _("Give the promised harvest percentage."))
        if harvest is not None and t.min_harvest_pct is not None and harvest < t.min_harvest_pct:
            errors.add(
                "harvest_pct",
                _("The harvest percentage is below the required minimum of %(min)s%%.")
                % {"min": t.min_harvest_pct},
            )
    else:
        if harvest is not None:
            errors.add(
                "harvest_pct",
                _("This construction tender has no criterion for a harvest percentage."),
            )
        if secondary is None and "secondary_pct" not in errors.errors:
            errors.add("secondary_pct", _("Give the promised share of secondary materials."))
        if bid["resale_by"] is not None:
            errors.add(
                "resale_by", _("This construction tender has no criterion for a resale time.")
            )
    if bid["reuse_plan_score"] is not None and not t.eur_per_quality_point:
        errors.add(
            "reuse_plan_score",
            _("This tender has no quality criterion: a reuse plan score is not assessed."),
        )


@transaction.atomic
def bid_create(
    *,
    actor,
    tender: Tender,
    today: date | None = None,
    is_demo: bool = False,
    **fields: Unpack[BidFields],
) -> Bid:
    """Enter a bid. A figure for a criterion the tender lacks is refused (a quality score
    without a quality criterion, a secondary share in a demolition tender, ...)."""
    t = _locked_draft(actor, tender)
    errors = _Errors()
    bid = _bid_figures(errors, fields, today or timezone.localdate())
    _bid_fits_tender(errors, t, bid)
    errors.raise_if_any()
    return Bid.objects.create(tender=t, is_demo=is_demo, **bid)


@transaction.atomic
def tender_award(*, actor, tender: Tender, bid: Bid, is_demo: bool = False) -> Commitment:
    """Award the tender to a bid: its promises become the project's commitments."""
    t = _locked_draft(actor, tender)
    if bid.tender_id != t.pk:
        raise ValidationError({"bid": _("This bid belongs to another tender.")})
    t.status = TenderStatus.AWARDED
    t.awarded_bid = bid
    t.save(update_fields=["status", "awarded_bid"])
    return Commitment.objects.create(
        tender=t,
        bid=bid,
        harvest_pct=bid.harvest_pct,
        secondary_pct=bid.secondary_pct,
        r_level=bid.r_level,
        resale_by=bid.resale_by,
        max_resale_days=t.max_resale_days,
        committed_at=timezone.now(),
        is_demo=is_demo or t.is_demo,
    )
