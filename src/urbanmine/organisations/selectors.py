"""Who may see and change what: every page and endpoint asks these functions."""

from django.db.models import Exists, OuterRef, Q

from .models import ChainRole, Organisation


def user_organisation_ids(user) -> set[int]:
    """The organisations a user acts for (cached on the user object per request)."""
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_urbanmine_org_ids", None)
    if cached is None:
        cached = set(user.memberships.values_list("organisation_id", flat=True))
        user._urbanmine_org_ids = cached
    return cached


def user_roles(user) -> set[str]:
    if not user or not user.is_authenticated:
        return set()
    cached = getattr(user, "_urbanmine_roles", None)
    if cached is None:
        from .models import OrganisationRole

        cached = set(
            OrganisationRole.objects.filter(
                organisation_id__in=user_organisation_ids(user)
            ).values_list("role", flat=True)
        )
        user._urbanmine_roles = cached
    return cached


def user_is_platform_wide(user) -> bool:
    """Matchmakers / platform managers and staff see every passport (not change it)."""
    return bool(
        user
        and user.is_authenticated
        and (user.is_staff or ChainRole.MATCHMAKER in user_roles(user))
    )


def organisations_for_user(user):
    return Organisation.objects.filter(id__in=user_organisation_ids(user))


def primary_organisation(user) -> Organisation | None:
    ids = sorted(user_organisation_ids(user))
    return Organisation.objects.filter(id=ids[0]).first() if ids else None


def may_change_lot(user, lot) -> bool:
    orgs = user_organisation_ids(user)
    return lot.owner_id in orgs or lot.custodian_id in orgs


def may_inspect_lot(user, lot) -> bool:
    """A product inspector & certifier records quality controls on lots it may see (offered
    supply; every lot for platform-wide users): the inspection need not be the owner's own."""
    return ChainRole.CERTIFIER in user_roles(user) and (
        lot.is_published or user_is_platform_wide(user)
    )


def may_record_step(user, lot, step: str) -> bool:
    """Owner and custodian record every step; a certifier also records quality controls."""
    from urbanmine.lots.lifecycle import Step

    return may_change_lot(user, lot) or (
        step == Step.QUALITY_CONTROL and may_inspect_lot(user, lot)
    )


def may_change_asset(user, asset) -> bool:
    return asset.owner_id in user_organisation_ids(user)


def may_change_hub(user, hub) -> bool:
    return hub.operator_id in user_organisation_ids(user)


def visible_assets_filter(user) -> Q:
    """Assets a user may open: owned by their organisation, or holding lots they own or
    hold custody of; platform-wide roles see all."""
    if user_is_platform_wide(user):
        return Q()
    orgs = user_organisation_ids(user)
    return Q(owner_id__in=orgs) | Q(lots__custodian_id__in=orgs) | Q(lots__owner_id__in=orgs)


def visible_lots_filter(user, prefix: str = "") -> Q:
    """Lots a user may see: published ones, their own (owner or custodian), the ones their
    organisation inspected, or all for platform-wide roles. `prefix` points the filter through a relation (e.g. "lot__")."""
    if user_is_platform_wide(user):
        return Q()
    from urbanmine.lots.models import Inspection

    orgs = user_organisation_ids(user)
    inspected = Exists(  # a certifier keeps seeing the lots it inspected (even rejected ones)
        Inspection.objects.filter(lot=OuterRef(prefix[:-2] or "pk"), inspector_id__in=orgs)
    )
    return (
        Q(**{f"{prefix}is_published": True})
        | Q(**{f"{prefix}owner_id__in": orgs})
        | Q(**{f"{prefix}custodian_id__in": orgs})
        | Q(inspected)
    )


def sees_whole_passport(user, asset) -> bool:
    """The asset's owner and platform-wide roles see every lot of its passport; others (a
    buyer of one lot, the hub holding another) see only the lots they may see."""
    return may_change_asset(user, asset) or user_is_platform_wide(user)
