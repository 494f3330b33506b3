"""API of the regions: municipalities with their CBS codes (public)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.permissions import AllowAny

from urbanmine.core.api import ApiViewMixin, param

from .models import Municipality


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


@extend_schema_view(
    list=extend_schema(
        summary="Municipalities (public; CBS codes)",
        parameters=[
            param("province", "CBS province code, e.g. PV28 for Zuid-Holland."),
            param("q", "Part of the name."),
        ],
    ),
    retrieve=extend_schema(summary="One municipality (public)"),
)
class MunicipalityViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = MunicipalitySerializer
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[A-Za-z0-9]+"

    def get_queryset(self):
        qs = Municipality.objects.order_by("name").defer("boundary_geojson")
        province = self.request.query_params.get("province")
        if province:
            qs = qs.filter(province_code=province)
        q = self.request.query_params.get("q")
        if q:
            qs = qs.filter(name__icontains=q)
        return qs
