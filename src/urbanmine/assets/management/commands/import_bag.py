"""`urbanmine import-bag FILE [--municipality GMxxxx] [--dry-run] [--format json]
[--owner ORGANISATION] [--strict]`: register the buildings of a BAG GeoPackage (the layout
PDOK publishes, layers `pand` and `verblijfsobject`) as assets with an estimated passport.

Exit codes: 0 imported (or, with --dry-run, checked; nothing stored), with any implausible
feature skipped and named in the report; 1 nothing stored: the file is not the BAG layout
(the message names layer, feature id and field), an option is wrong, or --strict and a
feature is implausible. Re-importing updates the buildings by BAG id (never duplicates).
ADR 0006 documents the rules and every field of the JSON report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from urbanmine.assets.services import UNKNOWN_OWNER_NAME, BagImportReport, assets_import_bag
from urbanmine.engine.bag import PAND_GONE, BagFileError
from urbanmine.organisations.models import Organisation

MAX_TEXT_ISSUES = 50


class Command(BaseCommand):
    help = (
        "Register the buildings (panden) of a BAG GeoPackage as assets with a passport "
        "estimated from material intensities; a re-import updates them by BAG id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the BAG GeoPackage (.gpkg), e.g. PDOK's bag-light.gpkg")
        parser.add_argument(
            "--municipality", default=None, help="import only buildings in this CBS municipality"
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count; store nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--owner",
            default=None,
            help="organisation (id or exact name) that owns new buildings; default: the "
            f"placeholder {UNKNOWN_OWNER_NAME!r}, seen only by platform-wide roles",
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="refuse the whole file (exit 1, nothing stored) when any feature is implausible",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_json = options["format"] == "json"
        path = Path(options["file"])
        code = options["municipality"]
        if code is not None:
            code = code.strip().upper()
            if not code.startswith("GM"):
                code = f"GM{code.zfill(4)}"
        owner = self._owner(options["owner"], as_json)
        try:
            report = assets_import_bag(
                path=path,
                owner=owner,
                municipality_code=code,
                dry_run=options["dry_run"],
                strict=options["strict"],
            )
        except BagFileError as exc:
            self._fail(as_json, exc.to_dict(), f"{path.name}: {exc}; nothing stored")
        except ValidationError as exc:
            reason = "; ".join(m for ms in exc.message_dict.values() for m in ms)
            self._fail(as_json, {"field": "--municipality", "reason": reason}, reason)
        self._report(report, as_json)
        if report.refused:
            n = len(report.buildings.issues)
            raise CommandError(
                f"{path.name}: {n} implausible feature{'s' if n != 1 else ''} and --strict; "
                "nothing stored",
                returncode=1,
            )

    def _owner(self, value: str | None, as_json: bool) -> Organisation | None:
        if value is None:
            return None
        found = (
            Organisation.objects.filter(pk=int(value)).first()
            if value.isdigit()
            else Organisation.objects.filter(name=value).first()
        )
        if found is None:
            self._fail(
                as_json,
                {"field": "--owner", "reason": f"no organisation {value!r}"},
                f"--owner: no organisation {value!r}",
            )
        return found

    def _fail(self, as_json: bool, error: dict[str, Any], message: str) -> NoReturn:
        if as_json:
            payload = {"stored": False, "errors": [{"layer": None, "feature_id": None, **error}]}
            self.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False))
        raise CommandError(message, returncode=1)

    def _report(self, report: BagImportReport, as_json: bool) -> None:
        data = report.to_dict()
        if as_json:
            self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))
            return
        b, s = data["buildings"], data["skipped"]
        for issue in report.buildings.issues[:MAX_TEXT_ISSUES]:
            self.stdout.write(f"skipped: {issue}")
        if len(report.buildings.issues) > MAX_TEXT_ISSUES:
            self.stdout.write(
                f"... and {len(report.buildings.issues) - MAX_TEXT_ISSUES} more "
                "(use --format json for all)"
            )
        gone = sum(s["status"].get(k, 0) for k in PAND_GONE)
        self.stdout.write(
            f"{data['features']['pand']} panden, {data['features']['verblijfsobject']} "
            f"verblijfsobjecten: {b['eligible']} buildings "
            f"({b['created']} new, {b['updated']} updated, {b['unchanged']} unchanged); "
            f"skipped {sum(s['status'].values())} by status ({gone} demolished or withdrawn), "
            f"{s['no_units']} without units, {s['rejected']} implausible, "
            f"{s['outside_municipality']} outside the municipality"
        )
        self.stdout.write(
            f"estimated passports: {data['estimate']['total_kg'] / 1e6:,.1f} kt "
            f"({data['estimate']['written']} written); owner of new buildings: "
            f"{data['owner']['name']}"
        )
        if report.registered_now_gone:
            self.stdout.write(
                f"{len(report.registered_now_gone)} registered buildings are demolished or "
                "withdrawn in this file (kept; see registered_now_gone in --format json)"
            )
        if report.refused:
            self.stdout.write("--strict: implausible features; nothing stored")
        elif report.dry_run:
            self.stdout.write("dry run: nothing stored")
