"""Serializers of API v1: shapes in and out; the rules live in the services."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from urbanmine.assets.models import Asset, UseType
from urbanmine.catalogue.models import ProductGroup, Scope, Unit
from urbanmine.hubs.models import Hub
from urbanmine.lots.lifecycle import Step
from urbanmine.lots.models import LifecycleEvent, Lot, Quality, RStrategy
from urbanmine.market.models import DemandRequest, Proposal
from urbanmine.organisations.models import Organisation
from urbanmine.organisations.selectors import user_is_platform_wide, user_organisation_ids
from urbanmine.regions.models import Municipality

# ----------------------------------------------------------------------------- reference


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]


class ProductGroupSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductGroup
        fields = [
            "code",
            "name_nl",
            "name_en",
            "scope",
            "layer",
            "material",
            "unit",
            "typical_mass_kg_per_unit",
            "volume_scarcity",
            "impact_class",
            "processing_effort",
            "standardisation",
            "detachability",
            "testing_burden",
            "market_readiness",
            "assessment_guideline",
        ]


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = [
            "code",
            "name",
            "province_code",
            "province_name",
            "population",
            "centroid_lat",
            "centroid_lon",
        ]


# ---------------------------------------------------------------------------------- assets


class AssetSerializer(serializers.ModelSerializer):
    owner = OrganisationRefSerializer(read_only=True)
    municipality = serializers.SlugRelatedField(slug_field="code", read_only=True)
    municipality_name = serializers.CharField(source="municipality.name", read_only=True)

    class Meta:
        model = Asset
        fields = [
            "id",
            "name",
            "scope",
            "use_type",
            "owner",
            "address",
            "lat",
            "lon",
            "municipality",
            "municipality_name",
            "construction_year",
            "floor_area_m2",
            "length_m",
            "area_m2",
            "is_demo",
            "created_at",
        ]
        read_only_fields = fields


class AssetCreateSerializer(serializers.Serializer):
    """A new asset of one's own organisation; give WGS84 `lat`/`lon` or RD New `rd_x`/`rd_y`."""

    owner = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Organisation id; default: the first organisation you act for.",
    )
    name = serializers.CharField(max_length=200)
    scope = serializers.ChoiceField(choices=[(Scope.BU, Scope.BU.label), (Scope.GWW, "GWW")])
    use_type = serializers.ChoiceField(choices=UseType.choices)
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    rd_x = serializers.FloatField(required=False, allow_null=True)
    rd_y = serializers.FloatField(required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    construction_year = serializers.IntegerField(
        required=False, allow_null=True, min_value=1000, max_value=2200
    )
    floor_area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, allow_null=True, min_value=Decimal(0)
    )
    length_m = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, allow_null=True, min_value=Decimal(0)
    )
    area_m2 = serializers.DecimalField(
        max_digits=12, decimal_places=1, required=False, allow_null=True, min_value=Decimal(0)
    )

    def validate(self, attrs):
        has_wgs = attrs.get("lat") is not None and attrs.get("lon") is not None
        has_rd = attrs.get("rd_x") is not None and attrs.get("rd_y") is not None
        if not has_wgs and not has_rd:
            raise serializers.ValidationError(
                {"lat": _("Give lat and lon (WGS84) or rd_x and rd_y (RD New).")}
            )
        return attrs


# ------------------------------------------------------------------------------------ lots


class LotSerializer(serializers.ModelSerializer):
    product_group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = OrganisationRefSerializer(read_only=True)
    custodian = OrganisationRefSerializer(read_only=True)
    mass_kg = serializers.SerializerMethodField()
    hazardous = serializers.BooleanField(source="is_hazardous", read_only=True)

    class Meta:
        model = Lot
        fields = [
            "code",
            "product_group",
            "description",
            "quantity",
            "unit",
            "mass_kg_per_unit",
            "mass_kg",
            "quality",
            "hazardous",
            "has_asbestos",
            "has_chromium6",
            "has_other_hazard",
            "hazard_note",
            "owner",
            "custodian",
            "source_asset",
            "location",
            "hub",
            "applied_asset",
            "status",
            "status_since",
            "hub_since",
            "r_strategy",
            "expected_release_date",
            "is_published",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_mass_kg(self, lot) -> str:
        mass = getattr(lot, "mass_kg_total", None)
        if mass is None:
            mass = lot.quantity * lot.mass_kg_per_unit
        return f"{mass.quantize(Decimal('0.001')):f}"


class SupplySerializer(serializers.ModelSerializer):
    """A publicly offered lot at its current place (no owner or custodian: public)."""

    product_group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    product_group_name = serializers.CharField(source="product_group.name", read_only=True)
    mass_kg = serializers.SerializerMethodField()
    municipality = serializers.SerializerMethodField()
    lat = serializers.SerializerMethodField()
    lon = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = [
            "code",
            "product_group",
            "product_group_name",
            "description",
            "quantity",
            "unit",
            "mass_kg_per_unit",
            "mass_kg",
            "quality",
            "status",
            "location",
            "municipality",
            "lat",
            "lon",
            "expected_release_date",
        ]
        read_only_fields = fields

    def _place(self, lot):
        from urbanmine.lots.selectors import lot_place

        place = getattr(lot, "_api_place", None)
        if place is None:
            place = lot._api_place = lot_place(lot)
        return place

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_mass_kg(self, lot) -> str:
        return LotSerializer.get_mass_kg(self, lot)  # type: ignore[arg-type]

    def get_municipality(self, lot) -> str:
        return self._place(lot)[2]

    def get_lat(self, lot) -> float:
        return self._place(lot)[0]

    def get_lon(self, lot) -> float:
        return self._place(lot)[1]


class LifecycleEventSerializer(serializers.ModelSerializer):
    lot = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = OrganisationRefSerializer(read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = LifecycleEvent
        fields = [
            "id",
            "lot",
            "step",
            "occurred_at",
            "recorded_at",
            "actor",
            "organisation",
            "location",
            "asset",
            "hub",
            "quantity",
            "notes",
            "payload",
            "status_after",
            "r_strategy",
            "co2_avoided_kg",
            "waste_diverted_kg",
        ]
        read_only_fields = fields


RECORDABLE_STEPS = [(value, label) for value, label in Step.choices]


class RecordStepSerializer(serializers.Serializer):
    """One process step on a lot (`lot_record_step`). A smaller `quantity` than the lot
    holds splits it first; the event then belongs to the new lot (see `lot` in the reply)."""

    step = serializers.ChoiceField(choices=RECORDABLE_STEPS)
    occurred_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Default: now."
    )
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        required=False,
        allow_null=True,
        help_text="Default: the whole lot.",
    )
    hub = serializers.PrimaryKeyRelatedField(
        queryset=Hub.objects.all(), required=False, allow_null=True
    )
    target_asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(), required=False, allow_null=True
    )
    counterparty = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(), required=False, allow_null=True
    )
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    r_strategy = serializers.ChoiceField(
        choices=RStrategy.choices, required=False, allow_blank=True, default=""
    )
    guideline = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    certificate_number = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=60
    )
    valid_until = serializers.DateField(required=False, allow_null=True)


# ------------------------------------------------------------------------------------ hubs


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

    @extend_schema_field(OpenApiTypes.DECIMAL)
    def get_held_kg(self, hub) -> str:
        held = self.context.get("occupancy", {}).get(hub.id, Decimal(0))
        return f"{Decimal(held).quantize(Decimal('0.001')):f}"


class HubSettingsSerializer(serializers.ModelSerializer):
    """What the hub's operator may change."""

    capacity_t = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal(0), required=False
    )
    capacity_m2 = serializers.DecimalField(
        max_digits=10, decimal_places=1, min_value=Decimal(0), required=False
    )
    max_dwell_days = serializers.IntegerField(min_value=1, max_value=3650, required=False)

    class Meta:
        model = Hub
        fields = ["capacity_t", "capacity_m2", "max_dwell_days", "open_to_deliveries"]


class StockLineSerializer(serializers.Serializer):
    lot = LotSerializer(read_only=True)
    dwell_days = serializers.IntegerField(read_only=True)
    level = serializers.ChoiceField(
        choices=[("ok", "ok"), ("warning", "warning"), ("alert", "alert")],
        read_only=True,
        help_text="warning: past 6 months at the hub; alert: past 9 months.",
    )


# ---------------------------------------------------------------------------------- market


class DemandRequestSerializer(serializers.ModelSerializer):
    """A demand of a destination project. Created for one of your organisations, for a
    project (asset) that organisation owns."""

    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Organisation id; default: the first organisation you act for.",
    )
    project = serializers.PrimaryKeyRelatedField(queryset=Asset.objects.all())
    product_group = serializers.SlugRelatedField(
        slug_field="code", queryset=ProductGroup.objects.all()
    )
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    min_quality = serializers.ChoiceField(choices=Quality.choices, required=False, default="C")
    max_distance_km = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, default=50
    )

    class Meta:
        model = DemandRequest
        fields = [
            "id",
            "project",
            "organisation",
            "product_group",
            "quantity",
            "unit",
            "min_quality",
            "window_start",
            "window_end",
            "max_distance_km",
            "status",
            "created_at",
        ]
        read_only_fields = ["id", "status", "created_at"]

    def _user(self):
        return self.context["request"].user

    def validate_quantity(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("The quantity must be more than zero."))
        return value

    def validate_organisation(self, value):
        if value.id not in user_organisation_ids(self._user()):
            raise serializers.ValidationError(_("You do not act for this organisation."))
        return value

    def validate(self, attrs):
        user = self._user()
        orgs = user_organisation_ids(user)
        if "organisation" not in attrs:
            if not orgs:
                raise serializers.ValidationError(
                    {"organisation": _("You do not belong to an organisation.")}
                )
            attrs["organisation"] = Organisation.objects.get(id=min(orgs))
        project = attrs["project"]
        if project.owner_id not in orgs and not user_is_platform_wide(user):
            raise serializers.ValidationError(
                {"project": _("Demand is requested for a project of your own organisation.")}
            )
        if attrs["window_end"] < attrs["window_start"]:
            raise serializers.ValidationError(
                {"window_end": _("The end of the window lies before its start.")}
            )
        group = attrs["product_group"]
        attrs.setdefault("unit", group.unit)
        if attrs["unit"] == Unit.PIECE and attrs["quantity"] != int(attrs["quantity"]):
            raise serializers.ValidationError(
                {"quantity": _("Pieces are counted in whole numbers.")}
            )
        return attrs


class ProposalSerializer(serializers.ModelSerializer):
    lot = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "run",
            "demand",
            "lot",
            "hub",
            "quantity",
            "delivery_date",
            "distance_km",
            "mass_kg",
            "co2_avoided_kg",
            "transport_co2_kg",
            "value_eur",
            "status",
            "stale_reason",
            "accepted_at",
        ]
        read_only_fields = fields


class SupplyAggregateSerializer(serializers.Serializer):
    product_group = serializers.CharField()
    name_nl = serializers.CharField()
    name_en = serializers.CharField()
    mass_kg = serializers.DecimalField(max_digits=20, decimal_places=3)


class StatusAggregateSerializer(serializers.Serializer):
    status = serializers.CharField()
    mass_kg = serializers.DecimalField(max_digits=20, decimal_places=3)


class SupplyAggregatesSerializer(serializers.Serializer):
    by_product_group = SupplyAggregateSerializer(many=True)
    by_status = StatusAggregateSerializer(many=True)
