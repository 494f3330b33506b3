"""Shapes of a hub in the API (the hub endpoints serve a hub with its stock, so they live
in the lots app's API)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from urbanmine.core.api import DECIMAL_STRING
from urbanmine.organisations.api import OrganisationRefSerializer

from .models import Hub
from .services import MAX_CAPACITY_T, MAX_DWELL_DAYS_LIMIT


class HubSerializer(serializers.ModelSerializer):
    operator = OrganisationRefSerializer(read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    accepted_product_groups = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    held_kg = serializers.SerializerMethodField()

    class Meta:
        model = Hub
        fields = [
            "id",
            "name",
            "typology",
            "operator",
            "lat",
            "lon",
            "municipality",
            "capacity_m2",
            "capacity_t",
            "max_dwell_days",
            "accepted_product_groups",
            "processing_capabilities",
            "is_temporary",
            "open_to_deliveries",
            "held_kg",
        ]
        read_only_fields = fields

    @extend_schema_field(DECIMAL_STRING)
    def get_held_kg(self, hub) -> str:
        held = self.context.get("occupancy", {}).get(hub.id, Decimal(0))
        return f"{Decimal(held).quantize(Decimal('0.001')):f}"


class HubSettingsSerializer(serializers.ModelSerializer):
    """What the hub's operator may change. The ranges are the service's
    (`services.hub_settings_update` checks them for the web and the API alike); they are
    declared here too so the OpenAPI document shows them."""

    capacity_t = serializers.DecimalField(
        max_digits=12, decimal_places=3, required=False, min_value=0, max_value=MAX_CAPACITY_T
    )
    max_dwell_days = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_DWELL_DAYS_LIMIT
    )

    class Meta:
        model = Hub
        fields = ["capacity_t", "capacity_m2", "max_dwell_days", "open_to_deliveries"]
