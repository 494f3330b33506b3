"""WCAG 2.1 A/AA and phone width, checked in the browser on every page of every role (issue #15).

The crawler of the template contract (test_templates.py) finds the pages each demo account
(and an anonymous visitor) reaches by following links; headless Chromium then opens each of
them with that account's session, at 1,366 px and at 390 px wide, and runs axe-core (the copy
bundled with axe-playwright-python) with the WCAG 2.0/2.1 A and AA rules. A serious or
critical violation fails the test, and so does a page wider than its viewport (a phone user
would have to scroll the whole page sideways; wide tables scroll inside their own box).

One page per URL name and role: the same template with other data adds little, and the
sweep stays within a few minutes. It runs once, in the SQLite pass: what it checks is HTML,
CSS and script, which the database does not change.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from tests.conftest import ARGS, BROWSER
from tests.contracts.test_templates import build_demo_world, crawl

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
    # axe fetches the style sheets again to read them (its CSSOM preload) and resolves their
    # @import against the page instead of the sheet: 404s and time, for rules we do not use.
    "preload": False,
}
BLOCKING = {"serious", "critical"}


def _axe_script() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def _violations(page, axe: str, options: dict) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe)
    result = page.evaluate("options => axe.run(document, options)", options)
    found = []
    for v in result["violations"]:
        if v.get("impact") in BLOCKING:
            targets = ", ".join(str(n["target"][0]) for n in v["nodes"][:3])
            found.append(
                f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])}× e.g. {targets}"
            )
    return found


def _too_wide(page) -> int | None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    return width if width > viewport else None


@pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the browser sweep runs once, in the SQLite pass"
)
def test_every_page_of_every_role_passes_axe_and_fits_a_phone(live_server, settings_jobs_inline):
    if not os.path.exists(BROWSER):
        if os.environ.get("URBANMINE_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {BROWSER}")
        pytest.skip("Chromium not installed (apt-get install chromium)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    accounts, seeds = build_demo_world()
    users = get_user_model().objects
    axe = _axe_script()
    problems: list[str] = []
    checked = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=BROWSER, headless=True, args=ARGS)
        for who in ["anonymous", *accounts]:
            client = Client()
            if who != "anonymous":
                client.force_login(users.get(username=who))
            pages: list[tuple[str, str]] = []
            problems += crawl(client, seeds, defaultdict(set), who, pages=pages, per_name_limit=1)
            context = browser.new_context(
                locale="nl-NL", viewport={"width": WIDTHS[0], "height": 900}
            )
            session = client.cookies.get(settings.SESSION_COOKIE_NAME)
            if session is not None:
                context.add_cookies(
                    [
                        {
                            "name": settings.SESSION_COOKIE_NAME,
                            "value": session.value,
                            "url": live_server.url,
                        }
                    ]
                )
            page = context.new_page()
            page.set_default_timeout(15000)
            for _name, url in pages:
                page.set_viewport_size({"width": WIDTHS[0], "height": 900})
                response = page.goto(live_server.url + url, wait_until="load")
                if response is None or response.status >= 400:
                    problems.append(f"{who} {url}: answered {response and response.status}")
                    continue
                if not page.evaluate("!!document.querySelector('main')"):
                    continue  # a fragment a page polls (a job's progress), not a page
                page.wait_for_timeout(150)  # the page's own scripts (maps, charts) settle
                for width in WIDTHS:
                    if width != WIDTHS[0]:
                        page.set_viewport_size({"width": width, "height": 844})
                        page.wait_for_timeout(100)
                    for v in _violations(page, axe, AXE_OPTIONS):
                        problems.append(f"{who} {width}px {url}: {v}")
                    wide = _too_wide(page)
                    if wide:
                        problems.append(f"{who} {width}px {url}: page is {wide}px wide")
                    checked += 1
            context.close()
            print(f"{who}: {len(pages)} pages", file=sys.stderr, flush=True)
        browser.close()
    assert checked > 100, f"only {checked} page views checked: the crawl found too little"
    assert not problems, f"{len(problems)} problems in {checked} page views:\n" + "\n".join(
        sorted(set(problems))
    )


@pytest.fixture
def settings_jobs_inline(settings):
    settings.URBANMINE_JOBS_INLINE = True
    return settings
