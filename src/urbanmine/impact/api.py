"""JSON API for the impact tools (`/api/v1/impact/…`), same engine as the pages. Public:
they use only cited factors. Errors are problem details like every other endpoint."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from urbanmine.core.api import PROBLEM, ApiViewMixin
from urbanmine.engine.impact import ImpactError

from . import services

# Upper bounds far above any real use, low enough that no result overflows to infinity
# (which JSON cannot carry: 1e300 units used to answer 500).
MAX_QUANTITY = 1e9
MAX_DISTANCE_KM = 40_000  # once around the earth
MAX_STORAGE_DAYS = 36_500  # a century
MAX_MASS_KG_PER_UNIT = 1e6
MAX_WEIGHT = 1000


class CompareInput(serializers.Serializer):
    product_group = serializers.SlugField()
    quantity = serializers.FloatField(min_value=0, max_value=MAX_QUANTITY)
    distance_km = serializers.FloatField(min_value=0, max_value=MAX_DISTANCE_KM)
    quality = serializers.ChoiceField(choices=["A", "B", "C"], default="B")
    steps = serializers.ListField(child=serializers.CharField(), required=False, max_length=50)
    storage_days = serializers.FloatField(min_value=0, max_value=MAX_STORAGE_DAYS, default=0)
    mass_kg_per_unit = serializers.FloatField(
        min_value=0, max_value=MAX_MASS_KG_PER_UNIT, required=False
    )


def _invalid(error: ImpactError) -> ValidationError:
    return ValidationError({error.field or "nonFieldErrors": [str(error)]})


class CompareView(ApiViewMixin, APIView):
    """Reuse versus new: CO2 (kg), first cost and TCO (EUR) with the factor sources."""

    permission_classes = [AllowAny]

    @extend_schema(request=CompareInput, responses={200: dict, 400: PROBLEM})
    def post(self, request):
        s = CompareInput(data=request.data)
        s.is_valid(raise_exception=True)
        try:
            result = services.comparison_run(**s.validated_data)
        except ImpactError as e:
            raise _invalid(e) from None
        return Response(result.to_dict())


class Top10View(ApiViewMixin, APIView):
    """Ranked secondary product groups for a scope (gww|bu) with scores and explanations."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("scope", str, enum=["gww", "bu"], required=False)]
        + [
            OpenApiParameter(
                name,
                {"type": "number", "format": "double", "minimum": 0, "maximum": MAX_WEIGHT},
                required=False,
            )
            for name in services.weight_fields()
        ],
        responses={200: dict, 400: PROBLEM},
    )
    def get(self, request):
        scope = request.query_params.get("scope", "bu")
        if scope not in ("gww", "bu"):
            raise ValidationError({"scope": ["scope must be gww or bu"]})
        weights = {}
        for name in services.weight_fields():
            if name in request.query_params:
                try:
                    weights[name] = float(request.query_params[name])
                except ValueError:
                    raise ValidationError({name: ["must be a number"]}) from None
        try:
            ranked = services.top10(scope=scope, weights=weights)
        except ImpactError as e:
            raise _invalid(e) from None
        return Response(
            {
                "scope": scope,
                "weights": {**services.weight_fields(), **weights},
                "results": [r.to_dict() for r in ranked],
            }
        )
