"""The public home page: aggregates of the published supply only."""


def test_the_home_page_counts_only_published_supply(client, chain, identified_lot, harvested_lot):
    # identified_lot was harvested into the hub: published; another lot stays private
    from urbanmine.lots.services import lot_identify

    lot_identify(
        asset=chain.building,
        product_group=chain.steel,
        quantity=3,
        unit="piece",
        mass_kg_per_unit="400",
        quality="A",
        organisation=chain.owner,
    )
    r = client.get("/")
    assert r.status_code == 200
    groups = [row["product_group__code"] for row in r.context["by_group"]]
    assert groups == ["bricks-clay"]  # the unpublished steel is not on offer
    assert r.context["offered_t"] == 21  # 10,000 bricks x 2.1 kg


def test_the_home_page_names_statuses_by_label_in_lifecycle_order(
    client, chain, identified_lot, harvested_lot
):
    """Issue #15: the status codes showed in alphabetical order ("applied, harvested, …")."""
    from urbanmine.lots.lifecycle import Status
    from urbanmine.lots.services import lot_identify

    lot_identify(  # one lot stays identified, the other is harvested
        asset=chain.building,
        product_group=chain.steel,
        quantity=3,
        unit="piece",
        mass_kg_per_unit="400",
        quality="A",
        organisation=chain.owner,
    )
    r = client.get("/")
    body, rows = r.content.decode(), r.context["by_status"]
    order = [s.value for s in Status]
    codes = [r["status"] for r in rows]
    assert codes == sorted(codes, key=order.index) and len(codes) >= 2
    assert [r["label"] for r in rows] == [Status(c).label for c in codes]
    assert ">Geïdentificeerd<" in body or ">Geoogst<" in body
    assert ">harvested<" not in body and ">identified<" not in body
