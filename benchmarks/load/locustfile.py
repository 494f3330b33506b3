"""Load scenarios of issue #19 against a running urbanmine (see run_load.py, which starts
gunicorn on the demo x10 and runs one scenario at a time).

User classes, one per scenario (pick them on the locust command line):

* `SupplyVisitor`   anonymous supply list with random filters and pages;
* `DashboardVisitor` anonymous province dashboard (and one municipality's);
* `PassportOwner`   the owner ("eigenaar") signed in with a session, opening passports;
* `ApiClient`       the owner's API token: the lot list (random page and filter) and a lot;
* `ApiPublicClient` anonymous API: the published supply list and one lot of it;
* `StepRecorder`    the owner's API token recording a lifecycle step (a write: inventory on
                    an identified lot, which publishes it, or dismantling on an inventoried
                    one). Each lot is taken once, so every write is legal.

The scenario data (token, passports, lots, filter values) come from the JSON file named by
URBANMINE_LOAD_DATA (written by run_load.py from the database).
"""

from __future__ import annotations

import json
import os
import random
import re

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

with open(os.environ.get("URBANMINE_LOAD_DATA", "var/load/scenario.json"), encoding="utf-8") as fh:
    DATA = json.load(fh)

WRITES: list[list[str]] = list(DATA["writes"])
random.Random(19).shuffle(WRITES)
QUALITIES = ["A", "B", "C"]
#: think time between a user's requests (s): 50 users issue at most ~500 requests/s
WAIT = between(0.05, 0.15)


def supply_query(rng: random.Random) -> str:
    """Filters as visitors use them: mostly the whole list (first pages most), then a
    product group, a municipality, a quality or a combination."""
    r = rng.random()
    page = min(int(rng.expovariate(1 / 3)) + 1, 40)
    if r < 0.45:
        params = {}
    elif r < 0.7:
        params = {"product_group": rng.choice(DATA["product_groups"])}
        page = min(page, 3)
    elif r < 0.85:
        params = {"municipality": rng.choice(DATA["municipalities"])}
        page = min(page, 3)
    else:
        params = {
            "product_group": rng.choice(DATA["product_groups"]),
            "quality": rng.choice(QUALITIES),
        }
        page = 1
    if page > 1:
        params["page"] = str(page)
    return "&".join(f"{k}={v}" for k, v in params.items())


class SupplyVisitor(FastHttpUser):
    wait_time = WAIT

    @task
    def supply_list(self):
        q = supply_query(random)
        self.client.get(f"/supply/?{q}" if q else "/supply/", name="/supply/ (filters, pages)")


class DashboardVisitor(FastHttpUser):
    wait_time = WAIT

    @task(4)
    def province(self):
        self.client.get("/dashboard/", name="/dashboard/")

    @task(1)
    def municipality(self):
        code = random.choice(DATA["municipalities"])
        self.client.get(f"/dashboard/?municipality={code}", name="/dashboard/?municipality")


class PassportOwner(FastHttpUser):
    """The owner with a signed-in session (made by the driver as `login()` makes one; see
    scenario_data.owner_sessions), opening the passports of their assets."""

    wait_time = WAIT
    sessions = list(DATA["sessions"])

    def on_start(self):
        key = self.sessions.pop() if self.sessions else DATA["sessions"][0]
        self.cookie = {"Cookie": f"sessionid={key}"}

    @task
    def passport(self):
        pk = random.choice(DATA["passport_ids"])
        with self.client.get(
            f"/assets/{pk}/",
            headers=self.cookie,
            name="/assets/<id>/ (passport)",
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"status {r.status_code} (not signed in?)")


class _TokenUser(FastHttpUser):
    abstract = True
    wait_time = WAIT

    def auth(self) -> dict:
        return {"Authorization": f"Token {DATA['token']}"}


class ApiClient(_TokenUser):
    @task(3)
    def lots(self):
        r = random.random()
        query = f"offset={50 * int(random.expovariate(1 / 3))}"
        if r < 0.3:
            query += f"&productGroup={random.choice(DATA['product_groups'])}"
        elif r < 0.5:
            query += "&published=true"
        self.client.get(f"/api/v1/lots?{query}", headers=self.auth(), name="/api/v1/lots")

    @task(2)
    def lot(self):
        code = random.choice(DATA["lot_codes"])
        self.client.get(f"/api/v1/lots/{code}", headers=self.auth(), name="/api/v1/lots/<code>")


class ApiPublicClient(FastHttpUser):
    wait_time = WAIT

    @task(3)
    def supply(self):
        # the API's query keys are lowerCamelCase (the page's form keeps its field names)
        q = (
            supply_query(random)
            .replace("page=", "offset=")
            .replace("product_group=", "productGroup=")
        )
        if "offset=" in q:
            q = re.sub(r"offset=(\d+)", lambda m: f"offset={50 * (int(m.group(1)) - 1)}", q)
        self.client.get(f"/api/v1/supply?{q}", name="/api/v1/supply (filters, pages)")

    @task(1)
    def aggregates(self):
        self.client.get("/api/v1/supply/aggregates", name="/api/v1/supply/aggregates")


class StepRecorder(_TokenUser):
    """A small share of writes: few users, longer think time."""

    wait_time = between(0.5, 1.5)

    @task
    def record_step(self):
        if not WRITES:
            self.client.get("/api/v1/lots?published=true", headers=self.auth(), name="/api/v1/lots")
            return
        code, step = WRITES.pop()
        self.client.post(
            f"/api/v1/lots/{code}/events",
            json={"step": step},
            headers=self.auth(),
            name="/api/v1/lots/<code>/events (POST step)",
        )


# The driver weighs the classes of the mixed scenario (run_load.MIXED_WEIGHTS).
for _cls in (
    SupplyVisitor,
    DashboardVisitor,
    PassportOwner,
    ApiClient,
    ApiPublicClient,
    StepRecorder,
):
    _cls.weight = int(os.environ.get(f"URBANMINE_LOAD_WEIGHT_{_cls.__name__}", "1"))
