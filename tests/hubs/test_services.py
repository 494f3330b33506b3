"""The hub's own rules: its settings (the same ranges on the web and in the API) and what
it takes in."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from urbanmine.hubs.models import Hub
from urbanmine.hubs.services import hub_intake_check, hub_settings_update


def test_only_the_operator_changes_settings(chain):
    with pytest.raises(PermissionDenied):
        hub_settings_update(hub=chain.hub, actor=chain.owner_user, max_dwell_days=10)
    hub_settings_update(hub=chain.hub, actor=chain.hub_operator_user, max_dwell_days=10)
    assert Hub.objects.get(pk=chain.hub.pk).max_dwell_days == 10


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"max_dwell_days": 0}, "max_dwell_days"),
        ({"max_dwell_days": 4000}, "max_dwell_days"),
        ({"capacity_t": Decimal("-1")}, "capacity_t"),
        ({"capacity_m2": Decimal("-1")}, "capacity_m2"),
    ],
)
def test_settings_out_of_range_name_the_field_and_change_nothing(chain, changes, field):
    with pytest.raises(ValidationError) as e:
        hub_settings_update(hub=chain.hub, actor=chain.hub_operator_user, **changes)
    assert field in e.value.message_dict
    hub = Hub.objects.get(pk=chain.hub.pk)
    assert (hub.capacity_t, hub.max_dwell_days) == (50, 270)


@pytest.mark.parametrize("via", ["page", "api"])
def test_the_page_and_the_api_refuse_the_same_dwell_time(chain, client, client_for, via):
    """The web form used to accept a dwell time of 0 days that the API refused."""
    if via == "page":
        client.force_login(chain.hub_operator_user)
        data = {"capacity_t": "50", "capacity_m2": "1000", "max_dwell_days": "0"}
        r = client.post(f"/hubs/{chain.hub.pk}/settings/", data, follow=True)
        assert "1 en 3650" in r.content.decode() or "1 and 3650" in r.content.decode()
    else:
        r = client_for(chain.hub_operator_user).patch(
            f"/api/v1/hubs/{chain.hub.pk}", {"max_dwell_days": 0}, format="json"
        )
        assert r.status_code == 400
        assert [p["name"] for p in r.json()["invalid_params"]] == ["max_dwell_days"]
    assert Hub.objects.get(pk=chain.hub.pk).max_dwell_days == 270


def test_intake_consent_acceptance_and_capacity(chain):
    hub = chain.hub
    ok = dict(hub=hub, organisation=chain.demolisher, product_group=chain.bricks)
    hub_intake_check(**ok, incoming_kg=Decimal(10_000), held_kg=Decimal(40_000))
    with pytest.raises(ValidationError, match="full"):
        hub_intake_check(**ok, incoming_kg=Decimal(10_001), held_kg=Decimal(40_000))
    hub.accepted_product_groups.set([chain.steel])
    with pytest.raises(ValidationError, match="does not accept"):
        hub_intake_check(**ok, incoming_kg=Decimal(1), held_kg=Decimal(0))
    hub.accepted_product_groups.clear()
    hub.open_to_deliveries = False
    with pytest.raises(ValidationError, match="from its operator"):
        hub_intake_check(**ok, incoming_kg=Decimal(1), held_kg=Decimal(0))
    hub_intake_check(
        hub=hub,
        organisation=chain.hub_operator,
        product_group=chain.bricks,
        incoming_kg=Decimal(1),
        held_kg=Decimal(0),
    )


@pytest.mark.parametrize("via", ["service", "api"])
def test_a_capacity_below_the_stock_is_refused(chain, identified_lot, client_for, via):
    """The hub holds 21 t of bricks: 10 t would leave it at 210 % unnoticed (issue #14)."""
    from tests.support.chain import harvest_into_hub

    harvest_into_hub(chain, identified_lot)  # 10,000 x 2.1 kg
    if via == "service":
        with pytest.raises(ValidationError) as e:
            hub_settings_update(
                hub=chain.hub, actor=chain.hub_operator_user, capacity_t=Decimal(10)
            )
        assert "21.0 t" in e.value.message_dict["capacity_t"][0]
    else:
        r = client_for(chain.hub_operator_user).patch(
            f"/api/v1/hubs/{chain.hub.pk}", {"capacity_t": "10"}, format="json"
        )
        assert r.status_code == 400, r.content
        assert [p["name"] for p in r.json()["invalid_params"]] == ["capacity_t"]
    assert Hub.objects.get(pk=chain.hub.pk).capacity_t == 50
    # at or above the stock it is accepted
    hub_settings_update(hub=chain.hub, actor=chain.hub_operator_user, capacity_t=Decimal(21))
    assert Hub.objects.get(pk=chain.hub.pk).capacity_t == 21
