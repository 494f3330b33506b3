from django.contrib import admin

from .models import ProductGroup


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name_nl",
        "name_en",
        "scope",
        "layer",
        "material",
        "unit",
        "processing_effort",
        "typical_processing_days",
        "min_batch",
    ]
    list_filter = ["scope", "layer", "processing_effort", "impact_class"]
    search_fields = ["code", "name_nl", "name_en"]
