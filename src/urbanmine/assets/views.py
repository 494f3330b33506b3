"""Pages of assets themselves: the list, registration and planned interventions. The
passport (the lots in an asset) is a page of the lots app."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from urbanmine.core.forms import add_service_errors, messages_from_errors
from urbanmine.organisations.membership import acting_organisation_or_none
from urbanmine.regions.places import lookup_enabled

from . import selectors, services
from .forms import AssetForm, AssetGrantForm, InterventionForm
from .permissions import asset_may_change, asset_may_grant, assets_visible_to


@login_required
def asset_list(request):
    q = request.GET.get("q", "").strip()
    page = Paginator(selectors.assets_for(request.user, q=q), 50).get_page(request.GET.get("page"))
    may_register = acting_organisation_or_none(request.user) is not None
    context = {"page": page, "q": q, "may_register": may_register}
    return render(request, "assets/asset_list.html", context)


@login_required
@require_http_methods(["POST"])
def asset_plan_intervention(request, pk):
    """Only the asset owner plans demolition, renovation or maintenance."""
    asset = get_object_or_404(assets_visible_to(request.user), pk=pk)
    if not asset_may_change(request.user, asset):
        raise PermissionDenied
    form = InterventionForm(request.POST)
    if not form.is_valid():
        messages_from_errors(request, form, form.errors)
        return redirect("asset-passport", pk=asset.pk)
    try:
        services.intervention_plan(asset=asset, actor=request.user, **form.cleaned_data)
    except ValidationError as e:
        messages_from_errors(request, form, e.message_dict)
    else:
        messages.success(request, _("Intervention planned."))
    return redirect("asset-passport", pk=asset.pk)


@login_required
def asset_create(request):
    """Register an asset (building or GWW object) for your organisation."""
    org = acting_organisation_or_none(request.user)
    if org is None:
        raise PermissionDenied
    form = AssetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_create(owner=org, actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_service_errors(form, e)
        else:
            messages.success(
                request, _("Asset registered in %(m)s.") % {"m": asset.municipality.name}
            )
            return redirect("asset-passport", pk=asset.pk)
    return render(
        request,
        "assets/asset_form.html",
        {"form": form, "organisation": org, "lookup_enabled": lookup_enabled()},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["POST"])
def asset_grant(request, pk):
    """The owner lets an organisation in on the asset."""
    asset = get_object_or_404(assets_visible_to(request.user), pk=pk)
    if not asset_may_grant(request.user, asset):
        raise PermissionDenied
    form = AssetGrantForm(request.POST, asset=asset)
    if not form.is_valid():
        messages_from_errors(request, form, form.errors)
        return redirect("asset-passport", pk=asset.pk)
    data = dict(form.cleaned_data)
    others = list(data.pop("also_for", []) or [])
    try:
        grants = services.asset_grant_many(assets=[asset, *others], actor=request.user, **data)
    except ValidationError as e:
        messages_from_errors(request, form, e.message_dict)
    else:
        grant = grants[0]
        messages.success(
            request,
            (
                ngettext(
                    "%(org)s has access to %(asset)s and %(n)d more asset as %(role)s.",
                    "%(org)s has access to %(asset)s and %(n)d more assets as %(role)s.",
                    len(others),
                )
                if others
                else _("%(org)s has access to %(asset)s as %(role)s.")
            )
            % {
                "org": grant.organisation.name,
                "asset": asset.name,
                "n": len(others),
                "role": grant.get_role_display().split(":")[0].lower(),
            },
        )
    return redirect("asset-passport", pk=asset.pk)


@login_required
@require_http_methods(["POST"])
def asset_grant_revoke(request, pk):
    grant = get_object_or_404(selectors.grants_visible_to(request.user), pk=pk)
    try:
        services.asset_grant_revoke(grant_id=grant.pk, actor=request.user)
    except ValidationError as e:
        messages.error(request, " ".join(m for ms in e.message_dict.values() for m in ms))
    else:
        messages.success(
            request, _("Access of %(org)s revoked.") % {"org": grant.organisation.name}
        )
    return redirect("asset-passport", pk=grant.asset_id)
