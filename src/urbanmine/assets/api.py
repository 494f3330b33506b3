"""API of assets: the assets a user may see, and registering one. The passport (its lots)
is served by the lots app's API under the same path (`assets/{id}/passport…`)."""

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from urbanmine.catalogue.models import Scope
from urbanmine.core.api import PROBLEM, PROTECTED_ERRORS, ApiViewMixin, IdRelatedField, param
from urbanmine.organisations.api import OrganisationRefSerializer
from urbanmine.organisations.membership import acting_organisation
from urbanmine.organisations.models import Organisation

from .models import Asset, UseType
from .selectors import assets_for
from .services import asset_create


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

    owner = IdRelatedField(
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


@extend_schema_view(
    list=extend_schema(
        summary="Assets you may see",
        parameters=[
            param("q", "Part of the name."),
            param("scope", "bu or gww", enum=["bu", "gww"]),
            param("use_type", "Use type, e.g. apartment, road."),
            param("municipality", "CBS municipality code."),
        ],
        responses={200: AssetSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One asset", responses={200: AssetSerializer, **PROTECTED_ERRORS}
    ),
    create=extend_schema(
        summary="Register an asset of your own organisation",
        request=AssetCreateSerializer,
        responses={201: AssetSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    ),
)
class AssetViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AssetSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        p = self.request.query_params
        qs = assets_for(self.request.user, q=p.get("q", ""))
        if p.get("scope"):
            qs = qs.filter(scope=p["scope"])
        if p.get("use_type"):
            qs = qs.filter(use_type=p["use_type"])
        if p.get("municipality"):
            qs = qs.filter(municipality__code=p["municipality"])
        return qs

    def create(self, request, *args, **kwargs):
        data = AssetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        owner = v.pop("owner", None) or acting_organisation(request.user)
        asset = asset_create(owner=owner, actor=request.user, **v)
        asset = Asset.objects.select_related("owner", "municipality").get(pk=asset.pk)
        return Response(AssetSerializer(asset).data, status=status.HTTP_201_CREATED)
