from django.contrib import admin

from .models import ForecastResult, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    list_display = ["name", "is_reference", "organisation", "updated_at"]
    list_filter = ["is_reference"]
    search_fields = ["name"]


@admin.register(ForecastResult)
class ForecastResultAdmin(admin.ModelAdmin):
    list_display = ["id", "scenario", "status", "progress", "created_at", "finished_at"]
    list_filter = ["status"]
    exclude = ["demolition_kg", "renovation_kg", "demand_kg", "stock_mass_kg"]
    readonly_fields = ["scenario", "started_by", "status", "progress", "message", "stats"]
