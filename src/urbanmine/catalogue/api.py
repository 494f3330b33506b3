"""API of the catalogue: product groups (public)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from urbanmine.core.api import ApiViewMixin, param

from .models import ProductGroup


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


@extend_schema_view(
    list=extend_schema(
        summary="Product groups of the catalogue (public)",
        parameters=[
            param("scope", "gww, bu or both", enum=["gww", "bu", "both"]),
            param("material", "Main material, e.g. brick, steel, wood."),
        ],
    ),
    retrieve=extend_schema(summary="One product group (public)"),
)
class ProductGroupViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ProductGroupSerializer
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def get_queryset(self):
        qs = ProductGroup.objects.order_by("code")
        scope = self.request.query_params.get("scope")
        if scope in ("gww", "bu"):
            qs = qs.filter(scope__in=[scope, "both"])
        elif scope == "both":
            qs = qs.filter(scope="both")
        material = self.request.query_params.get("material")
        if material:
            qs = qs.filter(material=material)
        return qs
