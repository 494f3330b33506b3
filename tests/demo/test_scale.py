"""The demo at a scale (`urbanmine demo --scale N`, the load test's demo x10): N times the
stock, the same data for the same seed, and loading it again never collides on codes."""

import pytest

from urbanmine.assets.models import Asset
from urbanmine.demo.generator import load_demo
from urbanmine.lots.models import Lot
from urbanmine.market.models import DemandRequest


@pytest.mark.django_db
def test_the_demo_at_scale_two_has_twice_the_stock():
    report = load_demo(scale=2, seed=5, progress=lambda m: None)
    # 240 buildings, 30 GWW objects, 12 projects and 40 demand requests per unit of scale
    assert report.assets == Asset.objects.count() == 2 * (240 + 30 + 12)
    assert report.demand == DemandRequest.objects.count() == 2 * 40
    assert report.lots == Lot.objects.count() > 2 * 200
    codes = list(Lot.objects.order_by("code").values_list("code", flat=True))
    assert codes[0] == "D-0000001" and codes[-1] == f"D-{report.lots:07d}"


@pytest.mark.django_db
def test_loading_the_demo_twice_numbers_lots_on_with_the_same_data():
    first = load_demo(scale=1, seed=5, progress=lambda m: None)
    second = load_demo(scale=1, seed=5, progress=lambda m: None)  # used to collide on codes
    assert second.lots == first.lots
    assert Lot.objects.count() == 2 * first.lots
    assert Lot.objects.values("code").distinct().count() == 2 * first.lots

    def lines(numbers: range) -> list:
        codes = [f"D-{n:07d}" for n in numbers]
        return list(
            Lot.objects.filter(code__in=codes)
            .order_by("code")
            .values_list("product_group__code", "quantity", "quality", "status")
        )

    assert lines(range(1, first.lots + 1)) == lines(range(first.lots + 1, 2 * first.lots + 1))
