"""Shared test configuration."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The raw public data directory (../shared/data by default). Only tests of the
    derivation scripts and of the IFC samples use it; they skip when it is absent or empty
    (`make test-sqlite` runs with an empty one: the product never needs it)."""
    default = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    path = Path(os.environ.get("URBANMINE_DATA_DIR") or default)
    if not path.is_dir() or not any(path.iterdir()):
        pytest.skip(f"raw public data directory {path} absent or empty (URBANMINE_DATA_DIR)")
    return path


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The real municipalities (CBS codes and boundaries) are in every test database."""
    from urbanmine.regions.services import municipalities_load

    with django_db_blocker.unblock():
        municipalities_load()


@pytest.fixture
def chain(db):
    """A small chain: owner, demolisher, hub operator, buyer, certifier; one user each;
    a building in Rotterdam, a project in Delft, a hub in Rotterdam."""
    from types import SimpleNamespace

    from django.contrib.auth import get_user_model

    from urbanmine.assets.services import asset_create
    from urbanmine.catalogue.loader import install_catalogue
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.hubs.models import Hub, HubTypology
    from urbanmine.organisations.models import ChainRole, Membership, Organisation, OrganisationRole
    from urbanmine.regions.models import Municipality

    if not ProductGroup.objects.exists():  # a transactional test before this one flushed it
        install_catalogue(ProductGroup)
    User = get_user_model()
    ns = SimpleNamespace()
    for key, name, role in [
        ("owner", "Woningcorporatie Test", ChainRole.ASSET_OWNER),
        ("demolisher", "Sloper Test", ChainRole.DEMOLISHER),
        ("hub_operator", "Hubbeheer Test", ChainRole.STORAGE_MANAGER),
        ("buyer", "Bouwer Test", ChainRole.BUILDER),
        ("certifier", "Keurder Test", ChainRole.CERTIFIER),
        ("outsider", "Buitenstaander Test", ChainRole.TRADER),
        ("matchmaker", "Matchmaker Test", ChainRole.MATCHMAKER),
    ]:
        org = Organisation.objects.create(name=name)
        OrganisationRole.objects.create(organisation=org, role=role)
        user = User.objects.create_user(username=key, password="pw-test-12345")
        Membership.objects.create(user=user, organisation=org)
        setattr(ns, key, org)
        setattr(ns, f"{key}_user", user)
    ns.building = asset_create(
        owner=ns.owner,
        name="Flat Rotterdam",
        scope="bu",
        use_type="apartment",
        lat=51.9244,
        lon=4.4777,
        construction_year=1968,
        floor_area_m2=2400,
    )
    ns.project = asset_create(
        owner=ns.buyer,
        name="Nieuwbouw Delft",
        scope="bu",
        use_type="house",
        lat=52.0116,
        lon=4.3571,
        construction_year=2027,
        floor_area_m2=900,
    )
    ns.hub = Hub.objects.create(
        name="Hub Waalhaven",
        typology=HubTypology.URBAN_MINING,
        operator=ns.hub_operator,
        lat=51.89,
        lon=4.43,
        municipality=Municipality.objects.get(code="GM0599"),
        capacity_m2=1000,
        capacity_t=50,
    )
    ns.bricks = ProductGroup.objects.get(code="bricks-clay")
    ns.steel = ProductGroup.objects.get(code="steel-beams")
    return ns


@pytest.fixture
def identified_lot(chain):
    from tests.support.chain import identify_bricks

    return identify_bricks(chain)


# API clients ------------------------------------------------------------------------------


@pytest.fixture
def anon(db):
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for(db):
    """client_for(user) -> an APIClient that sends a fresh API key of the user."""
    from tests.support.tokens import api_client_for

    return api_client_for


@pytest.fixture
def harvested_lot(chain, identified_lot):
    """The bricks dismantled into the hub: published supply, custody with the hub operator."""
    from tests.support.chain import harvest_into_hub

    return harvest_into_hub(chain, identified_lot)


@pytest.fixture(autouse=True, scope="session")
def _documents_dir(tmp_path_factory):
    """Attached PDFs go to a temporary folder, never into the checkout's var/."""
    from django.test import override_settings

    with override_settings(URBANMINE_DOCUMENTS_DIR=tmp_path_factory.mktemp("documents")):
        yield


@pytest.fixture(autouse=True)
def _english_messages_in_code():
    """Service messages are asserted in English; pages still render Dutch by default."""
    from django.utils import translation

    with translation.override("en"):
        yield


def pytest_configure(config):
    # Fast password hashing in tests only (PBKDF2 costs ~0.3 s per user).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    _flush_with_open_history()


def _flush_with_open_history() -> None:
    """Transactional tests empty the database after each test; on SQLite that is DELETE FROM
    every table, which the append-only triggers refuse for lifecycle events. The flush, and
    only the flush, runs with the history open (urbanmine/lots/history.py)."""
    from django.test.testcases import TransactionTestCase

    from urbanmine.lots.history import history_maintenance

    original = TransactionTestCase._fixture_teardown

    def teardown(self):
        with history_maintenance():
            return original(self)

    TransactionTestCase._fixture_teardown = teardown


# Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

BROWSER = os.environ.get("URBANMINE_BROWSER") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


@pytest.fixture
def page(live_server):
    if not os.path.exists(BROWSER):
        if os.environ.get("URBANMINE_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {BROWSER}")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, headless=True, args=ARGS)
        context = browser.new_context(locale="nl-NL")
        pg = context.new_page()
        pg.set_default_timeout(15000)
        pg.base_url = live_server.url
        yield pg
        context.close()
        browser.close()


def sign_in(page, username: str, password: str = "pw-test-12345") -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
