"""The demo loader: real municipalities, every lifecycle state, histories that replay."""

from collections import defaultdict

import pytest

from urbanmine.demo.generator import load_demo
from urbanmine.hubs.models import Hub, HubTypology
from urbanmine.lots.lifecycle import Status, fold_status
from urbanmine.lots.models import LifecycleEvent, Lot
from urbanmine.regions.models import Municipality


@pytest.mark.django_db
def test_demo_loads_every_state_and_histories_replay():
    report = load_demo(scale=1, seed=7, progress=lambda m: None)
    assert Municipality.objects.filter(province_code="PV28").count() == 50
    assert report.lots > 200
    assert {h.typology for h in Hub.objects.all()} == set(HubTypology.values)
    statuses = set(Lot.objects.values_list("status", flat=True))
    assert statuses >= {
        Status.IDENTIFIED,
        Status.INVENTORIED,
        Status.HARVESTED,
        Status.APPROVED,
        Status.REJECTED,
        Status.RESERVED,
        Status.SOLD,
        Status.APPLIED,
    }
    assert Lot.objects.filter(has_asbestos=True).exists()
    assert not Lot.objects.filter(has_asbestos=True, is_published=True).exists()
    events = defaultdict(list)
    for e in LifecycleEvent.objects.order_by("occurred_at", "id"):
        events[e.lot_id].append(e.facts())
    for lot in Lot.objects.all():
        assert fold_status(events[lot.id], hazardous=lot.is_hazardous) == lot.status, lot.code
    # Reproducible: the same seed gives the same stock.
    first = list(Lot.objects.order_by("code").values_list("product_group__code", "quantity")[:50])
    assert first and all(q > 0 for _, q in first)
    assert Lot.objects.filter(is_demo=True).count() == report.lots


@pytest.mark.django_db
def test_demo_records_realised_impact_on_sales_and_applications():
    load_demo(scale=1, seed=3, progress=lambda m: None)
    for step in ("sale", "execution", "connection"):
        events = LifecycleEvent.objects.filter(step=step)
        assert events.exists()
        assert not events.filter(co2_avoided_kg__isnull=True).exists(), step
        assert not events.filter(waste_diverted_kg__isnull=True).exists(), step


@pytest.mark.django_db
def test_demo_never_overfills_a_hub_or_breaks_acceptance():
    from urbanmine.lots.selectors import hub_occupancy

    load_demo(scale=2, seed=11, progress=lambda m: None)
    hubs = list(Hub.objects.prefetch_related("accepted_product_groups"))
    held = hub_occupancy(hubs)
    for hub in hubs:
        assert held.get(hub.id, 0) <= hub.capacity_t * 1000, hub.name
        accepted = set(hub.accepted_product_groups.all())
        if accepted:
            assert (
                not Lot.objects.filter(hub=hub, location="at_hub")
                .exclude(product_group__in=accepted)
                .exists()
            )


@pytest.mark.django_db
def test_the_demo_refuses_a_database_with_real_records(chain):
    """A real deployment's organisations, assets and lots are never mixed with synthetic
    ones unless asked for."""
    from urbanmine.demo.generator import DemoRefused

    with pytest.raises(DemoRefused, match="not demo data"):
        load_demo(scale=1, seed=1, progress=lambda m: None)
    assert not Lot.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_the_demo_never_takes_over_a_real_account(db):
    """A real user named like a demo account keeps its password; nothing is loaded."""
    from django.contrib.auth import get_user_model

    from urbanmine.demo.generator import DemoRefused

    user = get_user_model().objects.create_user(username="sloper", password="Eigen-wachtwoord-7")
    with pytest.raises(DemoRefused, match="not a demo account"):
        load_demo(scale=1, seed=1, progress=lambda m: None)
    user.refresh_from_db()
    assert user.check_password("Eigen-wachtwoord-7")
    assert not user.is_superuser


@pytest.mark.django_db
def test_no_superuser_with_a_known_password_outside_demo_mode(settings):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    settings.URBANMINE_DEMO_MODE = False
    call_command("demo", "--scale", "1", "--format", "json", stdout=io.StringIO())
    users = get_user_model().objects
    assert not users.filter(is_superuser=True).exists()
    assert not users.filter(username="beheerder").exists()
    assert users.get(username="sloper").check_password("urbanmine-demo")


@pytest.mark.django_db
def test_in_demo_mode_the_steward_is_created_once_and_never_reset(settings):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from urbanmine.demo.generator import _ensure_users, _make_organisations

    settings.URBANMINE_DEMO_MODE = True
    call_command("demo", "--scale", "1", "--format", "json", stdout=io.StringIO())
    steward = get_user_model().objects.get(username="beheerder")
    assert steward.is_superuser and steward.check_password("urbanmine-demo")
    steward.set_password("Nieuw-geheim-wachtwoord-9")
    steward.save()
    _ensure_users(_make_organisations(steward_password=None), steward_password="urbanmine-demo")
    steward.refresh_from_db()
    assert steward.check_password("Nieuw-geheim-wachtwoord-9")
