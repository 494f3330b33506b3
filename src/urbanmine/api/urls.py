"""REST API v1, mounted at /api/v1/, with its OpenAPI schema at /api/schema/ and docs at
/api/docs/. Routing only: each app brings its own viewsets and serializers (`<app>/api.py`).
Resource names are plural nouns in kebab-case and URIs carry no trailing slash (Dutch API
Design Rules, API-05/API-48)."""

from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularJSONAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from urbanmine.assets.api import AssetViewSet
from urbanmine.catalogue.api import ProductGroupViewSet
from urbanmine.core.api import CSVRenderer, GeoJSONRenderer
from urbanmine.impact.api import CompareView, Top10View
from urbanmine.lots.api import (
    HubViewSet,
    InventoryImportViewSet,
    LotViewSet,
    PassportViewSet,
    SupplyExportViewSet,
    SupplyViewSet,
    TransferProposalViewSet,
)
from urbanmine.market.api import DemandRequestViewSet, ProposalViewSet
from urbanmine.network.api import CovenantViewSet, DirectoryEntryViewSet, TargetViewSet
from urbanmine.regions.api import MunicipalityViewSet
from urbanmine.tenders.api import (
    AmbitionViewSet,
    ClauseViewSet,
    CommitmentViewSet,
    TenderViewSet,
)
from urbanmine.webhooks.api import SubscriptionViewSet


class NoSuchResource(APIView):
    """Any other path under /api/v1/ (or an id that does not match its pattern): a 404
    problem, like every other API error, instead of Django's HTML page."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []
    schema = None  # not an operation of the document

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()


class OpenApiDocumentView(SpectacularJSONAPIView):
    """The OpenAPI document of v1 at /api/v1/openapi.json, as the API Design Rules ask
    (/core/publish-openapi), with `Access-Control-Allow-Origin: *`."""

    schema = None  # not an operation of the document it serves

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response


router = SimpleRouter(trailing_slash=False)
router.register("assets", AssetViewSet, basename="api-asset")
router.register("assets", PassportViewSet, basename="api-asset-passport")
router.register("lots", LotViewSet, basename="api-lot")
router.register("inventory-imports", InventoryImportViewSet, basename="api-inventory-import")
router.register("hubs", HubViewSet, basename="api-hub")
router.register("demand-requests", DemandRequestViewSet, basename="api-demand-request")
router.register("proposals", ProposalViewSet, basename="api-proposal")
router.register("transfer-proposals", TransferProposalViewSet, basename="api-transfer-proposal")
router.register("product-groups", ProductGroupViewSet, basename="api-product-group")
router.register("municipalities", MunicipalityViewSet, basename="api-municipality")
router.register("supply", SupplyViewSet, basename="api-supply")
router.register("network/organisations", DirectoryEntryViewSet, basename="api-network-organisation")
router.register("network/covenants", CovenantViewSet, basename="api-network-covenant")
router.register("network/targets", TargetViewSet, basename="api-network-target")
router.register("webhook-subscriptions", SubscriptionViewSet, basename="api-webhook-subscription")
router.register("ambitions", AmbitionViewSet, basename="api-ambition")
router.register("clauses", ClauseViewSet, basename="api-clause")
router.register("tenders", TenderViewSet, basename="api-tender")
router.register("commitments", CommitmentViewSet, basename="api-commitment")


class DeprecatedSupplyExportViewSet(SupplyExportViewSet):
    """The exports' first paths (`/supply.csv`): not kebab-case, so deprecated aliases of
    `/exports/supply.csv` until the sunset (ADR 0008; api/conformance.py adds the headers)."""

    schema = None


v1 = [
    path(
        "exports/supply.csv",
        SupplyExportViewSet.as_view({"get": "csv"}, renderer_classes=[CSVRenderer]),
        name="api-supply-csv",
    ),
    path(
        "exports/supply.geojson",
        SupplyExportViewSet.as_view({"get": "geojson"}, renderer_classes=[GeoJSONRenderer]),
        name="api-supply-geojson",
    ),
    path(
        "supply.csv",
        DeprecatedSupplyExportViewSet.as_view({"get": "csv"}, renderer_classes=[CSVRenderer]),
        name="api-supply-csv-deprecated",
    ),
    path(
        "supply.geojson",
        DeprecatedSupplyExportViewSet.as_view(
            {"get": "geojson"}, renderer_classes=[GeoJSONRenderer]
        ),
        name="api-supply-geojson-deprecated",
    ),
    # /core/publish-openapi: the document under the version root, readable cross-origin
    path("openapi.json", OpenApiDocumentView.as_view(), name="api-openapi-json"),
    path("impact/compare", CompareView.as_view(), name="api-impact-compare"),
    path("impact/top10", Top10View.as_view(), name="api-impact-top10"),
    *router.urls,
    re_path(r"^[\s\S]*$", NoSuchResource.as_view(), name="api-not-found"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the split view serves its set-up script as a file: no inline script under the CSP
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]
