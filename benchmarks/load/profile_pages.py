"""Time the pages of the load scenarios in-process (Django test client) and count their
queries: where a request spends its time before any HTTP or worker overhead.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/urbanmine_load \
        .venv/bin/python benchmarks/load/profile_pages.py [--profile PATH]

`--profile` prints a cProfile profile of the given path (as the owner "eigenaar").
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmine.settings")
os.environ.setdefault("URBANMINE_API_ANON_RATE", "1000000/min")
os.environ.setdefault("URBANMINE_API_USER_RATE", "1000000/min")


def main() -> int:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from scenario_data import scenario_data

    p = argparse.ArgumentParser()
    p.add_argument("--profile", default="")
    p.add_argument("--n", type=int, default=15)
    args = p.parse_args()
    data = scenario_data()
    anon, owner, api = Client(), Client(), Client()
    from django.contrib.auth import get_user_model

    # as the load test's sessions are made (axes needs a request for a password login)
    owner.force_login(get_user_model().objects.get(username=data["owner"]))
    auth = {"HTTP_AUTHORIZATION": f"Token {data['token']}"}
    lot = data["lot_codes"][0]
    pages = [
        ("supply list", anon, "/supply/", {}),
        ("supply list p3 bricks", anon, "/supply/?product_group=bricks-clay&page=3", {}),
        ("dashboard", anon, "/dashboard/", {}),
        ("passport", owner, f"/assets/{data['passport_ids'][0]}/", {}),
        ("api supply", anon, "/api/v1/supply", {}),
        ("api aggregates", anon, "/api/v1/supply/aggregates", {}),
        ("api lots", api, "/api/v1/lots", auth),
        ("api lot detail", api, f"/api/v1/lots/{lot}", auth),
    ]
    if args.profile:
        import cProfile
        import pstats

        owner.get(args.profile, **auth)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(args.n):
            owner.get(args.profile, **auth)
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
        return 0
    print(f"{'page':24s} {'status':>6s} {'queries':>7s} {'median ms':>9s} {'min ms':>7s}")
    for name, client, url, extra in pages:
        r = client.get(url, **extra)
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url, **extra)
        times = []
        for _ in range(args.n):
            t = time.perf_counter()
            client.get(url, **extra)
            times.append((time.perf_counter() - t) * 1000)
        print(
            f"{name:24s} {r.status_code:6d} {len(queries):7d} "
            f"{statistics.median(times):9.1f} {min(times):7.1f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
