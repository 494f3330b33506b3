from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from urbanmine.lots import selectors as lot_selectors
from urbanmine.lots.services import lot_identify, lots_import_ifc_draft, lots_import_inventory
from urbanmine.organisations.models import ChainRole
from urbanmine.organisations.selectors import (
    may_change_asset,
    primary_organisation,
    user_roles,
    visible_assets_filter,
)

from . import services
from .forms import AssetForm, LotIdentifyForm
from .models import Asset, InterventionKind


class InterventionForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InterventionKind.choices)
    planned_start = forms.DateField(
        label=gettext_lazy("Planned start"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    planned_end = forms.DateField(
        label=gettext_lazy("Planned end"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=300)


@login_required
def asset_list(request):
    qs = (
        Asset.objects.filter(visible_assets_filter(request.user))
        .distinct()
        .select_related("municipality", "owner")
        .order_by("name")
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(name__icontains=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "assets/asset_list.html", {"page": page, "q": q})


@login_required
def asset_passport(request, pk):
    """An asset's material passport: its lots, mass per material and status, and history."""
    asset = get_object_or_404(
        Asset.objects.filter(visible_assets_filter(request.user))
        .distinct()
        .select_related("municipality", "owner"),
        pk=pk,
    )
    lots = list(lot_selectors.passport_lots(asset, viewer=request.user))
    return render(
        request,
        "assets/passport.html",
        {
            "asset": asset,
            "lots": lots,
            "summary": lot_selectors.passport_summary(lots),
            "interventions": list(asset.interventions.all()),
            "history": list(lot_selectors.asset_history(asset, limit=50, viewer=request.user)),
            "can_change": may_change_asset(request.user, asset),
            "intervention_form": InterventionForm()
            if may_change_asset(request.user, asset)
            else None,
        },
    )


@login_required
@require_http_methods(["POST"])
def asset_plan_intervention(request, pk):
    """Only the asset owner plans demolition, renovation or maintenance."""
    asset = get_object_or_404(
        Asset.objects.filter(visible_assets_filter(request.user)).distinct(), pk=pk
    )
    if not may_change_asset(request.user, asset):
        raise PermissionDenied
    form = InterventionForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_plan(asset=asset, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            for field, errs in e.message_dict.items():
                messages.error(
                    request,
                    f"{form.fields[field].label if field in form.fields else field}: {' '.join(errs)}",
                )
        else:
            messages.success(request, _("Intervention planned."))
    else:
        for field, errs in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else field}: {' '.join(errs)}",
            )
    return redirect("asset-passport", pk=asset.pk)


def _form_errors_from(form, error: ValidationError) -> None:
    for field, errs in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errs)


@login_required
def asset_create(request):
    """Register an asset (building or GWW object) for your organisation."""
    org = primary_organisation(request.user)
    if org is None:
        raise PermissionDenied
    form = AssetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(owner=org, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            _form_errors_from(form, e)
        else:
            messages.success(
                request, _("Asset registered in %(m)s.") % {"m": asset.municipality.name}
            )
            return redirect("asset-passport", pk=asset.pk)
    return render(
        request,
        "assets/asset_form.html",
        {"form": form, "organisation": org},
        status=400 if form.errors else 200,
    )


def may_add_lots(user, asset) -> bool:
    return may_change_asset(user, asset) or ChainRole.INVENTORISER in user_roles(user)


@login_required
def asset_add_lot(request, pk):
    """Identify a lot in an asset's passport (owner or an inventoriser who may see it)."""
    asset = get_object_or_404(
        Asset.objects.filter(visible_assets_filter(request.user)).distinct(), pk=pk
    )
    if not may_add_lots(request.user, asset):
        raise PermissionDenied
    form = LotIdentifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lot = lot_identify(
                asset=asset,
                actor=request.user,
                organisation=primary_organisation(request.user),
                **form.cleaned_data,
            )
        except ValidationError as e:
            _form_errors_from(form, e)
        else:
            messages.success(request, _("Lot %(code)s added to the passport.") % {"code": lot.code})
            return redirect("asset-passport", pk=asset.pk)
    return render(
        request,
        "assets/lot_form.html",
        {"form": form, "asset": asset},
        status=400 if form.errors else 200,
    )


def inventory_template(request):
    """The inventory template (CSV or XLSX) to fill in."""
    import tempfile

    from django.http import FileResponse

    from urbanmine.engine.inventory import write_inventory_template

    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    path = Path(tempfile.mkdtemp()) / f"urbanmine-inventaris.{fmt}"
    write_inventory_template(path, fmt=fmt)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=path.name)


@login_required
def asset_import(request, pk):
    """Upload an inventory: preview with row-level errors, then commit all or nothing."""
    from . import imports

    asset = get_object_or_404(
        Asset.objects.filter(visible_assets_filter(request.user)).distinct(), pk=pk
    )
    if not may_add_lots(request.user, asset):
        raise PermissionDenied
    context = {"asset": asset}
    if request.method == "POST" and request.POST.get("ifc_token"):
        return _ifc_commit(request, asset)
    if request.method == "POST" and request.POST.get("token"):
        token = request.POST["token"]
        upload = imports.load_upload(token)
        if upload is None:
            messages.error(request, _("The upload has expired; please upload the file again."))
            return redirect("asset-import", pk=asset.pk)
        result = imports.parse_upload(
            *upload, column_map=_column_map(request.POST.get("column_map"))
        )
        if result.errors:
            context.update(result=result, filename=upload[1])
            return render(request, "assets/import.html", context, status=400)
        lots = lots_import_inventory(
            asset_id=asset.pk,
            rows=result.rows,
            actor=request.user,
            source_name=upload[1],
            organisation=primary_organisation(request.user),
        )
        imports.drop_upload(token)
        messages.success(
            request,
            ngettext("%(n)d lot imported from %(f)s.", "%(n)d lots imported from %(f)s.", len(lots))
            % {"n": len(lots), "f": upload[1]},
        )
        return redirect("asset-passport", pk=asset.pk)
    if request.method == "POST":
        f = request.FILES.get("file")
        if f is None:
            context["upload_error"] = _("Choose a CSV or Excel file.")
            return render(request, "assets/import.html", context, status=400)
        if f.size > imports.MAX_UPLOAD_BYTES:
            context["upload_error"] = _("The file is larger than 50 MB.")
            return render(request, "assets/import.html", context, status=400)
        data = f.read()
        if f.name.lower().endswith(".ifc"):
            return _ifc_preview(request, asset, data, f.name)
        column_map = _column_map(request.POST.get("column_map"))
        result = imports.parse_upload(data, f.name, column_map=column_map)
        context.update(
            result=result,
            filename=f.name,
            preview=result.rows[:50],
            column_map=request.POST.get("column_map", ""),
        )
        if not result.errors:
            context["token"] = imports.stash_upload(data, f.name)
        return render(request, "assets/import.html", context, status=400 if result.errors else 200)
    return render(request, "assets/import.html", context)


def _column_map(text: str | None) -> dict[str, str]:
    """ "Artikelgroep=product_group; Aantal=quantity" → {"Artikelgroep": "product_group", ...}"""
    out = {}
    for part in (text or "").replace("\n", ";").split(";"):
        if "=" in part:
            k, v = part.split("=", 1)
            if k.strip() and v.strip():
                out[k.strip()] = v.strip()
    return out


def _ifc_draft(data_path, filename):
    from urbanmine.catalogue.selectors import product_group_codes
    from urbanmine.engine.ifc import read_ifc

    return read_ifc(data_path, known_product_groups=product_group_codes(), source_name=filename)


def _ifc_preview(request, asset, data: bytes, filename: str):
    """A draft passport from an IFC model, to review (and re-map) before it is committed."""
    from urbanmine.catalogue.models import ProductGroup
    from urbanmine.engine.ifc import IfcImportError

    from . import imports

    token = imports.stash_upload(data, filename)
    try:
        draft = _ifc_draft(imports.upload_path(token), filename)
    except IfcImportError as e:
        imports.drop_upload(token)
        return render(
            request, "assets/import.html", {"asset": asset, "upload_error": str(e)}, status=400
        )
    return render(
        request,
        "assets/import.html",
        {
            "asset": asset,
            "ifc": draft,
            "ifc_token": token,
            "filename": filename,
            "groups": ProductGroup.objects.order_by("name_nl"),
        },
    )


def _ifc_commit(request, asset):
    from urbanmine.engine.ifc import IfcImportError

    from . import imports

    token = request.POST["ifc_token"]
    upload = imports.load_upload(token)
    if upload is None:
        messages.error(request, _("The upload has expired; please upload the file again."))
        return redirect("asset-import", pk=asset.pk)
    try:
        draft = _ifc_draft(imports.upload_path(token), upload[1])
    except IfcImportError as e:
        messages.error(request, str(e))
        return redirect("asset-import", pk=asset.pk)
    overrides = {
        key.removeprefix("map__"): value
        for key, value in request.POST.items()
        if key.startswith("map__")
    }
    try:
        lots = lots_import_ifc_draft(
            asset_id=asset.pk,
            draft=draft,
            actor=request.user,
            source_name=upload[1],
            organisation=primary_organisation(request.user),
            overrides=overrides,
        )
    except ValidationError as e:
        messages.error(request, " ".join(sum(e.message_dict.values(), [])))
        return redirect("asset-import", pk=asset.pk)
    imports.drop_upload(token)
    messages.success(
        request, _("%(n)d lots added from the IFC model %(f)s.") % {"n": len(lots), "f": upload[1]}
    )
    return redirect("asset-passport", pk=asset.pk)
