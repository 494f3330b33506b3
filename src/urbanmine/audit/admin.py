"""The data steward's actions on accounts in the admin: deactivate, pseudonymise.

They are added to whichever admin the user model has (Django's own, or one another app
registers), once every admin module has been loaded (`AuditConfig.ready`)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services


@admin.action(description=gettext_lazy("Deactivate (sign-in and API keys end)"))
def deactivate_users(modeladmin, request, queryset) -> None:
    _apply(modeladmin, request, queryset, services.user_deactivate, _("Deactivated: %(n)d."))


@admin.action(
    description=gettext_lazy("Pseudonymise (irreversible: removes name, e-mail and access)")
)
def pseudonymise_users(modeladmin, request, queryset) -> TemplateResponse | None:
    """Irreversible, so it asks first (as the admin's own delete action does)."""
    if request.POST.get("post") == "yes":
        _apply(
            modeladmin, request, queryset, services.user_pseudonymise, _("Pseudonymised: %(n)d.")
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Pseudonymise accounts"),
        "queryset": queryset.order_by("pk"),
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "audit/admin/pseudonymise_confirm.html", context)


def _apply(modeladmin, request, queryset, service, done: str) -> None:
    count = 0
    for user in queryset.order_by("pk"):
        try:
            service(user=user, actor=request.user)
        except PermissionDenied as refused:
            modeladmin.message_user(request, f"{user}: {refused}", messages.ERROR)
            continue
        count += 1
    if count:
        modeladmin.message_user(request, done % {"n": count}, messages.SUCCESS)


def attach_user_actions() -> None:
    """Add the actions to the user model's admin, when it has one."""
    model_admin = admin.site._registry.get(get_user_model())
    if model_admin is None:
        return
    actions = list(model_admin.actions or [])
    for action in (deactivate_users, pseudonymise_users):
        if action not in actions:
            actions.append(action)
    model_admin.actions = actions
