"""JSON API for the impact tools (`/api/v1/impact/…`), same engine as the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from urbanmine.engine.impact import ImpactError

from . import services


class CompareInput(serializers.Serializer):
    product_group = serializers.SlugField()
    quantity = serializers.FloatField(min_value=0)
    distance_km = serializers.FloatField(min_value=0)
    quality = serializers.ChoiceField(choices=["A", "B", "C"], default="B")
    steps = serializers.ListField(child=serializers.CharField(), required=False)
    storage_days = serializers.FloatField(min_value=0, default=0)
    mass_kg_per_unit = serializers.FloatField(min_value=0, required=False)


def _problem(status: int, field: str, reason: str) -> Response:
    return Response(
        {
            "type": "about:blank",
            "title": "Invalid input",
            "status": status,
            "detail": reason,
            "invalid_params": [{"name": field, "reason": reason}],
        },
        status=status,
        content_type="application/problem+json",
    )


class CompareView(APIView):
    """Reuse versus new: CO2 (kg), first cost and TCO (EUR) with the factor sources."""

    permission_classes = [AllowAny]

    @extend_schema(request=CompareInput, responses={200: dict, 400: dict})
    def post(self, request):
        s = CompareInput(data=request.data)
        if not s.is_valid():
            field, errs = next(iter(s.errors.items()))
            return _problem(400, field, " ".join(str(e) for e in errs))
        try:
            result = services.comparison_run(**s.validated_data)
        except ImpactError as e:
            return _problem(400, e.field, str(e))
        return Response(result.to_dict())


class Top10View(APIView):
    """Ranked secondary product groups for a scope (gww|bu) with scores and explanations."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("scope", str, enum=["gww", "bu"], required=False)]
        + [OpenApiParameter(name, float, required=False) for name in services.weight_fields()],
        responses={200: dict, 400: dict},
    )
    def get(self, request):
        scope = request.query_params.get("scope", "bu")
        if scope not in ("gww", "bu"):
            return _problem(400, "scope", "scope must be gww or bu")
        weights = {}
        for name in services.weight_fields():
            if name in request.query_params:
                try:
                    weights[name] = float(request.query_params[name])
                except ValueError:
                    return _problem(400, name, "must be a number")
        try:
            ranked = services.top10(scope=scope, weights=weights)
        except ImpactError as e:
            return _problem(400, e.field, str(e))
        return Response(
            {
                "scope": scope,
                "weights": {**services.weight_fields(), **weights},
                "results": [r.to_dict() for r in ranked],
            }
        )
