"""Who a user acts for: one function for every write that needs an organisation."""

import pytest
from django.core.exceptions import PermissionDenied

from urbanmine.organisations.membership import (
    acting_organisation,
    acting_organisation_or_none,
    user_has_role,
    user_is_platform_wide,
    user_organisation_ids,
)
from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole


@pytest.fixture
def two_hats(chain):
    """The outsider (a trader) also works for a second organisation that certifies."""
    second = Organisation.objects.create(name="Keuring Twee")
    OrganisationRole.objects.create(organisation=second, role=ChainRole.CERTIFIER)
    Membership.objects.create(user=chain.outsider_user, organisation=second)
    chain.outsider_user.__dict__.pop("_urbanmine_org_ids", None)
    chain.outsider_user.__dict__.pop("_urbanmine_roles", None)
    return second


def test_the_first_organisation_by_default_and_a_requested_one_when_a_member(chain, two_hats):
    user = chain.outsider_user
    assert acting_organisation(user) == chain.outsider  # the lowest id
    assert acting_organisation(user, two_hats) == two_hats


def test_a_requested_organisation_the_user_does_not_act_for_is_refused(chain):
    with pytest.raises(PermissionDenied):
        acting_organisation(chain.outsider_user, chain.owner)


def test_a_role_picks_the_organisation_that_holds_it(chain, two_hats):
    user = chain.outsider_user
    assert acting_organisation(user, role=ChainRole.CERTIFIER) == two_hats
    # requested but without the role: the organisation that holds it
    assert acting_organisation(user, chain.outsider, role=ChainRole.CERTIFIER) == two_hats
    with pytest.raises(PermissionDenied):
        acting_organisation(user, role=ChainRole.PERMIT_AUTHORITY)


def test_anonymous_acts_for_nobody(db):
    from django.contrib.auth.models import AnonymousUser

    anonymous = AnonymousUser()
    assert user_organisation_ids(anonymous) == frozenset()
    assert not user_is_platform_wide(anonymous)
    assert acting_organisation_or_none(anonymous) is None


def test_roles_and_platform_wide(chain, django_assert_num_queries):
    user = chain.matchmaker_user
    with django_assert_num_queries(1):  # memberships with their roles: then cached on the user
        assert user_is_platform_wide(user)
        assert user_has_role(user, ChainRole.MATCHMAKER)
        assert not user_has_role(user, ChainRole.CERTIFIER)
    assert not user_is_platform_wide(chain.owner_user)
