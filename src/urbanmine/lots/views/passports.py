"""An asset's material passport (its lots, mass per material and status, history) and the
ways lots get into it: one by one, an inventory file (CSV/Excel) or an IFC model."""

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from urbanmine.assets.forms import AssetGrantForm, InterventionForm
from urbanmine.assets.models import Asset
from urbanmine.assets.permissions import (
    asset_may_add_lots,
    asset_may_change,
    asset_may_publish,
    asset_may_view,
    asset_sees_whole_passport,
)
from urbanmine.assets.selectors import asset_access
from urbanmine.catalogue.forms import unit_label
from urbanmine.catalogue.models import ProductGroup, Unit
from urbanmine.core.cache import public_cached
from urbanmine.core.forms import add_service_errors, error_text
from urbanmine.core.jobs import job_reap_if_stale
from urbanmine.core.models import JobStatus
from urbanmine.engine.ifc import IfcImportError
from urbanmine.engine.inventory import InventoryIssue, write_inventory_template
from urbanmine.organisations.membership import acting_organisation

from .. import imports, selectors, services
from ..forms import LotIdentifyForm
from ..inventory_messages import issue_text
from ..models import InventoryImport, QuantitySource
from ..permissions import (
    inventory_import_may_cancel,
    inventory_import_may_view,
    lots_visibility_key,
)


def _visible_asset(request, pk):
    """The asset if the user may open it, else 404. Its owner and platform-wide roles are
    decided without the visibility query (a join over the asset's lots)."""
    asset = get_object_or_404(Asset.objects.select_related("municipality", "owner"), pk=pk)
    if not asset_sees_whole_passport(request.user, asset) and not asset_may_view(
        request.user, asset
    ):
        raise Http404
    return asset


#: What the cached passport body carries in place of the viewer's CSRF token.
CSRF_PLACEHOLDER = "urbanmine-csrf-token-placeholder"


@login_required
def asset_passport(request, pk):
    """An asset's material passport: its lots, mass per material and status, and history.

    The page's content is the same for every viewer the permission functions decide the
    same for: it is cached in the shared cache (core/cache.py, invalidated by every write
    to lots, their events, assets and interventions) per asset, language, time zone and
    that permission signature; the frame (user menu, messages, CSRF tokens) is rendered
    per request."""
    asset = _visible_asset(request, pk)
    user = request.user
    can_change = asset_may_change(user, asset)
    may_add_lots = asset_may_add_lots(user, asset)
    whole = asset_sees_whole_passport(user, asset)
    # Who sees what: the whole passport (owner, platform-wide roles), or the lots that
    # `lots_visible_filter` lets this user see.
    sees = ("whole",) if whole else lots_visibility_key(user)
    key = (
        asset.pk,
        get_language(),
        timezone.get_current_timezone_name(),
        sees,
        can_change,
        may_add_lots,
    )
    body = public_cached(
        "passport-body",
        key,
        lambda: _passport_body(asset, user, can_change=can_change, may_add_lots=may_add_lots),
    )
    if can_change:
        body = body.replace(CSRF_PLACEHOLDER, get_token(request))
    access = asset_access(asset, user)
    context = {
        "drafts": selectors.asset_drafts(asset).count() if (can_change or may_add_lots) else 0,
        "asset": asset,
        "body": mark_safe(body),  # noqa: S308 (rendered by our template)
        "access": access,
        "grant_form": AssetGrantForm(asset=asset) if access["owner"] else None,
    }
    return render(request, "lots/passport.html", context)


def _passport_body(asset, viewer, *, can_change: bool, may_add_lots: bool) -> str:
    lots = list(selectors.passport_lots(asset, viewer=viewer))
    context = {
        "asset": asset,
        "lots": lots,
        "summary": selectors.passport_summary(lots),
        "interventions": list(asset.interventions.all()),
        "estimate": selectors.passport_estimate(asset),
        "history": list(selectors.asset_history(asset, limit=50, viewer=viewer)),
        "can_change": can_change,
        "may_add_lots": may_add_lots,
        "intervention_form": InterventionForm() if can_change else None,
        "csrf_token": CSRF_PLACEHOLDER,
    }
    return render_to_string("lots/_passport_body.html", context)


def _asset_for_adding_lots(request, pk):
    asset = _visible_asset(request, pk)
    if not asset_may_add_lots(request.user, asset):
        raise PermissionDenied
    return asset


@login_required
def asset_add_lot(request, pk):
    """Identify a lot in an asset's passport (owner or an inventoriser who may see it)."""
    asset = _asset_for_adding_lots(request, pk)
    form = LotIdentifyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.lot_identify(
                asset=asset,
                actor=request.user,
                organisation=acting_organisation(request.user),
                draft=True,  # the owner reviews and publishes it
                **form.cleaned_data,
            )
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(request, _("Lot %(code)s added to the passport.") % {"code": lot.code})
            return redirect("asset-passport", pk=asset.pk)
    context = {"form": form, "asset": asset}
    return render(request, "lots/lot_form.html", context, status=400 if form.errors else 200)


def inventory_template(request):
    """The inventory template (CSV or XLSX) to fill in."""
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    path = Path(tempfile.mkdtemp()) / f"urbanmine-inventaris.{fmt}"
    write_inventory_template(path, fmt=fmt)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)


def _import_context(asset, **extra) -> dict:
    """Every name the import page reads, so a missing one is a bug, not an empty block."""
    context = {
        "asset": asset,
        "upload_error": None,
        "column_map": "",
        "ifc": None,
        "result": None,
        "filename": "",
        "preview": [],
        "token": "",
    }
    context.update(extra)
    context["import_jobs_from"] = settings.URBANMINE_IMPORT_JOB_ROWS
    context["import_jobs"] = asset.inventory_imports.order_by("-created_at")[:5]
    result = context["result"]
    # The engine's issues in the interface's language (the first 500 errors are listed).
    context["errors"] = [
        (e.row, e.column, issue_text(e)) for e in (result.errors[:500] if result else [])
    ]
    context["warnings"] = [issue_text(w) for w in (result.warnings if result else [])]
    # the preview names product groups and units in words, not by their codes
    rows = context["preview"]
    names = (
        dict(
            ProductGroup.objects.filter(code__in={r.product_group for r in rows}).values_list(
                "code", "name_en" if get_language() == "en" else "name_nl"
            )
        )
        if rows
        else {}
    )
    context["preview"] = [
        (r, names.get(r.product_group, r.product_group), unit_label(r.unit)) for r in rows
    ]
    return context


def _import_page(request, asset, status=200, **extra):
    context = _import_context(asset, **extra)
    context["import_jobs"] = [
        job for job in context["import_jobs"] if inventory_import_may_view(request.user, job)
    ]
    return render(request, "lots/import.html", context, status=status)


@login_required
def asset_import(request, pk):
    """Upload an inventory: preview with row-level errors, then commit all or nothing."""
    asset = _asset_for_adding_lots(request, pk)
    if request.method != "POST":
        return _import_page(request, asset)
    if request.POST.get("ifc_token"):
        return _ifc_commit(request, asset)
    if request.POST.get("token"):
        return _inventory_commit(request, asset)
    return _upload(request, asset)


def _upload(request, asset):
    f = request.FILES.get("file")
    limit = settings.URBANMINE_MAX_UPLOAD_BYTES
    if getattr(request, "upload_too_large", False) or (f is not None and f.size > limit):
        too_large = _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
        return _import_page(request, asset, 413, upload_error=too_large)
    if f is None:
        return _import_page(request, asset, 400, upload_error=_("Choose a CSV or Excel file."))
    data = f.read()
    if f.name.lower().endswith(".ifc"):
        return _ifc_preview(request, asset, data, f.name)
    column_map_text = request.POST.get("column_map", "")
    if imports.import_is_large(data, f.name, _column_map(column_map_text)):
        job = services.inventory_import_start(
            asset=asset,
            actor=request.user,
            data=data,
            filename=f.name,
            column_map=_column_map(column_map_text),
        )
        return redirect("inventory-import", pk=job.pk)
    result = imports.parse_upload(data, f.name, column_map=_column_map(column_map_text))
    token = "" if result.errors else imports.stash_upload(data, f.name)
    return _import_page(
        request,
        asset,
        400 if result.errors else 200,
        result=result,
        filename=f.name,
        preview=result.rows[:50],
        column_map=column_map_text,
        token=token,
    )


def _inventory_commit(request, asset):
    token = request.POST["token"]
    upload = imports.load_upload(token)
    if upload is None:
        messages.error(request, _("The upload has expired; please upload the file again."))
        return redirect("asset-import", pk=asset.pk)
    result = imports.parse_upload(*upload, column_map=_column_map(request.POST.get("column_map")))
    if result.errors:
        return _import_page(request, asset, 400, result=result, filename=upload[1])
    lots = services.lots_import_inventory(
        asset_id=asset.pk,
        rows=result.rows,
        actor=request.user,
        source_name=upload[1],
        organisation=acting_organisation(request.user),
    )
    imports.drop_upload(token)
    messages.success(
        request,
        ngettext(
            "%(n)d lot imported from %(f)s as a draft: the owner reviews and publishes it.",
            "%(n)d lots imported from %(f)s as drafts: the owner reviews and publishes them.",
            len(lots),
        )
        % {"n": len(lots), "f": upload[1]},
    )
    return redirect("asset-passport", pk=asset.pk)


def _column_map(text: str | None) -> dict[str, str]:
    """ "Artikelgroep=product_group; Aantal=quantity" → {"Artikelgroep": "product_group", ...}"""
    out = {}
    for part in (text or "").replace("\n", ";").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            if k.strip() and v.strip():
                out[k.strip()] = v.strip()
    return out


def _ifc_flag_labels() -> dict[str, str]:
    return {
        "typical": _("estimate: typical mass"),
        "crosscheck": _("quantity set replaced by geometry"),
        "density": _("extreme density"),
        "intensity": _("high for this use type"),
        "unmapped": _("no product group"),
    }


def _ifc_review_rows(draft) -> list[dict]:
    """Per proposed lot what a reviewer checks: quantity in its unit, mass, source, flags."""
    flags = _ifc_flag_labels()
    sources = dict(QuantitySource.choices)
    units = dict(Unit.choices)
    return [
        {
            "lot": lot,
            "unit": units.get(lot.unit, lot.unit or ""),
            "mapped": bool(lot.product_group),
            # unmapped: no mass yet; its volume tells the reviewer what is at stake
            "source": sources.get(lot.quantity_source, lot.quantity_source)
            if lot.product_group
            else "",
            "flags": [flags.get(f, f) for f in lot.flags],
            "warn": any(f in ("crosscheck", "density", "intensity") for f in lot.flags),
        }
        for lot in draft.lots
    ]


def _ifc_verdict(draft) -> str:
    """The building's total against the material-intensity table, in the user's language."""
    p = draft.plausibility or {}
    if p.get("status") in (None, "unknown"):
        return _("No plausibility check: the floor area or the use type is unknown.")
    values = {
        "kg": round(p["kg_per_m2"]),
        "low": round(p["range_kg_per_m2"][0]),
        "high": round(p["range_kg_per_m2"][1]),
        "area": round(p["floor_area_m2"]),
    }
    if p["status"] == "ok":
        return (
            _("%(kg)s kg per m² of floor area (%(area)s m²): plausible (%(low)s–%(high)s).")
            % values
        )
    return (
        _(
            "%(kg)s kg per m² of floor area (%(area)s m²) is outside the plausible range "
            "%(low)s–%(high)s for this use type: check the lots before adding them."
        )
        % values
    )


def _ifc_preview(request, asset, data: bytes, filename: str):
    """A draft passport from an IFC model, to review (and re-map) before it is committed."""
    token = imports.stash_upload(data, filename)
    try:
        draft = imports.ifc_draft(imports.upload_path(token), filename, asset=asset)
    except IfcImportError as e:
        imports.drop_upload(token)
        return _import_page(request, asset, 400, upload_error=str(e))
    groups = ProductGroup.objects.order_by("name_nl")
    return _import_page(
        request,
        asset,
        ifc=draft,
        ifc_token=token,
        filename=filename,
        groups=groups,
        ifc_rows=_ifc_review_rows(draft),
        ifc_verdict=_ifc_verdict(draft),
        ifc_mass_t=draft.mapped_mass_kg / 1000,
    )


def _ifc_commit(request, asset):
    token = request.POST["ifc_token"]
    upload = imports.load_upload(token)
    if upload is None:
        messages.error(request, _("The upload has expired; please upload the file again."))
        return redirect("asset-import", pk=asset.pk)
    try:
        draft = imports.ifc_draft(imports.upload_path(token), upload[1], asset=asset)
    except IfcImportError as e:
        messages.error(request, str(e))
        return redirect("asset-import", pk=asset.pk)
    overrides = {
        key.removeprefix("map__"): value
        for key, value in request.POST.items()
        if key.startswith("map__")
    }
    lot_overrides = {
        key.removeprefix("lot__"): value
        for key, value in request.POST.items()
        if key.startswith("lot__")
    }
    try:
        lots = services.lots_import_ifc_draft(
            asset_id=asset.pk,
            draft=draft,
            actor=request.user,
            source_name=upload[1],
            organisation=acting_organisation(request.user),
            overrides=overrides,
            lot_overrides=lot_overrides,
        )
    except ValidationError as e:
        messages.error(request, error_text(e))
        return redirect("asset-import", pk=asset.pk)
    imports.drop_upload(token)
    messages.success(
        request, _("%(n)d lots added from the IFC model %(f)s.") % {"n": len(lots), "f": upload[1]}
    )
    return redirect("asset-passport", pk=asset.pk)


# ------------------------------------------------------------------------ import jobs
def _visible_import(request, pk) -> InventoryImport:
    job = get_object_or_404(
        InventoryImport.objects.select_related("asset", "started_by", "organisation"), pk=pk
    )
    if not inventory_import_may_view(request.user, job):
        raise Http404
    job_reap_if_stale(job)
    return job


def _issues(job: InventoryImport, kind: str) -> list[InventoryIssue]:
    return [InventoryIssue(**issue) for issue in (job.issues or {}).get(kind, [])]


@login_required
def inventory_import(request, pk):
    """A large inventory's import: progress while it runs, then its result and issues."""
    job = _visible_import(request, pk)
    errors = _issues(job, "errors")
    context = {
        "job": job,
        "asset": job.asset,
        "may_cancel": job.is_active and inventory_import_may_cancel(request.user, job),
        "errors": [(e.row, e.column, issue_text(e)) for e in errors[:500]],
        "error_count": (job.issues or {}).get("error_count", len(errors)),
        "warnings": [issue_text(w) for w in _issues(job, "warnings")],
    }
    return render(request, "lots/import_job.html", context)


@login_required
def inventory_import_status(request, pk):
    """The progress of an import job as JSON (its page polls it every second)."""
    job = _visible_import(request, pk)
    return JsonResponse(
        {
            "status": job.status,
            "status_display": job.get_status_display(),
            "finished": job.is_finished,
            "cancel_requested": job.cancel_requested,
            "progress": job.progress,
            "message": job.message,
        }
    )


@login_required
@require_POST
def inventory_import_cancel(request, pk):
    """Stop a queued or running import (its starter): nothing is stored."""
    job = _visible_import(request, pk)
    if not inventory_import_may_cancel(request.user, job):
        raise PermissionDenied
    if services.inventory_import_cancel(job=job, actor=request.user):
        text = (
            _("The import of %(f)s is cancelled.")
            if job.status == JobStatus.CANCELLED
            else _("The import of %(f)s stops at its next step.")
        )
        messages.success(request, text % {"f": job.source_name})
    else:
        messages.info(request, _("The import of %(f)s had already ended.") % {"f": job.source_name})
    return redirect("inventory-import", pk=job.pk)


@login_required
def asset_drafts(request, pk):
    """The owner's review of the asset's draft lots, with what to check, before they go on
    offer; whoever added them (an inventoriser let in) sees them waiting."""
    asset = _visible_asset(request, pk)
    may_publish = asset_may_publish(request.user, asset)
    if request.method == "POST":
        if not may_publish:
            raise PermissionDenied
        drafts = {lot.pk: lot for lot in selectors.asset_drafts(asset)}
        if request.POST.get("action") == "unflagged":
            chosen = [i for i, lot in drafts.items() if not services.lot_review_flags(lot)]
        else:
            chosen = [int(i) for i in request.POST.getlist("lot") if i.isdigit()]
        try:
            lots = services.lots_publish(lot_ids=chosen, actor=request.user)
        except ValidationError as e:
            messages.error(request, error_text(e))
        else:
            messages.success(
                request,
                ngettext("%(n)d lot published.", "%(n)d lots published.", len(lots))
                % {"n": len(lots)},
            )
        return redirect("asset-drafts", pk=asset.pk)
    drafts = list(selectors.asset_drafts(asset))
    rows = [(lot, services.lot_review_flags(lot)) for lot in drafts]
    context = {
        "asset": asset,
        "rows": rows,
        "may_publish": may_publish,
        "n_flagged": sum(1 for _lot, flags in rows if flags),
    }
    return render(request, "lots/drafts.html", context)
