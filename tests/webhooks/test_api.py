"""The webhook subscriptions in the API: an organisation sees and manages only its own
(another's answer 404, as if there were none); the secret is shown once; bad input is a
400 problem naming the field with a clear reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import override

from urbanmine.webhooks.models import Subscription

URL = "/api/v1/webhook-subscriptions"
PUBLIC = "https://93.184.215.14/hooks/erp"


@pytest.fixture
def owner(client_for, chain):
    return client_for(chain.owner_user)


@pytest.fixture
def outsider(client_for, chain):
    return client_for(chain.outsider_user)


def _create(client, **fields):
    body = {"url": PUBLIC, "events": ["lot.published", "demand.posted"], **fields}
    return client.post(URL, body, format="json")


def test_the_secret_is_shown_once(owner, chain):
    r = _create(owner, description="ERP")
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["secret"].startswith("whsec_")
    assert created["organisation"] == chain.owner.pk
    assert created["events"] == ["demand.posted", "lot.published"]
    again = owner.get(f"{URL}/{created['id']}").json()
    assert again["secret"] is None and created["secret"].startswith(again["secret_hint"][:-1])
    renewed = owner.post(f"{URL}/{created['id']}/secret", {}, format="json").json()
    assert renewed["secret"].startswith("whsec_") and renewed["secret"] != created["secret"]


def test_an_organisation_sees_and_manages_only_its_own(owner, outsider, chain):
    mine = _create(owner).json()
    theirs = _create(outsider).json()
    assert [s["id"] for s in owner.get(URL).json()["results"]] == [mine["id"]]
    assert [s["id"] for s in outsider.get(URL).json()["results"]] == [theirs["id"]]
    other = f"{URL}/{mine['id']}"
    assert outsider.get(other).status_code == 404
    assert outsider.patch(other, {"url": PUBLIC + "/x"}, format="json").status_code == 404
    assert outsider.post(f"{other}/secret", {}, format="json").status_code == 404
    assert outsider.get(f"{other}/deliveries").status_code == 404
    assert outsider.delete(other).status_code == 404
    assert Subscription.objects.get(pk=mine["id"]).url == PUBLIC
    # and its own organisation can change and remove it
    assert owner.patch(other, {"is_active": False}, format="json").json()["is_active"] is False
    assert owner.get(f"{other}/deliveries").json() == []
    assert owner.delete(other).status_code == 204
    assert not Subscription.objects.filter(pk=mine["id"]).exists()


def test_one_cannot_subscribe_for_another_organisation(owner, chain):
    r = _create(owner, organisation=chain.outsider.pk)
    assert r.status_code == 400
    assert r.json()["invalid_params"][0]["name"] == "organisation"


def test_an_unknown_event_is_a_clear_400(owner):
    r = _create(owner, events=["lot.teleported"])
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    problem = r.json()
    assert problem["invalid_params"][0]["name"].startswith("events")
    assert "lot.teleported" in problem["detail"]


def test_a_plain_http_url_is_a_clear_400_in_production_settings(owner, settings):
    settings.URBANMINE_WEBHOOK_REQUIRE_HTTPS = True
    r = _create(owner, url="http://93.184.215.14/hooks")
    assert r.status_code == 400
    [param] = r.json()["invalid_params"]  # in the language of the request (Dutch here)
    assert param["name"] == "url" and "https" in param["reason"]


def test_a_private_address_is_a_clear_400_when_disallowed(owner, settings):
    settings.URBANMINE_WEBHOOK_ALLOW_PRIVATE = False
    r = _create(owner, url="https://10.0.0.8/hooks")
    assert r.status_code == 400
    [param] = r.json()["invalid_params"]
    assert param["name"] == "url" and "10.0.0.8" in param["reason"]
    with override("en"):  # the same message, in English
        from urbanmine.webhooks.services import check_url

        with pytest.raises(DjangoValidationError, match="private or local network address"):
            check_url("https://10.0.0.8/hooks")


def test_anonymous_callers_are_refused(anon):
    assert anon.get(URL).status_code == 401
    assert (
        anon.post(URL, {"url": PUBLIC, "events": ["lot.published"]}, format="json").status_code
        == 401
    )


def test_renewing_the_secret_takes_an_empty_object_only(owner):
    created = _create(owner).json()
    r = owner.post(f"{URL}/{created['id']}/secret", {"secret": "mine"}, format="json")
    assert r.status_code == 400
    assert Subscription.objects.get(pk=created["id"]).secret == created["secret"]
