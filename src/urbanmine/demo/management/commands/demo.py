import json
from dataclasses import asdict

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from urbanmine.assets.models import Asset
from urbanmine.demo.generator import DEMO_PASSWORD, DemoRefused, load_demo


class Command(BaseCommand):
    help = (
        "Load reproducible Zuid-Holland demo data (real municipalities, synthetic stock). "
        "Refuses a database with real records unless --force; the data steward account "
        "'beheerder' (a superuser with the documented password) only in demo mode "
        "(URBANMINE_DEMO_MODE=true, as `make run` sets)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=1, help="multiplies the number of assets, lots and demand"
        )
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when assets already exist"
        )
        parser.add_argument(
            "--force", action="store_true", help="load next to records that are not demo data"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, scale, seed, if_empty, force, format, **options):
        if scale < 1 or scale > 1000:
            raise CommandError("--scale must be between 1 and 1000", returncode=2)
        if if_empty and Asset.objects.exists():
            self.stdout.write("Demo data already present; nothing loaded.")
            return
        quiet = format == "json"
        try:
            report = load_demo(
                scale=scale,
                seed=seed,
                force=force,
                steward_password=DEMO_PASSWORD if settings.URBANMINE_DEMO_MODE else None,
                progress=(lambda m: None) if quiet else (lambda m: self.stderr.write("  " + m)),
            )
        except DemoRefused as exc:
            raise CommandError(str(exc), returncode=1) from exc
        if quiet:
            self.stdout.write(json.dumps(asdict(report)))
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {report.seconds:.1f} s: {report.municipalities} municipalities, "
                f"{report.assets} assets, {report.lots} lots, {report.events} lifecycle events, "
                f"{report.hubs} hubs, {report.demand} demand requests."
            )
        )
