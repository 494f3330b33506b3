from django.contrib import admin

from .models import Asset, PlannedIntervention


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
    search_fields = ["name", "address"]
    raw_id_fields = ["owner", "municipality"]
    inlines = [InterventionInline]
    list_select_related = ["municipality", "owner"]
