"""REST API v1 (issue 6), mounted at /api/v1/. Resource names are plural nouns in
kebab-case and URIs carry no trailing slash (Dutch API Design Rules, API-05/API-48)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(trailing_slash=False)
router.register("assets", views.AssetViewSet, basename="api-asset")
router.register("lots", views.LotViewSet, basename="api-lot")
router.register("hubs", views.HubViewSet, basename="api-hub")
router.register("demand-requests", views.DemandRequestViewSet, basename="api-demand-request")
router.register("proposals", views.ProposalViewSet, basename="api-proposal")
router.register("product-groups", views.ProductGroupViewSet, basename="api-product-group")
router.register("municipalities", views.MunicipalityViewSet, basename="api-municipality")
router.register("supply", views.SupplyViewSet, basename="api-supply")

urlpatterns = [
    path(
        "supply.csv",
        views.SupplyExportViewSet.as_view({"get": "csv"}, renderer_classes=[views.CSVRenderer]),
        name="api-supply-csv",
    ),
    path(
        "supply.geojson",
        views.SupplyExportViewSet.as_view(
            {"get": "geojson"}, renderer_classes=[views.GeoJSONRenderer]
        ),
        name="api-supply-geojson",
    ),
    *router.urls,
]
