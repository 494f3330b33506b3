"""The pages of the load scenarios (benchmarks/load) issue a fixed number of queries,
however many lots they show, and the API's serializers built once give the same
representation as DRF's own."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from tests.support.chain import harvest_into_hub, identify_bricks
from urbanmine.lots.api import LotSerializer, SupplySerializer
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import Lot
from urbanmine.lots.selectors import MASS, published_supply
from urbanmine.lots.services import lot_record_step


def _queries(client, url) -> int:
    """Queries of a request, without those of the database cache (the API's rate limits;
    none on Redis)."""
    client.get(url)  # warm: sessions, caches of the process
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(
        [
            q
            for q in ctx.captured_queries
            if "urbanmine_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
        ]
    )


def _more_lots(chain, n: int) -> list[Lot]:
    lots = [identify_bricks(chain, quantity=100 + i, description=f"Partij {i}") for i in range(n)]
    for lot in lots[: n // 2]:
        harvest_into_hub(chain, lot)
    return lots


@pytest.mark.django_db
def test_the_owners_passport_and_the_api_do_not_grow_with_the_lots(chain, identified_lot):
    owner = Client()
    owner.force_login(chain.owner_user)
    urls = [
        f"/assets/{chain.building.pk}/",
        "/api/v1/lots",
        f"/api/v1/lots/{identified_lot.code}",
        "/api/v1/lots?published=true",
    ]
    lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.owner_user)
    before = {url: _queries(owner, url) for url in urls}
    _more_lots(chain, 6)
    after = {url: _queries(owner, url) for url in urls}
    assert after == before
    assert (
        before[f"/assets/{chain.building.pk}/"] <= 15
    )  # + access (grants, 2 choice lists), notices, drafts, tender commitments (issue #17)
    assert before["/api/v1/lots"] <= 6
    assert before[f"/api/v1/lots/{identified_lot.code}"] <= 5


@pytest.mark.django_db
def test_serializers_built_once_represent_lots_as_drf_does(chain, identified_lot):
    _more_lots(chain, 4)

    lots = list(Lot.objects.select_related("product_group", "owner", "custodian").order_by("code"))
    fast = LotSerializer(lots, many=True).data
    again = LotSerializer(lots, many=True).data  # the fields built by the first call
    plain = serializers.ListSerializer(child=_plain(LotSerializer), instance=lots).data
    assert [dict(x) for x in fast] == [dict(x) for x in plain] == [dict(x) for x in again]
    supply = list(published_supply())
    assert supply
    assert [dict(x) for x in SupplySerializer(supply, many=True).data] == [
        dict(x)
        for x in serializers.ListSerializer(child=_plain(SupplySerializer), instance=supply).data
    ]


@pytest.mark.django_db
def test_the_api_lot_list_and_detail_from_rows_equal_drfs_representation(chain, identified_lot):
    """LotRows (values rows) against DRF's LotSerializer on the same lots: at a hub, on
    site, hazardous, applied in a project, published or not."""
    from rest_framework.test import APIClient

    from urbanmine.lots.api import LotRows

    lots = _more_lots(chain, 4)
    Lot.objects.filter(pk=lots[2].pk).update(has_asbestos=True)  # not published
    Lot.objects.filter(pk=lots[1].pk).update(
        applied_asset=chain.project, expected_release_date="2027-05-01", hazard_note="Lood"
    )
    lot_record_step(lot_id=identified_lot.id, step=Step.INVENTORY, actor=chain.owner_user)
    qs = (
        Lot.objects.select_related("product_group", "owner", "custodian")
        .annotate(mass_kg_total=MASS)
        .order_by("code")
    )
    plain = [
        dict(x) for x in serializers.ListSerializer(child=_plain(LotSerializer), instance=qs).data
    ]
    rows = LotRows.represent(qs.values(*LotRows.columns()))
    assert rows == plain
    assert any(r["hazardous"] for r in rows) and any(r["expected_release_date"] for r in rows)
    assert any(r["hub"] for r in rows) and any(r["applied_asset"] for r in rows)
    api = APIClient()
    api.force_authenticate(chain.owner_user)
    listed = api.get("/api/v1/lots?limit=500").json()
    assert listed["results"] == json.loads(JSONRenderer().render(plain))
    for lot in plain:
        assert api.get(f"/api/v1/lots/{lot['code']}").json() == json.loads(
            JSONRenderer().render(lot)
        )
    assert api.get("/api/v1/lots/NOPE-0").status_code == 404


def _plain(cls):
    """The same serializer with DRF's own `to_representation` (fields built per instance)."""
    plain = type(f"Plain{cls.__name__}", (cls,), {})
    plain.to_representation = serializers.Serializer.to_representation  # type: ignore[method-assign]
    return plain()


@pytest.mark.django_db
def test_choice_labels_are_djangos_in_either_language(chain, harvested_lot):
    from django.utils import translation

    from urbanmine.lots.selectors import choice_label

    event = harvested_lot.events.order_by("-id").first()
    for language in ("nl", "en"):
        with translation.override(language):
            for field in ("status", "unit", "location", "quality"):
                shown = getattr(harvested_lot, f"get_{field}_display")()
                assert choice_label(harvested_lot, field) == shown
            assert choice_label(event, "step") == event.get_step_display()
    with translation.override("en"):
        assert choice_label(harvested_lot, "status") == "Harvested"
