from django.contrib import admin

from .models import Inspection, LifecycleEvent, Lot


class EventInline(admin.TabularInline):
    model = LifecycleEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "step", "organisation", "quantity", "status_after", "notes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lot)
class LotAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "product_group",
        "quantity",
        "unit",
        "quality",
        "status",
        "location",
        "owner",
        "is_published",
    ]
    list_filter = ["status", "location", "quality", "is_published", "product_group__scope"]
    search_fields = ["code", "description"]
    raw_id_fields = ["source_asset", "applied_asset", "hub", "owner", "custodian", "product_group"]
    # Status and place follow from lifecycle events recorded through the services.
    readonly_fields = [
        "status",
        "status_since",
        "location",
        "hub",
        "hub_since",
        "applied_asset",
        "source_assets",
    ]
    list_select_related = ["product_group", "owner"]
    inlines = [EventInline]


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(admin.ModelAdmin):
    """Read-only: the history is append-only."""

    list_display = ["occurred_at", "lot", "step", "organisation", "quantity", "status_after"]
    list_filter = ["step"]
    list_select_related = ["lot", "organisation"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["lot", "inspector", "inspected_on", "guideline", "result", "valid_until"]
    raw_id_fields = ["lot", "event"]
