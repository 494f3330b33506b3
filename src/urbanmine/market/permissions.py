"""Who may see demand and proposals, run the matching and accept a proposal."""

from __future__ import annotations

from django.db.models import Q

from urbanmine.assets.permissions import BUILDING_FOR_OWNER, granted_asset_ids
from urbanmine.organisations.membership import user_is_platform_wide, user_organisation_ids


def demand_visible_filter(user) -> Q:
    """A buyer sees its organisations' demand; platform-wide roles see all demand."""
    if user_is_platform_wide(user):
        return Q()
    return Q(organisation_id__in=user_organisation_ids(user))


def demand_may_request(user, *, organisation, project) -> bool:
    """Demand is requested for one's own organisation and a project it owns or builds or
    designs for the owner (a grant); platform-wide roles may request for any project, e.g.
    on behalf of a municipality."""
    orgs = user_organisation_ids(user)
    if organisation.id not in orgs:
        return False
    return (
        project.owner_id in orgs
        or user_is_platform_wide(user)
        or project.pk in granted_asset_ids(user, roles=BUILDING_FOR_OWNER)
    )


def proposals_visible_filter(user) -> Q:
    """Proposals for a user's demand or for lots they own or hold; all for platform-wide
    roles."""
    if user_is_platform_wide(user):
        return Q()
    orgs = user_organisation_ids(user)
    return (
        Q(demand__organisation_id__in=orgs)
        | Q(lot__owner_id__in=orgs)
        | Q(lot__custodian_id__in=orgs)
    )


def proposal_may_accept(user, demand) -> bool:
    """The buyer of the demand or a matchmaker accepts a proposal (a reservation)."""
    return demand.organisation_id in user_organisation_ids(user) or user_is_platform_wide(user)


def matching_may_run(user) -> bool:
    """Only the matchmaker / platform manager optimises the whole region."""
    return user_is_platform_wide(user)


def match_run_may_view(user, run) -> bool:
    """Runs are aggregate (counts, value, progress): every signed-in user follows them."""
    return bool(user and user.is_authenticated)


def match_run_may_cancel(user, run) -> bool:
    """The one who started a run, or a matchmaker, may stop it."""
    if not (user and user.is_authenticated):
        return False
    return (run.started_by_id is not None and run.started_by_id == user.id) or matching_may_run(
        user
    )


def reservation_requests_visible_filter(user) -> Q:
    """A request is seen by who asked and by the lot's owner (platform-wide roles: all)."""
    if user_is_platform_wide(user):
        return Q()
    orgs = user_organisation_ids(user)
    return Q(requester_id__in=orgs) | Q(lot__owner_id__in=orgs)


def reservation_request_may_decide(user, request) -> bool:
    """The owner of the lot accepts or declines."""
    return request.lot.owner_id in user_organisation_ids(user)


def reservation_request_may_withdraw(user, request) -> bool:
    return request.requester_id in user_organisation_ids(user)
