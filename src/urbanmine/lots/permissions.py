"""Who may see a lot and who may record which step on it. Pages, API and services ask these;
no other module decides it.

- Anyone sees published lots (the public supply).
- The owner and the custodian see their lots; who records which step is the table
  `lifecycle.RECORDED_BY` over the user's relations to the lot (`lot_relations`): changes of
  hands are the owner's (a custodian proposes, the owner accepts), inspections are a
  certifier's that the owner or custodian engaged.
- A reservation holder sees the lot reserved for it; a certifier sees the lots it was
  engaged for or inspected (also after a rejection).
- Platform-wide roles (matchmaker / platform manager, staff) see every lot.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from urbanmine.assets.models import GrantRole
from urbanmine.assets.permissions import asset_may_add_lots, granted_asset_ids, granted_filter
from urbanmine.hubs.models import Hub
from urbanmine.hubs.permissions import hub_may_change
from urbanmine.organisations.membership import (
    user_has_role,
    user_is_platform_wide,
    user_organisation_ids,
)
from urbanmine.organisations.models import ChainRole

from .lifecycle import PROPOSED_BY, RECORDED_BY, Relation, Step, may_propose, may_record
from .models import (
    EngagementStatus,
    Inspection,
    InspectionEngagement,
    Location,
    Lot,
    TransferProposal,
    TransferStatus,
)


def lots_visible_filter(user, prefix: str = "") -> Q:
    """Lots a user may see, as a filter; `prefix` points it through a relation ("lot__")."""
    if user_is_platform_wide(user):
        return Q()
    published = Q(**{f"{prefix}is_published": True})
    orgs = user_organisation_ids(user)
    if not orgs:
        return published
    lot_ref = OuterRef(prefix[:-2] or "pk")
    inspected = Exists(Inspection.objects.filter(lot=lot_ref, inspector_id__in=orgs))
    engaged = Exists(InspectionEngagement.objects.filter(lot=lot_ref, certifier_id__in=orgs))
    asked = Exists(  # a proposal waits for this organisation's answer
        TransferProposal.objects.filter(
            lot=lot_ref, counterparty_id__in=orgs, status=TransferStatus.PENDING
        )
    )
    return (
        published
        | Q(**{f"{prefix}owner_id__in": orgs})
        | Q(**{f"{prefix}custodian_id__in": orgs})
        | Q(**{f"{prefix}reserved_for_id__in": orgs})
        | Q(inspected)
        | Q(engaged)
        | Q(asked)
        | granted_filter(user, f"{prefix}source_asset")  # the owner let it in on the asset
    )


def lots_visibility_key(user) -> tuple:
    """What `lots_visible_filter` decides for this user, as a cache key: users with equal
    keys see the same lots (platform-wide: all; otherwise published lots and those of
    these organisations). Change it with the filter."""
    if user_is_platform_wide(user):
        return ("all",)
    granted = tuple(sorted(granted_asset_ids(user)))  # grants start and end with the date
    return ("orgs", tuple(sorted(user_organisation_ids(user))), granted)


def lots_visible_to(user) -> QuerySet[Lot]:
    return Lot.objects.filter(lots_visible_filter(user))


def lot_may_view(user, lot: Lot) -> bool:
    if lot.is_published or user_is_platform_wide(user) or lot_may_change(user, lot):
        return True
    orgs = user_organisation_ids(user)
    if not orgs:
        return False
    return (
        lot.reserved_for_id in orgs
        or (lot.source_asset_id is not None and lot.source_asset_id in granted_asset_ids(user))
        or lot.inspections.filter(inspector_id__in=orgs).exists()
        or lot.engagements.filter(certifier_id__in=orgs).exists()
        or lot.transfer_proposals.filter(
            counterparty_id__in=orgs, status=TransferStatus.PENDING
        ).exists()
    )


def lot_may_change(user, lot: Lot) -> bool:
    """Owner and custodian act on a lot."""
    orgs = user_organisation_ids(user)
    return lot.owner_id in orgs or lot.custodian_id in orgs


def lot_relations(user, lot: Lot) -> frozenset[str]:
    """How the user's organisations stand to the lot (lifecycle.Relation): what
    `lifecycle.RECORDED_BY` decides from. A certifier is engaged only while an open
    engagement names one of its organisations, and never on a lot it owns or holds."""
    orgs = user_organisation_ids(user)
    if not orgs:
        return frozenset()
    rel = set()
    if lot.owner_id in orgs:
        rel.add(Relation.OWNER)
    if lot.custodian_id in orgs:
        rel.add(Relation.CUSTODIAN)
    if lot.reserved_for_id in orgs and lot.reserved_for_id != lot.owner_id:
        rel.add(Relation.RESERVATION_HOLDER)
    if not rel & {Relation.OWNER, Relation.CUSTODIAN} and lot_engaged_certifier(user, lot):
        rel.add(Relation.ENGAGED_CERTIFIER)
    if (
        lot.location == Location.IN_ASSET
        and lot.source_asset_id is not None
        and not rel & {Relation.OWNER, Relation.CUSTODIAN}
        and lot.source_asset_id in granted_asset_ids(user, roles=[GrantRole.DEMOLISHER])
    ):
        rel.add(Relation.GRANTED_DEMOLISHER)
    return frozenset(rel)


def lot_engaged_certifier(user, lot: Lot) -> int | None:
    """The user's certifier organisation with an open engagement for this lot, if any."""
    if not user_has_role(user, ChainRole.CERTIFIER):
        return None
    orgs = [o for o in user_organisation_ids(user) if o not in (lot.owner_id, lot.custodian_id)]
    if not orgs:
        return None
    return (
        InspectionEngagement.objects.filter(
            lot=lot, certifier_id__in=orgs, status=EngagementStatus.OPEN
        )
        .values_list("certifier_id", flat=True)
        .first()
    )


def lot_recordable_steps(user, lot: Lot) -> frozenset[str]:
    """The steps this user records on this lot (lifecycle.RECORDED_BY); legality in the
    lot's status is the state machine's question, not this one's."""
    rel = lot_relations(user, lot)
    return frozenset(step for step in RECORDED_BY if may_record(rel, step))


def lot_proposable_steps(user, lot: Lot) -> frozenset[str]:
    """The steps this user may propose for the owner to accept (a custodian's sale)."""
    rel = lot_relations(user, lot)
    return frozenset(step for step in PROPOSED_BY if may_propose(rel, step))


def lot_may_record(user, lot: Lot, step: str) -> bool:
    return may_record(lot_relations(user, lot), step)


def lot_may_correct(user, lot: Lot, event) -> bool:
    """The organisation that recorded a step corrects it within the correction period; the
    data steward (staff) at any time."""
    if not (user and user.is_authenticated):
        return False
    if user.is_staff:
        return True
    if event.organisation_id not in user_organisation_ids(user):
        return False
    return timezone.now() - event.recorded_at <= timedelta(days=settings.URBANMINE_CORRECTION_DAYS)


def lot_may_engage_certifier(user, lot: Lot) -> bool:
    """The owner or the custodian asks a certifier to inspect the lot."""
    return lot_may_change(user, lot)


def transfer_may_decide(user, proposal) -> bool:
    """The lot's owner accepts or declines a custodian's sale or ownership change; the
    proposed new custodian a custody change."""
    orgs = user_organisation_ids(user)
    if proposal.step == Step.CUSTODY_CHANGE:
        return proposal.counterparty_id in orgs
    return proposal.lot.owner_id in orgs


def transfers_to_decide_filter(user) -> Q:
    """Pending proposals this user decides (the rule of `transfer_may_decide`, as a filter)."""
    orgs = user_organisation_ids(user)
    return Q(status=TransferStatus.PENDING) & (
        Q(step=Step.CUSTODY_CHANGE, counterparty_id__in=orgs)
        | (~Q(step=Step.CUSTODY_CHANGE) & Q(lot__owner_id__in=orgs))
    )


def transfer_may_view(user, proposal) -> bool:
    """Proposals (with their price and terms) are for the parties: owner, proposer and the
    counterparty, and platform-wide roles."""
    if user_is_platform_wide(user):
        return True
    orgs = user_organisation_ids(user)
    return bool(
        {proposal.lot.owner_id, proposal.proposed_by_id, proposal.counterparty_id} & set(orgs)
    )


def transfer_may_withdraw(user, proposal) -> bool:
    return proposal.proposed_by_id in user_organisation_ids(user)


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
