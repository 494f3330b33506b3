"""The permit authority (issue #14): projects that apply secondary materials in the
municipalities it serves appear on its list; it records a decision per project; no lots
are applied in a project whose permit was refused."""

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from tests.support.chain import harvest_into_hub
from urbanmine.assets.models import PermitDecision, PermitStatus
from urbanmine.assets.services import permit_decide
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.services import lot_record_step
from urbanmine.market.selectors import permit_projects
from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole
from urbanmine.regions.models import Municipality


@pytest.fixture
def authority(chain):
    """Omgevingsdienst serving Delft (where the buyer's project is), and its officer."""
    org = Organisation.objects.create(name="Omgevingsdienst Test")
    OrganisationRole.objects.create(organisation=org, role=ChainRole.PERMIT_AUTHORITY)
    org.municipalities_served.add(Municipality.objects.get(code="GM0503"))
    user = get_user_model().objects.create_user("vergunning", password="pw-test-12345")
    Membership.objects.create(user=user, organisation=org)
    return user


@pytest.fixture
def bought(chain, identified_lot):
    """Part of the owner's bricks sold to the buyer, harvested and ready to apply."""
    lot = harvest_into_hub(chain, identified_lot)
    return lot_record_step(
        lot_id=lot.id,
        step=Step.SALE,
        actor=chain.owner_user,
        counterparty=chain.buyer,
        quantity=500,
    ).lot


def test_projects_applying_secondary_materials_are_on_the_authoritys_list(chain, authority, bought):
    assert permit_projects(authority) == []  # nothing applied or reserved yet
    lot_record_step(
        lot_id=bought.id, step=Step.EXECUTION, actor=chain.buyer_user, target_asset=chain.project
    )
    (project,) = permit_projects(authority)
    assert project.asset == chain.project and project.applied_lots == 1 and project.permit is None
    # an authority that does not serve Delft sees nothing, others get no page
    other = Organisation.objects.create(name="Omgevingsdienst Elders")
    OrganisationRole.objects.create(organisation=other, role=ChainRole.PERMIT_AUTHORITY)
    other.municipalities_served.add(Municipality.objects.get(code="GM0599"))
    Membership.objects.create(user=chain.outsider_user, organisation=other)
    assert permit_projects(chain.outsider_user) == []
    web = Client()
    web.force_login(chain.owner_user)
    assert web.get("/permits/").status_code == 403
    web.force_login(authority)
    page = web.get("/permits/")
    assert page.status_code == 200 and "Nieuwbouw Delft" in page.content.decode()


def test_a_refused_permit_stops_application(chain, authority, bought):
    decision = permit_decide(
        asset=chain.project, status=PermitStatus.REFUSED, actor=authority, case_number="OLO-1"
    )
    assert decision.authority.name == "Omgevingsdienst Test"
    with pytest.raises(ValidationError) as e:
        lot_record_step(
            lot_id=bought.id,
            step=Step.EXECUTION,
            actor=chain.buyer_user,
            target_asset=chain.project,
        )
    assert "target_asset" in e.value.message_dict
    # a later decision holds: granted with conditions lets the lot be applied
    with pytest.raises(ValidationError) as e:
        permit_decide(
            asset=chain.project, status=PermitStatus.GRANTED_WITH_CONDITIONS, actor=authority
        )
    assert "conditions" in e.value.message_dict
    permit_decide(
        asset=chain.project,
        status=PermitStatus.GRANTED_WITH_CONDITIONS,
        actor=authority,
        conditions="Constructieve toets",
    )
    lot_record_step(
        lot_id=bought.id, step=Step.EXECUTION, actor=chain.buyer_user, target_asset=chain.project
    )
    assert PermitDecision.objects.filter(asset=chain.project).count() == 2


def test_only_an_authority_serving_the_municipality_decides(chain, authority):
    for user in (chain.owner_user, chain.buyer_user):
        with pytest.raises(PermissionDenied):
            permit_decide(asset=chain.project, status=PermitStatus.GRANTED, actor=user)
    with pytest.raises(PermissionDenied):  # Rotterdam is not served
        permit_decide(asset=chain.building, status=PermitStatus.GRANTED, actor=authority)
    web = Client()
    web.force_login(authority)
    r = web.post("/permits/", {"asset": chain.building.pk, "status": "granted"})
    assert r.status_code == 403
    r = web.post("/permits/", {"asset": chain.project.pk, "status": "refused"})
    assert r.status_code == 302
    assert PermitDecision.objects.get().status == "refused"
