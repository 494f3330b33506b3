"""Helper of bench_import.py: time `urbanmine import-inventory FILE --asset ID` end to end
(parse + validate + store) on a fresh database; prints one JSON line.

Usage: python benchmarks/_import_store.py FILE   (DATABASE_URL selects PostgreSQL)."""

import json
import os
import sys
import tempfile
import time

os.environ.setdefault("URBANMINE_VAR_DIR", tempfile.mkdtemp(prefix="urbanmine-bench-import-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmine.settings")


def main(path: str) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from urbanmine.assets.services import asset_create
    from urbanmine.lots.models import LifecycleEvent, Lot
    from urbanmine.organisations.models import Organisation

    org, _ = Organisation.objects.get_or_create(name="Benchmark corporatie")
    asset = asset_create(
        owner=org,
        name="Benchmarkflat",
        scope="bu",
        use_type="apartment",
        lat=51.92,
        lon=4.48,
        construction_year=1965,
        floor_area_m2=12000,
    )
    t0 = time.perf_counter()
    call_command(
        "import_inventory", path, asset=asset.pk, format="json", stdout=open(os.devnull, "w")
    )
    seconds = time.perf_counter() - t0
    print(
        json.dumps(
            {
                "seconds": seconds,
                "lots": Lot.objects.filter(source_asset=asset).count(),
                "events": LifecycleEvent.objects.filter(lot__source_asset=asset).count(),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1])
