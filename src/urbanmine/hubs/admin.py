from django.contrib import admin

from .models import Hub


@admin.register(Hub)
class HubAdmin(admin.ModelAdmin):
    list_display = ["name", "typology", "municipality", "operator", "capacity_t", "max_dwell_days"]
    list_filter = ["typology", "is_temporary"]
    search_fields = ["name"]
    filter_horizontal = ["accepted_product_groups"]
    list_select_related = ["municipality", "operator"]
