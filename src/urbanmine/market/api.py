"""API of the market: demand requests (a buyer's own; all for platform-wide roles) and
matching proposals (for one's demand or lots)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticated

from urbanmine.assets.models import Asset
from urbanmine.catalogue.models import ProductGroup, Unit
from urbanmine.core.api import (
    PROBLEM,
    PROTECTED_ERRORS,
    ApiViewMixin,
    IdRelatedField,
    is_id,
    param,
)
from urbanmine.lots.models import Quality
from urbanmine.organisations.models import Organisation

from .models import DemandRequest, DemandStatus, Proposal
from .selectors import visible_demand, visible_proposals
from .services import demand_request_create


class DemandRequestSerializer(serializers.ModelSerializer):
    """A demand of a destination project. Created for one of your organisations, for a
    project (asset) that organisation owns; checked by `services.demand_request_create`."""

    organisation = IdRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Organisation id; default: the first organisation you act for.",
    )
    project = IdRelatedField(queryset=Asset.objects.all())
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

    def create(self, validated_data):
        return demand_request_create(actor=self.context["request"].user, **validated_data)


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


@extend_schema_view(
    list=extend_schema(
        summary="Demand requests of your organisations (all for platform-wide roles)",
        parameters=[
            param("status", "Demand status.", enum=list(DemandStatus.values)),
            param("product_group", "Product-group code."),
        ],
        responses={200: DemandRequestSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One demand request", responses={200: DemandRequestSerializer, **PROTECTED_ERRORS}
    ),
    create=extend_schema(
        summary="Request material for a project of your organisation",
        responses={201: DemandRequestSerializer, 400: PROBLEM, 401: PROBLEM},
    ),
)
class DemandRequestViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = DemandRequestSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = visible_demand(self.request.user).order_by("window_start", "id")
        p = self.request.query_params
        if self.action == "list":
            if p.get("status"):
                qs = qs.filter(status=p["status"])
            if p.get("product_group"):
                qs = qs.filter(product_group__code=p["product_group"])
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Matching proposals for your demand or your lots (all for platform-wide roles)",
        parameters=[param("demand", "Demand request id.", int), param("status", "Status.")],
        responses={200: ProposalSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One proposal", responses={200: ProposalSerializer, **PROTECTED_ERRORS}
    ),
)
class ProposalViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProposalSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = visible_proposals(self.request.user).order_by("-value_eur", "id")
        p = self.request.query_params
        if self.action == "list":
            if is_id(p.get("demand", "")):
                qs = qs.filter(demand_id=int(p["demand"]))
            if p.get("status"):
                qs = qs.filter(status=p["status"])
        return qs
