"""Recording process steps through the API: legal → 201, illegal → 400 problem+json
naming the field, nothing stored."""

from datetime import timedelta

from django.utils import timezone

from urbanmine.lots.models import LifecycleEvent, Lot


def _post(c, lot, data):
    return c.post(f"/api/v1/lots/{lot.code}/events", data, format="json")


def _assert_problem(r, field):
    assert r.status_code == 400, r.content
    assert r["Content-Type"] == "application/problem+json"
    body = r.json()
    assert body["status"] == 400 and body["type"] and body["title"] and body["detail"]
    assert field in [p["name"] for p in body["invalid_params"]], body
    assert all(p["reason"] for p in body["invalid_params"])


def test_legal_step_is_201_and_appends_an_event(client_for, chain, identified_lot):
    c = client_for(chain.demolisher_user)
    r = _post(c, identified_lot, {"step": "dismantling", "hub": chain.hub.pk, "notes": "API"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["step"] == "dismantling" and body["status_after"] == "harvested"
    assert body["lot"] == identified_lot.code and body["hub"] == chain.hub.pk
    assert body["actor"] == "demolisher" and body["organisation"]["id"] == chain.demolisher.pk
    lot = Lot.objects.get(pk=identified_lot.pk)
    assert lot.status == "harvested" and lot.hub == chain.hub and lot.is_published
    history = c.get(f"/api/v1/lots/{lot.code}/events").json()
    assert [e["step"] for e in history["results"]] == ["identification", "dismantling"]


def test_partial_quantity_splits_and_the_event_names_the_new_lot(client_for, chain, harvested_lot):
    c = client_for(chain.owner_user)
    r = _post(c, harvested_lot, {"step": "sale", "quantity": "400", "counterparty": chain.buyer.pk})
    assert r.status_code == 201, r.content
    child = Lot.objects.get(code=r.json()["lot"])
    assert child.code != harvested_lot.code
    assert child.quantity == 400 and child.owner == chain.buyer and child.status == "sold"
    assert Lot.objects.get(pk=harvested_lot.pk).quantity == 9600


def test_illegal_transition_is_400_naming_step(client_for, chain, identified_lot):
    c = client_for(chain.owner_user)
    before = LifecycleEvent.objects.count()
    _assert_problem(
        _post(c, identified_lot, {"step": "sale", "counterparty": chain.buyer.pk}), "step"
    )
    _assert_problem(_post(c, identified_lot, {"step": "monitoring"}), "step")
    _assert_problem(_post(c, identified_lot, {"step": "split"}), "step")
    _assert_problem(_post(c, identified_lot, {"step": "no-such-step"}), "step")
    _assert_problem(_post(c, identified_lot, {}), "step")
    assert LifecycleEvent.objects.count() == before
    assert Lot.objects.get(pk=identified_lot.pk).status == "identified"


def test_bad_fields_are_named(client_for, chain, identified_lot, harvested_lot):
    c = client_for(chain.owner_user)
    before = LifecycleEvent.objects.count()
    _assert_problem(_post(c, harvested_lot, {"step": "sorting", "quantity": "-3"}), "quantity")
    _assert_problem(_post(c, harvested_lot, {"step": "sorting", "quantity": "abc"}), "quantity")
    _assert_problem(_post(c, harvested_lot, {"step": "sale", "quantity": "999999"}), "quantity")
    _assert_problem(_post(c, harvested_lot, {"step": "sale"}), "counterparty")
    _assert_problem(_post(c, harvested_lot, {"step": "execution"}), "target_asset")
    _assert_problem(_post(c, harvested_lot, {"step": "sorting", "hub": 999999}), "hub")
    future = (timezone.now() + timedelta(days=30)).isoformat()
    _assert_problem(
        _post(c, harvested_lot, {"step": "sorting", "occurred_at": future}), "occurred_at"
    )
    past = (timezone.now() - timedelta(days=3650)).isoformat()
    _assert_problem(
        _post(c, harvested_lot, {"step": "sorting", "occurred_at": past}), "occurred_at"
    )
    _assert_problem(_post(c, harvested_lot, {"step": "sorting", "r_strategy": "R42"}), "r_strategy")
    assert LifecycleEvent.objects.count() == before


def test_failed_inspection_blocks_application(client_for, chain, harvested_lot):
    from urbanmine.lots.services import lot_engage_certifier

    lot_engage_certifier(
        lot_id=harvested_lot.id, certifier=chain.certifier, actor=chain.hub_operator_user
    )
    r = _post(
        client_for(chain.certifier_user),
        harvested_lot,
        {"step": "quality_control", "passed": False},
    )
    assert r.status_code == 201 and r.json()["status_after"] == "rejected"
    c = client_for(chain.owner_user)
    _assert_problem(
        _post(c, harvested_lot, {"step": "execution", "target_asset": chain.project.pk}), "step"
    )


def test_malformed_json_is_a_400_problem(client_for, chain, harvested_lot):
    c = client_for(chain.hub_operator_user)
    r = c.generic(
        "POST",
        f"/api/v1/lots/{harvested_lot.code}/events",
        "{not json",
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r["Content-Type"] == "application/problem+json"
    assert r.json()["invalid_params"]


def test_other_organisations_read_the_history_without_login_names_or_notes(
    client_for, chain, harvested_lot
):
    """As on the lot's page: the owner and custodian read who recorded a step and its notes;
    another organisation that may see the offered lot reads the steps only."""
    url = f"/api/v1/lots/{harvested_lot.code}/events"
    own = client_for(chain.owner_user).get(url).json()["results"]
    assert any(e["actor"] for e in own)
    other = client_for(chain.outsider_user).get(url).json()["results"]
    assert len(other) == len(own)
    assert all(e["actor"] is None and e["notes"] == "" for e in other)
