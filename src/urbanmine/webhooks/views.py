"""Pages of the webhooks: an organisation's subscriptions (add one; its secret is shown
once) and one subscription with its delivery log (switch on/off, renew the secret, remove).
Thin: the service checks, the selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from urbanmine.organisations.membership import user_organisation_ids

from . import selectors, services
from .forms import SubscriptionForm
from .models import EventType


def _form_errors(form: SubscriptionForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@never_cache
@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created = services.subscription_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            new_secret = created.secret
            form = SubscriptionForm()
    context = {
        "form": form,
        "new_secret": new_secret,
        "subscriptions": selectors.subscriptions_of(viewer=request.user),
        "has_organisation": bool(user_organisation_ids(request.user)),
        "event_types": EventType.choices,
    }
    return render(request, "webhooks/list.html", context, status=400 if form.errors else 200)


ACTIONS = {"enable", "disable", "secret", "delete"}


def _act(request: HttpRequest, pk: int, action: str) -> str | None:
    """Performs a button's action; the new secret when renewed."""
    if action == "delete":
        services.subscription_delete(subscription_id=pk, actor=request.user)
        messages.success(request, _("The subscription has been removed."))
        return None
    if action == "secret":
        renewed = services.subscription_rotate_secret(subscription_id=pk, actor=request.user)
        return renewed.secret
    services.subscription_update(
        subscription_id=pk, actor=request.user, is_active=action == "enable"
    )
    messages.success(request, _("The subscription has been changed."))
    return None


@never_cache
@login_required
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = selectors.subscription_of(viewer=request.user, subscription_id=pk)
    if subscription is None:
        raise Http404
    new_secret = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponse(status=400)
        try:
            new_secret = _act(request, pk, action)
        except PermissionDenied:
            raise Http404 from None
        if action == "delete":
            return redirect("webhook-list")
        if new_secret is None:
            return redirect("webhook-detail", pk=pk)
        subscription = selectors.subscription_of(viewer=request.user, subscription_id=pk)
        if subscription is None:
            raise Http404
    context = {
        "subscription": subscription,
        "deliveries": selectors.deliveries_of(subscription=subscription),
        "new_secret": new_secret,
        "event_labels": dict(EventType.choices),
    }
    return render(request, "webhooks/detail.html", context)
