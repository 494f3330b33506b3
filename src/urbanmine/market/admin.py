from django.contrib import admin

from .models import DemandRequest


@admin.register(DemandRequest)
class DemandRequestAdmin(admin.ModelAdmin):
    list_display = [
        "product_group",
        "quantity",
        "unit",
        "min_quality",
        "window_start",
        "window_end",
        "project",
        "status",
    ]
    list_filter = ["status", "min_quality"]
    raw_id_fields = ["project", "organisation", "product_group"]
