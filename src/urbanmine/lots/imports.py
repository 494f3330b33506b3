"""Inventory and IFC uploads for the passport pages: parse → preview with row-level
errors → all-or-nothing commit (`services.lots_import_inventory`). The uploaded file waits
under var/uploads until confirmed, at most a day.

An inventory with more rows than URBANMINE_IMPORT_JOB_ROWS is imported as a background job
instead (`services.inventory_import_start`): its file waits under var/imports, a private
directory, until the job ends."""

import json
import os
import re
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from urbanmine.catalogue.selectors import (
    product_group_codes,
    product_group_mass_references,
    product_group_name_aliases,
)
from urbanmine.engine.inventory import (
    InventoryLimits,
    InventoryParseResult,
    count_rows,
    parse_inventory,
)

UPLOAD_DIR_NAME = "uploads"
#: Rows below the header an upload may have: twice the 100,000 rows the import benchmark
#: reads; larger passports go through `urbanmine import-inventory` or several files.
UPLOAD_MAX_ROWS = 200_000
#: Seconds of server time one upload's parse may take (the web page and the API wait for
#: it): the benchmark reads 100,000 rows of XLSX, the slow format, in about 10 s, so a
#: real file fits with room to spare, while a crafted one (a few hundred kilobytes of XLSX
#: can declare millions of rows) stops here instead of holding a worker for minutes.
UPLOAD_TIME_LIMIT_S = 30.0


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / UPLOAD_DIR_NAME
    path.mkdir(parents=True, exist_ok=True)
    return path


UPLOAD_MAX_AGE_S = 24 * 3600


def _drop_stale_uploads() -> None:
    """Previews that were never committed expire after a day."""
    cutoff = time.time() - UPLOAD_MAX_AGE_S
    for p in upload_dir().iterdir():
        if p.is_file() and p.stat().st_mtime < cutoff:
            p.unlink(missing_ok=True)


def stash_upload(data: bytes, filename: str) -> str:
    _drop_stale_uploads()
    token = uuid.uuid4().hex
    suffix = Path(filename).suffix.lower()[:6]
    (upload_dir() / f"{token}{suffix}").write_bytes(data)
    (upload_dir() / f"{token}.meta").write_text(json.dumps({"filename": filename}))
    return token


def upload_path(token: str) -> Path:
    matches = [p for p in upload_dir().glob(f"{token}*") if p.suffix != ".meta"]
    if not token.isalnum() or not matches:
        raise FileNotFoundError(token)
    return matches[0]


def load_upload(token: str) -> tuple[bytes, str] | None:
    if not token or not token.isalnum():
        return None
    meta = upload_dir() / f"{token}.meta"
    if not meta.exists():
        return None
    filename = json.loads(meta.read_text())["filename"]
    data_path = upload_dir() / f"{token}{Path(filename).suffix.lower()[:6]}"
    return data_path.read_bytes(), filename


def drop_upload(token: str) -> None:
    for p in upload_dir().glob(f"{token}*"):
        p.unlink(missing_ok=True)


def upload_limits() -> InventoryLimits:
    """The limits of a web or API upload: rows, time, and the catalogue's masses."""
    return InventoryLimits(
        max_rows=UPLOAD_MAX_ROWS,
        time_limit_s=UPLOAD_TIME_LIMIT_S,
        mass_references=product_group_mass_references(),
    )


def parse_upload(
    data: bytes,
    filename: str,
    column_map: dict[str, str] | None = None,
    *,
    limits: InventoryLimits | None = None,
    on_progress=None,
) -> InventoryParseResult:
    return parse_inventory(
        data,
        filename=filename,
        known_product_groups=product_group_codes(),
        today=timezone.localdate(),
        column_map=column_map or None,
        product_group_aliases=product_group_name_aliases(),
        limits=limits or upload_limits(),
        on_progress=on_progress,
    )


# ----------------------------------------------------------------------- background imports
IMPORT_DIR_NAME = "imports"
#: Seconds the parse of an import job may take: it holds a worker, not a web request.
IMPORT_JOB_TIME_LIMIT_S = 600.0
_IMPORT_FILE = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,5}$")


def import_is_large(data: bytes, filename: str, column_map: dict[str, str] | None = None) -> bool:
    """More rows than URBANMINE_IMPORT_JOB_ROWS: imported as a job, not within the request."""
    threshold = settings.URBANMINE_IMPORT_JOB_ROWS
    rows = count_rows(
        data,
        filename,
        column_map=column_map or None,
        at_most=threshold,
        limits=InventoryLimits(time_limit_s=UPLOAD_TIME_LIMIT_S),
    )
    return rows > threshold


def job_limits() -> InventoryLimits:
    """The limits of an import job's parse: an upload's rows, a worker's time."""
    return InventoryLimits(
        max_rows=UPLOAD_MAX_ROWS,
        time_limit_s=IMPORT_JOB_TIME_LIMIT_S,
        mass_references=product_group_mass_references(),
    )


def import_dir() -> Path:
    """VAR_DIR/imports, readable by the application's user only (never served)."""
    path = Path(settings.VAR_DIR) / IMPORT_DIR_NAME
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def import_file_save(data: bytes, filename: str) -> str:
    """Keep an upload for its job; returns the name of the file in `import_dir()`."""
    suffix = "".join(c for c in Path(filename).suffix.lower() if c.isalnum())[:5] or "bin"
    name = f"{uuid.uuid4().hex}.{suffix}"
    path = import_dir() / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return name


def import_file_path(name: str) -> Path:
    if not _IMPORT_FILE.match(name or ""):
        raise FileNotFoundError(name)
    return import_dir() / name


def import_file_drop(name: str) -> None:
    if name and _IMPORT_FILE.match(name):
        (import_dir() / name).unlink(missing_ok=True)


def ifc_draft(data_path: Path, filename: str, asset=None, **options):
    """A draft passport (elements per IFC type, proposed lots with quantities and masses),
    judged against the asset's use type and floor area when given."""
    from urbanmine.engine.ifc import read_ifc

    draft = read_ifc(data_path, **ifc_read_options(), source_name=filename, **options)
    ifc_assess(draft, asset)
    return draft


def ifc_assess(draft, asset=None, use_type: str | None = None, floor_area_m2=None) -> None:
    """Judge the draft's total against the material-intensity table of the asset's use
    type per m2 of its floor area (else the model's), or the ones given."""
    from urbanmine.engine.ifc import assess_plausibility

    if asset is not None:
        use_type = use_type or asset.use_type
        floor_area_m2 = floor_area_m2 or (
            float(asset.floor_area_m2) if asset.floor_area_m2 else None
        )
    assess_plausibility(draft, use_type=use_type, floor_area_m2=floor_area_m2)


def ifc_read_options() -> dict:
    """The catalogue as the data steward keeps it and the geometry settings, for
    engine.ifc.read_ifc."""
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.engine.ifc import ProductGroupInfo

    catalogue = {
        code: ProductGroupInfo(code, unit, float(typical), material)
        for code, unit, typical, material in ProductGroup.objects.values_list(
            "code", "unit", "typical_mass_kg_per_unit", "material"
        )
    }
    options: dict = {
        "known_product_groups": set(catalogue) or None,
        "catalogue": catalogue or None,
        "geometry": settings.URBANMINE_IFC_GEOMETRY,
        "geometry_max_elements": settings.URBANMINE_IFC_GEOMETRY_MAX_ELEMENTS,
    }
    return options
