from django.contrib import admin

from .models import Asset, PassportEstimate, PlannedIntervention


class InterventionInline(admin.TabularInline):
    model = PlannedIntervention
    extra = 0


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "scope",
        "use_type",
        "municipality",
        "owner",
        "construction_year",
        "is_demo",
    ]
    list_filter = ["scope", "use_type", "is_demo"]
    search_fields = ["name", "address", "bag_id"]
    raw_id_fields = ["owner", "municipality"]
    inlines = [InterventionInline]
    list_select_related = ["municipality", "owner"]


@admin.register(PassportEstimate)
class PassportEstimateAdmin(admin.ModelAdmin):
    """Estimated passports are derived by `urbanmine import-bag`: read-only here."""

    list_display = ["asset", "total_kg", "basis", "updated_at"]
    search_fields = ["asset__name", "asset__bag_id"]
    raw_id_fields = ["asset"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
