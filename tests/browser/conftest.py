"""Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import shutil

import pytest

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
