"""Permission cases of the page frame's information pages (issue #15): about, contact, the
privacy and accessibility statements are public, and show no one's data."""

from __future__ import annotations

from tests.contracts.route_cases import PUBLIC, page

CASES = [
    page(name, lambda w, name=name: f"/{name}/", PUBLIC, hidden=lambda w: w.private_lot.code)
    for name in ("about", "contact", "privacy", "accessibility")
]
