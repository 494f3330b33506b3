"""Who may see a lot and who may record which step on it. Pages, API and services ask these;
no other module decides it.

- Anyone sees published lots (the public supply).
- The owner and the custodian see their lots and record every step on them.
- A product inspector & certifier records quality controls on offered lots it does not hold,
  and keeps seeing the lots it inspected (also after a rejection).
- Platform-wide roles (matchmaker / platform manager, staff) see every lot.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Q, QuerySet

from urbanmine.assets.permissions import asset_may_add_lots
from urbanmine.hubs.models import Hub
from urbanmine.hubs.permissions import hub_may_change
from urbanmine.organisations.membership import (
    user_has_role,
    user_is_platform_wide,
    user_organisation_ids,
)
from urbanmine.organisations.models import ChainRole

from .lifecycle import Step
from .models import Inspection, Lot


def lots_visible_filter(user, prefix: str = "") -> Q:
    """Lots a user may see, as a filter; `prefix` points it through a relation ("lot__")."""
    if user_is_platform_wide(user):
        return Q()
    published = Q(**{f"{prefix}is_published": True})
    orgs = user_organisation_ids(user)
    if not orgs:
        return published
    inspected = Exists(
        Inspection.objects.filter(lot=OuterRef(prefix[:-2] or "pk"), inspector_id__in=orgs)
    )
    return (
        published
        | Q(**{f"{prefix}owner_id__in": orgs})
        | Q(**{f"{prefix}custodian_id__in": orgs})
        | Q(inspected)
    )


def lots_visibility_key(user) -> tuple:
    """What `lots_visible_filter` decides for this user, as a cache key: users with equal
    keys see the same lots (platform-wide: all; otherwise published lots and those of
    these organisations). Change it with the filter."""
    if user_is_platform_wide(user):
        return ("all",)
    return ("orgs", tuple(sorted(user_organisation_ids(user))))


def lots_visible_to(user) -> QuerySet[Lot]:
    return Lot.objects.filter(lots_visible_filter(user))


def lot_may_view(user, lot: Lot) -> bool:
    if lot.is_published or user_is_platform_wide(user) or lot_may_change(user, lot):
        return True
    orgs = user_organisation_ids(user)
    return bool(orgs) and lot.inspections.filter(inspector_id__in=orgs).exists()


def lot_may_change(user, lot: Lot) -> bool:
    """Owner and custodian act on a lot."""
    orgs = user_organisation_ids(user)
    return lot.owner_id in orgs or lot.custodian_id in orgs


def lot_may_inspect(user, lot: Lot) -> bool:
    """A certifier records quality controls on lots it may see as offered supply (every lot
    for platform-wide users): the inspection need not be the owner's own."""
    return user_has_role(user, ChainRole.CERTIFIER) and (
        lot.is_published or user_is_platform_wide(user)
    )


def lot_recordable_steps(user, lot: Lot) -> Collection[str] | None:
    """The steps this user may record on this lot: None means every legal step (owner,
    custodian); a certifier gets quality control only; others an empty set."""
    if lot_may_change(user, lot):
        return None
    if lot_may_inspect(user, lot):
        return {Step.QUALITY_CONTROL}
    return frozenset()


def lot_may_record(user, lot: Lot, step: str) -> bool:
    steps = lot_recordable_steps(user, lot)
    return steps is None or step in steps


def lot_acts_as_certifier(user, lot: Lot) -> bool:
    """The user records an inspection as a certifier, not as owner or custodian."""
    return not lot_may_change(user, lot) and lot_may_inspect(user, lot)


def hub_stock_visible_filter(user, hub: Hub) -> Q:
    """The operator and platform-wide roles see all of a hub's stock; others the lots they
    may see (offered supply, their own) — never another organisation's unpublished lots."""
    if hub_may_change(user, hub) or user_is_platform_wide(user):
        return Q()
    return lots_visible_filter(user)


def lot_sees_identities(user, lot: Lot) -> bool:
    """Who is behind a lot — its owner's, custodian's and the history's organisation names
    and its source and target assets' names — is for signed-in users. An anonymous visitor
    sees the product, its quantity, quality and status, its place as a municipality and
    the history as steps with dates and statuses."""
    return bool(user and user.is_authenticated)


def lot_sees_private_notes(user, lot: Lot) -> bool:
    """The login names of the people who recorded the steps and the notes they wrote are for
    the owner, the custodian and platform-wide roles; other organisations see neither."""
    return lot_may_change(user, lot) or user_is_platform_wide(user)


# ------------------------------------------------------------------------ inventory imports
def inventory_import_may_start(user, asset) -> bool:
    """Whoever adds lots to an asset's passport imports an inventory into it (the owner, or
    an inventoriser who may see the asset)."""
    return asset_may_add_lots(user, asset)


def inventory_import_may_view(user, job) -> bool:
    """An import job (its progress, result and issues) is seen by its starter, the
    organisation it was started for, and platform-wide roles."""
    if not (user and user.is_authenticated):
        return False
    if job.started_by_id == user.pk or user_is_platform_wide(user):
        return True
    return job.organisation_id is not None and job.organisation_id in user_organisation_ids(user)


def inventory_import_may_cancel(user, job) -> bool:
    """Its starter stops an import job."""
    return bool(user and user.is_authenticated) and job.started_by_id == user.pk


def inventory_imports_visible_filter(user) -> Q:
    """`inventory_import_may_view` as a filter."""
    if not (user and user.is_authenticated):
        return Q(pk__in=[])
    if user_is_platform_wide(user):
        return Q()
    return Q(started_by_id=user.pk) | Q(organisation_id__in=user_organisation_ids(user))
