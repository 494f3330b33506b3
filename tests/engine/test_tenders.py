"""The tender tool's numbers, with cases computed by hand (issue #17). No database."""

from datetime import date

import pytest

from urbanmine.engine.tenders import (
    AmbitionTargets,
    Bid,
    Criteria,
    HazardRule,
    LotHistory,
    break_even_discount,
    gap,
    rank_bids,
    realisation,
    realistic_targets,
    sensitivity,
    tightening_violations,
)

# --------------------------------------------------------------------- award ranking
CHEAP = Bid("A", price_eur=100_000, tonnes=200)
CIRCULAR = Bid("B", price_eur=110_000, tonnes=300)
MIDDLE = Bid("C", price_eur=105_000, tonnes=220)


def test_break_even_by_hand():
    # (110 000 − 100 000) / (300 − 200) = 100 euros a tonne
    assert break_even_discount(CHEAP, CIRCULAR) == pytest.approx(100.0)


def test_the_bid_that_harvests_more_wins_above_the_break_even():
    below = rank_bids([CHEAP, CIRCULAR, MIDDLE], Criteria(discount_eur_per_t=99))
    # A: 100 000 − 99×200 = 80 200; B: 110 000 − 99×300 = 80 300; C: 105 000 − 99×220 = 83 220
    assert [r.bid.key for r in below] == ["A", "B", "C"]
    assert below[0].assessed_eur == pytest.approx(80_200)
    assert below[1].assessed_eur == pytest.approx(80_300)
    above = rank_bids([CHEAP, CIRCULAR, MIDDLE], Criteria(discount_eur_per_t=101))
    # A: 100 000 − 20 200 = 79 800; B: 110 000 − 30 300 = 79 700
    assert [r.bid.key for r in above] == ["B", "A", "C"]
    assert above[0].discount_eur == pytest.approx(30_300)
    assert [r.rank for r in above] == [1, 2, 3]


def test_without_a_discount_price_decides():
    assert [r.bid.key for r in rank_bids([CIRCULAR, MIDDLE, CHEAP], Criteria())] == ["A", "C", "B"]


def test_quality_points_are_a_fictitious_discount_too():
    a = Bid("A", 100_000, 200, quality_points=4)
    b = Bid("B", 110_000, 300, quality_points=9)
    c = Criteria(discount_eur_per_t=50, eur_per_quality_point=1000)
    # A: 100 000 − 10 000 − 4 000 = 86 000; B: 110 000 − 15 000 − 9 000 = 86 000 → tie on
    # assessed price: the lower price (A) ranks first
    ranked = rank_bids([b, a], c)
    assert [r.assessed_eur for r in ranked] == [pytest.approx(86_000)] * 2
    assert ranked[0].bid.key == "A"
    # break-even with the quality bonus held: (101 000 − 96 000) / 100 = 50 €/t
    assert break_even_discount(a, b, c) == pytest.approx(50.0)


def test_break_even_none_and_zero():
    assert break_even_discount(CHEAP, Bid("D", 120_000, 150)) is None  # fewer tonnes, dearer
    assert break_even_discount(CHEAP, Bid("E", 90_000, 400)) == 0.0  # cheaper anyway


def test_r_level_weights_scale_the_discount():
    c = Criteria(discount_eur_per_t=100, r_level_weights={"R3": 1.0, "R8": 0.25})
    reuse = Bid("R", 100_000, 100, r_level="R3")
    recycle = Bid("Y", 95_000, 200, r_level="R8")
    # R: 100 000 − 100×100×1 = 90 000; Y: 95 000 − 100×200×0.25 = 90 000 → tie: cheaper Y
    ranked = rank_bids([reuse, recycle], c)
    assert [r.assessed_eur for r in ranked] == [pytest.approx(90_000)] * 2


def test_sensitivity_names_the_winner_per_discount():
    rows = sensitivity([CHEAP, CIRCULAR], Criteria(), [0, 50, 100.5, 200])
    assert rows == [(0.0, "A"), (50.0, "A"), (100.5, "B"), (200.0, "B")]


# ------------------------------------------------------------------ realistic targets
HAZARDS = [
    HazardRule("*", 1994, 0.05, "asbestos"),
    HazardRule("steel-beams", 1995, 0.5, "chromium-6"),
]
SHARES = {"bricks-clay": 0.4, "steel-beams": 0.6, "concrete-granulate": 0.0}
MASSES = {"bricks-clay": 10_000, "steel-beams": 2_000, "concrete-granulate": 8_000}


def test_realistic_targets_for_a_1980_building():
    rows, pct = realistic_targets(MASSES, SHARES, HAZARDS, 1980)
    by = {r.product_group: r for r in rows}
    # bricks 0.4 × 0.95 = 0.38 → 3 800 kg; steel 0.6 × 0.95 × 0.5 = 0.285 → 570 kg
    assert by["bricks-clay"].realistic_kg == pytest.approx(3_800)
    assert by["steel-beams"].realistic_kg == pytest.approx(570)
    assert by["steel-beams"].substances == ("asbestos", "chromium-6")
    assert by["concrete-granulate"].realistic_kg == 0
    assert pct == pytest.approx(100 * 4_370 / 20_000)  # 21.85 %


def test_no_hazards_after_the_bans_and_unknown_year_is_cautious():
    _, pct_2000 = realistic_targets(MASSES, SHARES, HAZARDS, 2000)
    assert pct_2000 == pytest.approx(100 * (4_000 + 1_200) / 20_000)  # 26 %
    _, pct_unknown = realistic_targets(MASSES, SHARES, HAZARDS, None)
    assert pct_unknown == pytest.approx(21.85)
    # 1994: the asbestos rule no longer applies, the chromium-6 rule (before 1995) does
    _, pct_1994 = realistic_targets(MASSES, SHARES, HAZARDS, 1994)
    assert pct_1994 == pytest.approx(100 * (4_000 + 600) / 20_000)


def test_gap_and_an_empty_passport():
    assert realistic_targets({}, SHARES, HAZARDS, 1980) == ([], 0.0)
    assert gap(30.0, 21.85) == pytest.approx(8.15)
    assert gap(None, 21.85) is None


# ------------------------------------------------------------------------ inheritance
AREA = AmbitionTargets(harvest_pct=50, min_r_level="R3", group_harvest_pct={"bricks-clay": 60})


def test_a_project_may_tighten():
    project = AmbitionTargets(
        harvest_pct=60, min_r_level="R2", group_harvest_pct={"bricks-clay": 70}, secondary_pct=10
    )
    assert tightening_violations(AREA, project) == []


def test_a_project_may_not_loosen():
    project = AmbitionTargets(harvest_pct=45, min_r_level="R5", group_harvest_pct={})
    assert tightening_violations(AREA, project) == [
        "harvest_pct",
        "min_r_level",
        "group_harvest_pct:bricks-clay",
    ]
    # leaving out a target the area sets loosens it too
    assert tightening_violations(AREA, AmbitionTargets()) == [
        "harvest_pct",
        "min_r_level",
        "group_harvest_pct:bricks-clay",
    ]


# ------------------------------------------------------------------------ realisation
def test_realisation_from_a_known_history():
    lots = [
        LotHistory("bricks-clay", 10_000, date(2026, 3, 1), date(2026, 3, 31), "R3"),
        LotHistory("steel-beams", 5_000, date(2026, 3, 1), None, ""),
        LotHistory("timber-beams", 4_000, date(2026, 3, 10), date(2026, 5, 9), "R5"),
        LotHistory("glazing-double", 1_000),
    ]
    r = realisation(lots)
    assert r.mass_kg == 20_000
    assert r.harvested_kg == 19_000
    assert r.harvest_pct == pytest.approx(95.0)
    # resale days: 30 (10 t) and 60 (4 t): (30×10 + 60×4) / 14 = 38.571…
    assert r.mean_resale_days == pytest.approx(540 / 14)
    assert r.max_resale_days == 60
    assert r.r_levels_kg == {"R3": 10_000, "R5": 4_000}
    empty = realisation([])
    assert empty.harvest_pct == 0 and empty.mean_resale_days is None
