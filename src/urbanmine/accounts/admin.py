"""The data steward's view of API keys: who has which, until when; revoke in bulk. The key
itself is never stored, so it cannot be shown here either."""

from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = (
        "prefix",
        "name",
        "user",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("name", "prefix", "user__username")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False  # a key is made by its owner, who alone sees it once

    @admin.action(description=_("Revoke the selected API keys"))
    def revoke(self, request, queryset):
        queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())


def _retire_drf_token_admin() -> None:
    """DRF's tokens no longer authenticate (accounts.ApiToken does): their admin screen
    would let a steward make keys that do nothing."""
    from django.apps import apps

    if not apps.is_installed("rest_framework.authtoken"):
        return
    from rest_framework.authtoken.models import TokenProxy

    if admin.site.is_registered(TokenProxy):
        admin.site.unregister(TokenProxy)


_retire_drf_token_admin()
