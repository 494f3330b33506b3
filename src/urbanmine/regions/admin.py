from django.contrib import admin

from .models import Municipality


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province_name", "population"]
    list_filter = ["province_name"]
    search_fields = ["code", "name"]
    exclude = ["boundary_geojson"]
