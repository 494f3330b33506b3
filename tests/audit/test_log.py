"""What the audit log records, and whom it names: through a service without a request, a
signed-in page, a key-authenticated API call, and the admin."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView

from urbanmine.assets.models import Asset, PlannedIntervention
from urbanmine.assets.services import asset_create, intervention_plan
from urbanmine.core.api import ApiViewMixin
from urbanmine.hubs.services import hub_settings_update
from urbanmine.market.models import DemandRequest
from urbanmine.market.services import demand_request_create
from urbanmine.organisations.models import Organisation


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("timestamp", "pk")


def test_hub_settings_changes_are_logged_with_their_operator_and_old_and_new_values(chain):
    hub_settings_update(
        hub=chain.hub, actor=chain.hub_operator_user, capacity_t=Decimal("80"), max_dwell_days=120
    )
    entry = entries_for(chain.hub).last()
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == chain.hub_operator_user
    assert entry.changes["max_dwell_days"] == ["270", "120"]
    assert entry.changes["capacity_t"][1] == "80"


def test_services_without_a_request_name_their_actor(chain):
    """A command or a job calls the service directly: no middleware names anyone."""
    asset = asset_create(
        owner=chain.owner,
        actor=chain.owner_user,
        name="School Gouda",
        scope="bu",
        use_type="education",
        lat=52.0115,
        lon=4.7104,
    )
    intervention = intervention_plan(
        asset=asset,
        kind="demolition",
        planned_start=date(2027, 1, 1),
        planned_end=date(2027, 3, 1),
        actor=chain.owner_user,
    )
    demand = demand_request_create(
        actor=chain.buyer_user,
        project=chain.project,
        product_group=chain.bricks,
        quantity=Decimal(100),
        window_start=date(2027, 1, 1),
        window_end=date(2027, 3, 1),
    )
    for obj, who in [
        (asset, chain.owner_user),
        (intervention, chain.owner_user),
        (demand, chain.buyer_user),
    ]:
        entry = entries_for(obj).get()
        assert (entry.action, entry.actor) == (LogEntry.Action.CREATE, who), obj


def test_the_system_is_no_one(chain):
    """The chain's building was registered by an import (actor None): logged, without actor."""
    entry = entries_for(chain.building).get()
    assert entry.action == LogEntry.Action.CREATE and entry.actor is None


@pytest.fixture
def key_client():
    """key_client(user) -> an APIClient sending one of the user's API keys."""
    from rest_framework.test import APIClient

    from urbanmine.accounts.services import api_token_issue

    def make(user) -> APIClient:
        _token, key = api_token_issue(user=user, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


def test_a_key_authenticated_api_write_names_the_key_s_user(chain, key_client):
    r = key_client(chain.hub_operator_user).patch(
        f"/api/v1/hubs/{chain.hub.pk}", {"max_dwell_days": 100}, format="json"
    )
    assert r.status_code == 200, r.content
    entry = entries_for(chain.hub).last()
    assert (entry.actor, entry.changes["max_dwell_days"]) == (
        chain.hub_operator_user,
        ["270", "100"],
    )


class RenameOrganisation(ApiViewMixin, APIView):
    """An API write that names no actor itself: only the project's API plumbing can."""

    def post(self, request, pk):
        org = Organisation.objects.get(pk=pk)
        org.name = request.data["name"]
        org.save()
        return Response({"name": org.name})


urlpatterns = [path("rename/<int:pk>", RenameOrganisation.as_view())]


@pytest.mark.urls("tests.audit.test_log")
def test_every_api_view_names_its_key_authenticated_caller(chain, key_client):
    """auditlog's middleware runs before DRF reads the key: without core.api's hook this
    write would be logged without actor."""
    r = key_client(chain.owner_user).post(
        f"/rename/{chain.owner.pk}", {"name": "Woningstichting Test"}, format="json"
    )
    assert r.status_code == 200, r.content
    entry = entries_for(chain.owner).last()
    assert entry.actor == chain.owner_user
    assert entry.changes["name"] == ["Woningcorporatie Test", "Woningstichting Test"]


def test_a_signed_in_page_write_names_the_user(chain):
    client = Client()
    client.force_login(chain.hub_operator_user)
    r = client.post(
        f"/hubs/{chain.hub.pk}/settings/",
        {"capacity_t": "50", "capacity_m2": "1000", "max_dwell_days": "200"},
    )
    assert r.status_code == 302
    assert entries_for(chain.hub).last().actor == chain.hub_operator_user


def test_the_admin_logs_memberships_and_roles_with_the_steward(chain):
    steward = get_user_model().objects.create_superuser("steward", password="pw-test-12345")
    client = Client()
    client.force_login(steward)
    org = chain.outsider
    r = client.post(
        f"/admin/organisations/organisation/{org.pk}/change/",
        {
            "name": org.name,
            "kvk_number": "12345678",
            "municipality": "",
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-0-id": org.roles.get().pk,
            "roles-0-organisation": org.pk,
            "roles-0-role": "trader",
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": org.memberships.get().pk,
            "memberships-0-organisation": org.pk,
            "memberships-0-user": chain.outsider_user.pk,
            "memberships-1-organisation": org.pk,
            "memberships-1-user": chain.buyer_user.pk,
            "memberships-1-is_admin": "on",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    kvk = entries_for(org).last()
    assert (kvk.actor, kvk.changes["kvk_number"]) == (steward, ["", "12345678"])
    membership = org.memberships.get(user=chain.buyer_user)
    assert entries_for(membership).get().actor == steward


def test_passwords_and_sign_in_times_never_enter_the_log(chain):
    user = chain.owner_user
    user.set_password("a-new-secret-pw-42")
    user.save()
    user.first_name = "Els"
    user.save()
    for entry in entries_for(user):
        assert "password" not in (entry.changes or {})
        assert "last_login" not in (entry.changes or {})
        assert "a-new-secret" not in str(entry.changes)
    assert entries_for(user).last().changes == {"first_name": ["", "Els"]}


def test_lot_fields_the_events_record_are_left_to_the_events(chain, harvested_lot):
    """Identification and dismantling are events: no entry for the lot's creation or its
    new status and place; a changed description is logged."""
    assert not entries_for(harvested_lot).exists()
    harvested_lot.description = "Rode gevelstenen, gereinigd"
    harvested_lot.save()
    assert list(entries_for(harvested_lot).values_list("changes", flat=True)) == [
        {"description": ["Rode gevelstenen", "Rode gevelstenen, gereinigd"]}
    ]


@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_X_FORWARDED_PORT": "-1"},
        {"HTTP_X_FORWARDED_PORT": "99999999999"},
        {"HTTP_X_FORWARDED_FOR": "x"},
        {"HTTP_X_CORRELATION_ID": "c" * 300},
    ],
)
def test_a_client_cannot_break_writes_with_its_headers(chain, header):
    """auditlog's own middleware stored X-Forwarded-Port, -For and X-Correlation-ID as sent:
    -1 fails the table's check (SQLite and PostgreSQL), `x` is no inet and 300 characters
    no varchar(255) on PostgreSQL, and the admin's save answered 500."""
    steward = get_user_model().objects.create_superuser("steward", password="pw-test-12345")
    client = Client(**header)
    client.force_login(steward)
    org = chain.outsider
    r = client.post(
        f"/admin/organisations/organisation/{org.pk}/change/",
        {
            "name": "Handelaar Test",
            "kvk_number": "",
            "municipality": "",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert r.status_code == 302
    entry = entries_for(org).last()
    assert entry.changes["name"] == ["Buitenstaander Test", "Handelaar Test"]
    # no address; the request id of the logs (answered as X-Request-ID) links the entry
    assert (entry.remote_addr, entry.remote_port) == (None, None)
    assert entry.cid == r["X-Request-ID"]


def test_fixtures_are_no_one_s_change(chain):
    """loaddata saves raw: not logged (AUDITLOG_DISABLE_ON_RAW_SAVE)."""
    from django.core import serializers

    data = serializers.serialize("json", [chain.building])
    Asset.objects.filter(pk=chain.building.pk).update(name="x")
    before = LogEntry.objects.count()
    for obj in serializers.deserialize("json", data):
        obj.save()
    assert LogEntry.objects.count() == before
    assert DemandRequest.objects.count() == 0 and PlannedIntervention.objects.count() == 0
