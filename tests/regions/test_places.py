"""Address lookup for the asset form (issue #13, item 6) through the PDOK Locatieserver when a
setting names it: parsed from a recorded answer, served by a real HTTP server on the
loopback (never the network); off by default; an unreachable service is a clear 503."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from urbanmine.regions.places import lookup, parse_free

RECORDED = Path(__file__).parent / "data" / "pdok_free_zuid-hollandplein.json"


@pytest.fixture
def pdok(settings):
    """A loopback server that answers /free like the Locatieserver (the recorded answer)."""
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            seen.append(parse_qs(urlsplit(self.path).query))
            body = RECORDED.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.URBANMINE_PDOK_LOCATIESERVER_URL = f"http://127.0.0.1:{server.server_port}/search/v3_1"
    yield seen
    server.shutdown()


def test_the_recorded_answer_gives_places_in_wgs84():
    places = parse_free(json.loads(RECORDED.read_text()))
    assert [p.kind for p in places] == ["adres", "postcode"]  # the doc without a point is left out
    first = places[0]
    assert first.label.startswith("Zuid-Hollandplein 1")
    assert (round(first.lat, 4), round(first.lon, 4)) == (52.0848, 4.3161)  # lat/lon, not lon/lat
    assert first.municipality_code == "GM0518"


def test_the_form_looks_up_through_the_configured_service(chain, client, pdok):
    client.force_login(chain.owner_user)
    r = client.get(reverse("place-lookup"), {"q": "Zuid-Hollandplein 1"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert results[0]["label"].startswith("Zuid-Hollandplein 1") and results[0]["lat"] > 52
    assert pdok[0]["q"] == ["Zuid-Hollandplein 1"] and pdok[0]["rows"] == ["6"]
    assert "data-lookup" in client.get(reverse("asset-create")).content.decode()
    assert client.get(reverse("place-lookup"), {"q": "Zu"}).json()["results"] == []


def test_off_by_default_and_a_dead_service_is_a_clear_503(chain, client, settings):
    client.force_login(chain.owner_user)
    settings.URBANMINE_PDOK_LOCATIESERVER_URL = ""
    assert client.get(reverse("place-lookup"), {"q": "Delft"}).status_code == 404
    page = client.get(reverse("asset-create")).content.decode()
    assert 'id="pick-map"' in page and "data-lookup" not in page  # the map pick still works
    settings.URBANMINE_PDOK_LOCATIESERVER_URL = "http://127.0.0.1:9/search"  # nobody listens
    settings.URBANMINE_PDOK_TIMEOUT_S = 1
    r = client.get(reverse("place-lookup"), {"q": "Delft"})
    assert r.status_code == 503 and r.json()["message"]


def test_anonymous_users_cannot_use_the_lookup(client, pdok):
    assert client.get(reverse("place-lookup"), {"q": "Delft"}).status_code == 302


def test_lookup_function_passes_the_query(pdok):
    places = lookup("2596AW")
    assert places and pdok[-1]["q"] == ["2596AW"]
