"""Take screenshots of the main pages from a running server (for the README and reviews).

Usage: python scripts/screenshots.py [BASE_URL] — needs Debian's Chromium at /usr/bin/chromium."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
OUT = Path(__file__).resolve().parent.parent / "docs" / "img"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
        page.goto(BASE + "/supply/")
        page.wait_for_selector("#map[data-ready='1']")
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "supply.png"))
        page.goto(BASE + "/accounts/login/")
        page.fill("#id_username", "sloper")
        page.fill("#id_password", "urbanmine-demo")
        page.click("button[type=submit]")
        page.goto(BASE + "/assets/")
        page.click("table.list tbody tr:first-child a")
        page.screenshot(path=str(OUT / "passport.png"), full_page=False)
        page.goto(BASE + "/hubs/")
        page.click("table.list tbody tr:first-child a")
        page.screenshot(path=str(OUT / "hub.png"), full_page=False)
        page.goto(BASE + "/dashboard/")
        page.wait_for_selector("#chart-release-demand[data-ready='1']", timeout=60000)
        page.wait_for_timeout(800)
        page.screenshot(path=str(OUT / "dashboard.png"), full_page=False)
        page.goto(BASE + "/impact/compare/")
        page.screenshot(path=str(OUT / "compare.png"), full_page=False)
        browser.close()


if __name__ == "__main__":
    main()
