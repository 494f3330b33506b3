"""REST API v1 (issue 6): thin viewsets over the selectors (reads) and services (writes).

Who sees what (the same rules as the pages, from `organisations.selectors`):
* anyone: published supply (+ CSV/GeoJSON), its aggregates, product groups, municipalities;
* a token's user acts for their organisation(s): assets they own or whose lots they own or
  hold (platform-wide roles: all), lots that are published or theirs, all hubs and their
  stock (hubs publish it), their organisations' demand requests and proposals.
Another organisation's object is 404 when it is not visible, 403 when it is visible but
not theirs to change; either way nothing changes.
"""

from __future__ import annotations

import json

from django.db.models import Q
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import encoders

from urbanmine.assets.models import Asset
from urbanmine.assets.services import asset_create
from urbanmine.catalogue.models import ProductGroup
from urbanmine.hubs import exports as hub_exports
from urbanmine.hubs import selectors as hub_selectors
from urbanmine.hubs.models import Hub
from urbanmine.lots import exports as lot_exports
from urbanmine.lots import selectors as lot_selectors
from urbanmine.lots.lifecycle import Status
from urbanmine.lots.models import Location, Lot
from urbanmine.lots.services import lot_record_step
from urbanmine.market.models import DemandStatus, Proposal
from urbanmine.market.selectors import visible_demand
from urbanmine.organisations.models import Organisation
from urbanmine.organisations.selectors import (
    may_change_hub,
    may_record_step,
    user_is_platform_wide,
    user_organisation_ids,
    visible_assets_filter,
    visible_lots_filter,
)
from urbanmine.regions.models import Municipality

from . import serializers as s
from .exceptions import problem_exception_handler

# --------------------------------------------------------------------------------- plumbing


def _is_id(value: str) -> bool:
    """An ASCII digit string (str.isdigit also accepts "²", which int() refuses)."""
    return value.isascii() and value.isdigit()


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500


class ExportRenderer(BaseRenderer):
    """Passes export bytes through; error bodies (problem details) are rendered as JSON."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        if isinstance(data, str):
            return data.encode("utf-8")
        return json.dumps(data, cls=encoders.JSONEncoder).encode("utf-8")


class XLSXRenderer(ExportRenderer):
    media_type = lot_exports.XLSX_CONTENT_TYPE
    format = "xlsx"


class CSVRenderer(ExportRenderer):
    media_type = "text/csv"
    format = "csv"


class GeoJSONRenderer(ExportRenderer):
    media_type = lot_exports.GEOJSON_CONTENT_TYPE
    format = "geojson"


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ProblemMixin:
    """Errors as application/problem+json, also before the project-wide setting is made."""

    pagination_class = Pagination

    def get_exception_handler(self):
        return problem_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # PostgreSQL cannot hold NUL in text: refuse it in filters up front (400, not 500).
        for name, values in request.query_params.lists():
            if any("\x00" in v for v in values):
                raise ValidationError({name: _("Null characters are not allowed.")})


def param(name: str, description: str, type_=str, enum=None) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, enum=enum)


def truthy(value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    return value.lower() in ("1", "true", "yes", "ja")


PROBLEM = OpenApiResponse(description="Problem details (application/problem+json).")
PROTECTED_ERRORS = {401: PROBLEM, 403: PROBLEM, 404: PROBLEM}


# -------------------------------------------------------------------------------- reference


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
class ProductGroupViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ProductGroupSerializer
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
class MunicipalityViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MunicipalitySerializer
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


# ----------------------------------------------------------------------------------- supply

SUPPLY_PARAMETERS = [
    param("product_group", "Product-group code."),
    param("municipality", "CBS municipality code of the lot's current place, e.g. GM0599."),
    param("quality", "This grade or better.", enum=["A", "B", "C"]),
    param("available_by", "Released (or expected) on or before this date.", OpenApiTypes.DATE),
    param("scope", "gww or bu (groups of both scopes included).", enum=["gww", "bu"]),
]


def supply_queryset(request):
    p = request.query_params
    available_by = None
    if p.get("available_by"):
        from django.utils.dateparse import parse_date

        try:
            available_by = parse_date(p["available_by"])
        except ValueError:
            available_by = None
        if available_by is None:
            raise ValidationError({"available_by": _("Give a date as YYYY-MM-DD.")})
    return lot_selectors.published_supply(
        product_group=p.get("product_group", ""),
        municipality=p.get("municipality", ""),
        quality=p.get("quality", ""),
        available_by=available_by,
        scope=p.get("scope", "") if p.get("scope") in ("gww", "bu") else "",
    )


@extend_schema_view(
    list=extend_schema(summary="Published supply (public)", parameters=SUPPLY_PARAMETERS),
    retrieve=extend_schema(summary="One published lot (public)"),
)
class SupplyViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.SupplySerializer
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[-A-Za-z0-9_]+"

    def get_queryset(self):
        if self.action == "retrieve":
            return lot_selectors.published_supply()
        return supply_queryset(self.request)

    @extend_schema(summary="Mass offered per product group and per status (public)")
    @action(detail=False, serializer_class=s.SupplyAggregatesSerializer, pagination_class=None)
    def aggregates(self, request):
        by_group, by_status = lot_selectors.supply_aggregates()
        data = s.SupplyAggregatesSerializer(
            {
                "by_product_group": [
                    {
                        "product_group": r["product_group__code"],
                        "name_nl": r["product_group__name_nl"],
                        "name_en": r["product_group__name_en"],
                        "mass_kg": r["mass_kg"],
                    }
                    for r in by_group
                ],
                "by_status": by_status,
            }
        ).data
        return Response(data)


class SupplyExportViewSet(ProblemMixin, viewsets.GenericViewSet):
    """`supply.csv` and `supply.geojson`: the whole filtered supply, unpaginated."""

    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return supply_queryset(self.request)

    @extend_schema(
        summary="Published supply as CSV (public)",
        parameters=SUPPLY_PARAMETERS,
        responses={(200, "text/csv"): OpenApiTypes.STR},
    )
    def csv(self, request):
        return download(
            lot_exports.supply_csv(self.get_queryset().iterator(chunk_size=2000)),
            lot_exports.CSV_CONTENT_TYPE,
            "urbanmine-supply.csv",
        )

    @extend_schema(
        summary="Published supply as GeoJSON FeatureCollection (public)",
        parameters=SUPPLY_PARAMETERS,
        responses={(200, lot_exports.GEOJSON_CONTENT_TYPE): OpenApiTypes.OBJECT},
    )
    def geojson(self, request):
        body = json.dumps(
            lot_exports.supply_geojson(self.get_queryset().iterator(chunk_size=2000)),
            cls=encoders.JSONEncoder,
        ).encode("utf-8")
        return download(body, lot_exports.GEOJSON_CONTENT_TYPE, "urbanmine-supply.geojson")


# ----------------------------------------------------------------------------------- assets


@extend_schema_view(
    list=extend_schema(
        summary="Assets you may see",
        parameters=[
            param("q", "Part of the name."),
            param("scope", "bu or gww", enum=["bu", "gww"]),
            param("use_type", "Use type, e.g. apartment, road."),
            param("municipality", "CBS municipality code."),
        ],
        responses={200: s.AssetSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One asset", responses={200: s.AssetSerializer, **PROTECTED_ERRORS}
    ),
    create=extend_schema(
        summary="Register an asset of your own organisation",
        request=s.AssetCreateSerializer,
        responses={201: s.AssetSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    ),
)
class AssetViewSet(
    ProblemMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.AssetSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = (
            Asset.objects.filter(visible_assets_filter(self.request.user))
            .distinct()
            .select_related("owner", "municipality")
            .order_by("name", "id")
        )
        p = self.request.query_params
        if p.get("q"):
            qs = qs.filter(name__icontains=p["q"])
        if p.get("scope"):
            qs = qs.filter(scope=p["scope"])
        if p.get("use_type"):
            qs = qs.filter(use_type=p["use_type"])
        if p.get("municipality"):
            qs = qs.filter(municipality__code=p["municipality"])
        return qs

    def create(self, request, *args, **kwargs):
        data = s.AssetCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        owner = v.pop("owner", None)
        if owner is None:
            orgs = user_organisation_ids(request.user)
            if not orgs:
                raise PermissionDenied(_("You do not belong to an organisation."))
            owner = Organisation.objects.get(id=min(orgs))
        asset = asset_create(owner=owner, actor=request.user, **v)
        asset = Asset.objects.select_related("owner", "municipality").get(pk=asset.pk)
        return Response(s.AssetSerializer(asset).data, status=status.HTTP_201_CREATED)

    def _passport(self):
        asset = self.get_object()
        return asset, lot_selectors.passport_lots(asset, viewer=self.request.user).select_related(
            "owner", "custodian", "hub", "source_asset__municipality", "product_group"
        )

    @extend_schema(
        summary="The asset's material passport: its lots",
        responses={200: s.LotSerializer(many=True), **PROTECTED_ERRORS},
    )
    @action(detail=True, serializer_class=s.LotSerializer)
    def passport(self, request, pk=None):
        _asset, lots = self._passport()
        page = self.paginate_queryset(lots)
        return self.get_paginated_response(s.LotSerializer(page, many=True).data)

    @extend_schema(
        summary="Import an inventory (CSV or XLSX, template columns) into the passport",
        description=(
            "multipart/form-data with `file`; `dry_run=true` only validates. All or nothing: "
            "on any bad row nothing is stored and every error names row, column and reason "
            "(`invalid_params` name = `row 12, column aantal`)."
        ),
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "dry_run": {"type": "boolean"},
                },
            }
        },
        responses={200: OpenApiTypes.OBJECT, 201: OpenApiTypes.OBJECT, **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="inventory", url_name="inventory")
    def inventory(self, request, pk=None):
        from urbanmine.assets.imports import MAX_UPLOAD_BYTES, parse_upload
        from urbanmine.assets.views import may_add_lots
        from urbanmine.lots.services import lots_import_inventory
        from urbanmine.organisations.selectors import primary_organisation

        asset = self.get_object()
        if not may_add_lots(request.user, asset):
            raise PermissionDenied(
                _("Only the owner or an inventoriser adds lots to this passport.")
            )
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Attach the inventory as `file` (CSV or XLSX).")]})
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError({"file": [_("The file is larger than 50 MB.")]})
        result = parse_upload(upload.read(), upload.name)
        if result.errors:
            raise ValidationError(
                {
                    f"row {e.row or '-'}, column {e.column or '-'}": [e.reason]
                    for e in result.errors[:1000]
                }
            )
        dry_run = str(request.data.get("dry_run", "")).lower() in {"1", "true", "ja", "yes"}
        body = {
            "valid": True,
            "rows": len(result.rows),
            "mass_kg": float(result.total_mass_kg),
            "warnings": [str(w) for w in result.warnings],
            "stored": 0,
            "lots": [],
        }
        if dry_run:
            return Response(body, status=status.HTTP_200_OK)
        stored = lots_import_inventory(
            asset_id=asset.pk,
            rows=result.rows,
            actor=request.user,
            source_name=upload.name,
            organisation=primary_organisation(request.user),
        )
        body.update(stored=len(stored), lots=[lot.code for lot in stored])
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The passport as Excel (template columns first: re-importable)",
        responses={(200, lot_exports.XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, **PROTECTED_ERRORS},
    )
    @action(
        detail=True,
        url_path="passport.xlsx",
        url_name="passport-xlsx",
        renderer_classes=[XLSXRenderer, JSONRenderer],
        pagination_class=None,
    )
    def passport_xlsx(self, request, pk=None):
        asset, lots = self._passport()
        content = lot_exports.passport_xlsx(
            asset, lots, lot_selectors.asset_history(asset, viewer=request.user)
        )
        return download(
            content, lot_exports.XLSX_CONTENT_TYPE, f"urbanmine-passport-{asset.pk}.xlsx"
        )

    @extend_schema(
        summary="The passport as one JSON document (metadata, lots, history)",
        responses={200: OpenApiTypes.OBJECT, **PROTECTED_ERRORS},
    )
    @action(
        detail=True,
        url_path="passport.json",
        url_name="passport-json",
        renderer_classes=[JSONRenderer],
        pagination_class=None,
    )
    def passport_json(self, request, pk=None):
        asset, lots = self._passport()
        doc = lot_exports.passport_document(
            asset, lots, lot_selectors.asset_history(asset, viewer=request.user)
        )
        response = Response(doc)
        response["Content-Disposition"] = (
            f'attachment; filename="urbanmine-passport-{asset.pk}.json"'
        )
        return response


# ------------------------------------------------------------------------------------- lots


@extend_schema_view(
    list=extend_schema(
        summary="Lots you may see: published, yours (owner or custodian), or all for "
        "platform-wide roles",
        parameters=[
            param("product_group", "Product-group code."),
            param("status", "Lifecycle status.", enum=list(Status.values)),
            param("municipality", "CBS code of the lot's current place."),
            param("quality", "This grade or better.", enum=["A", "B", "C"]),
            param("asset", "Source asset id.", int),
            param("hub", "Hub id (lots at that hub).", int),
            param("published", "true or false.", bool),
        ],
        responses={200: s.LotSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(summary="One lot", responses={200: s.LotSerializer, **PROTECTED_ERRORS}),
)
class LotViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.LotSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "code"
    lookup_value_regex = r"[-A-Za-z0-9_]+"

    def get_queryset(self):
        qs = (
            Lot.objects.filter(visible_lots_filter(self.request.user))
            .select_related("product_group", "owner", "custodian")
            .annotate(mass_kg_total=lot_selectors.MASS)
            .order_by("code")
        )
        if self.action != "list":
            return qs
        p = self.request.query_params
        if p.get("product_group"):
            qs = qs.filter(product_group__code=p["product_group"])
        if p.get("status"):
            qs = qs.filter(status=p["status"])
        if p.get("municipality"):
            code = p["municipality"]
            qs = qs.filter(
                Q(location=Location.AT_HUB, hub__municipality__code=code)
                | Q(location=Location.APPLIED, applied_asset__municipality__code=code)
                | (
                    ~Q(location__in=[Location.AT_HUB, Location.APPLIED])
                    & Q(source_asset__municipality__code=code)
                )
            )
        if p.get("quality") in ("A", "B", "C"):
            qs = qs.filter(quality__lte=p["quality"])
        if _is_id(p.get("asset", "")):
            qs = qs.filter(source_asset_id=int(p["asset"]))
        if _is_id(p.get("hub", "")):
            qs = qs.filter(hub_id=int(p["hub"]), location=Location.AT_HUB)
        published = truthy(p.get("published"))
        if published is not None:
            qs = qs.filter(is_published=published)
        return qs

    @extend_schema(
        methods=["GET"],
        summary="The lot's history of lifecycle events (oldest first)",
        responses={200: s.LifecycleEventSerializer(many=True), **PROTECTED_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a process step on a lot you own or hold",
        request=s.RecordStepSerializer,
        responses={
            201: s.LifecycleEventSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
    )
    @action(detail=True, methods=["get", "post"], serializer_class=s.LifecycleEventSerializer)
    def events(self, request, code=None):
        lot = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(lot_selectors.lot_history(lot))
            return self.get_paginated_response(s.LifecycleEventSerializer(page, many=True).data)
        form = s.RecordStepSerializer(data=request.data)
        if not may_record_step(request.user, lot, str(request.data.get("step", ""))):
            raise PermissionDenied(
                _(
                    "Only the owner or custodian of a lot may record steps on it; a certifier "
                    "may record a quality control."
                )
            )
        form.is_valid(raise_exception=True)
        v = form.validated_data
        event = lot_record_step(
            lot_id=lot.id,
            step=v["step"],
            actor=request.user,
            occurred_at=v.get("occurred_at"),
            quantity=v.get("quantity"),
            notes=v.get("notes", ""),
            hub=v.get("hub"),
            target_asset=v.get("target_asset"),
            counterparty=v.get("counterparty"),
            passed=v.get("passed"),
            guideline=v.get("guideline", ""),
            certificate_number=v.get("certificate_number", ""),
            valid_until=v.get("valid_until"),
            r_strategy=v.get("r_strategy", ""),
        )
        return Response(s.LifecycleEventSerializer(event).data, status=status.HTTP_201_CREATED)


# ------------------------------------------------------------------------------------- hubs


@extend_schema_view(
    list=extend_schema(
        summary="Hubs with their fill level",
        parameters=[
            param("typology", "Hub typology."),
            param("municipality", "CBS municipality code."),
        ],
        responses={200: s.HubSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(summary="One hub", responses={200: s.HubSerializer, **PROTECTED_ERRORS}),
    partial_update=extend_schema(
        summary="Change capacity or maximum dwell time (the hub's operator only)",
        request=s.HubSettingsSerializer,
        responses={200: s.HubSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    ),
)
class HubViewSet(
    ProblemMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.HubSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = (
            Hub.objects.select_related("operator", "municipality")
            .prefetch_related("accepted_product_groups")
            .order_by("name", "id")
        )
        p = self.request.query_params
        if self.action == "list":
            if p.get("typology"):
                qs = qs.filter(typology=p["typology"])
            if p.get("municipality"):
                qs = qs.filter(municipality__code=p["municipality"])
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        occupancy = hub_selectors.hub_occupancy(page)
        data = s.HubSerializer(page, many=True, context={"occupancy": occupancy}).data
        return self.get_paginated_response(data)

    def _hub_data(self, hub):
        occupancy = hub_selectors.hub_occupancy([hub])
        return s.HubSerializer(hub, context={"occupancy": occupancy}).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._hub_data(self.get_object()))

    def partial_update(self, request, *args, **kwargs):
        hub = self.get_object()
        if not may_change_hub(request.user, hub):
            raise PermissionDenied(_("Only the hub's operator changes its settings."))
        form = s.HubSettingsSerializer(hub, data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        form.save()
        return Response(self._hub_data(self.get_queryset().get(pk=hub.pk)))

    @extend_schema(
        summary="The hub's stock with dwell times (warning past 6, alert past 9 months)",
        responses={200: s.StockLineSerializer(many=True), **PROTECTED_ERRORS},
    )
    @action(detail=True, serializer_class=s.StockLineSerializer)
    def stock(self, request, pk=None):
        hub = self.get_object()
        page = self.paginate_queryset(hub_selectors.hub_stock(hub))
        return self.get_paginated_response(s.StockLineSerializer(page, many=True).data)

    @extend_schema(
        summary="The hub's stock as CSV (template columns first: importable elsewhere)",
        responses={(200, "text/csv"): OpenApiTypes.STR, **PROTECTED_ERRORS},
    )
    @action(
        detail=True,
        url_path="stock.csv",
        url_name="stock-csv",
        renderer_classes=[CSVRenderer, JSONRenderer],
        pagination_class=None,
    )
    def stock_csv(self, request, pk=None):
        hub = self.get_object()
        content = hub_exports.hub_stock_csv(hub, hub_selectors.hub_stock(hub))
        stamp = timezone.localdate().isoformat()
        return download(
            content, lot_exports.CSV_CONTENT_TYPE, f"urbanmine-hub-{hub.pk}-stock-{stamp}.csv"
        )


# ----------------------------------------------------------------------------------- market


@extend_schema_view(
    list=extend_schema(
        summary="Demand requests of your organisations (all for platform-wide roles)",
        parameters=[
            param("status", "Demand status.", enum=list(DemandStatus.values)),
            param("product_group", "Product-group code."),
        ],
        responses={200: s.DemandRequestSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One demand request", responses={200: s.DemandRequestSerializer, **PROTECTED_ERRORS}
    ),
    create=extend_schema(
        summary="Request material for a project of your organisation",
        responses={201: s.DemandRequestSerializer, 400: PROBLEM, 401: PROBLEM},
    ),
)
class DemandRequestViewSet(
    ProblemMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.DemandRequestSerializer
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
        responses={200: s.ProposalSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One proposal", responses={200: s.ProposalSerializer, **PROTECTED_ERRORS}
    ),
)
class ProposalViewSet(ProblemMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ProposalSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        user = self.request.user
        qs = Proposal.objects.select_related("lot").order_by("-value_eur", "id")
        if not user_is_platform_wide(user):
            orgs = user_organisation_ids(user)
            qs = qs.filter(
                Q(demand__organisation_id__in=orgs)
                | Q(lot__owner_id__in=orgs)
                | Q(lot__custodian_id__in=orgs)
            )
        p = self.request.query_params
        if self.action == "list":
            if _is_id(p.get("demand", "")):
                qs = qs.filter(demand_id=int(p["demand"]))
            if p.get("status"):
                qs = qs.filter(status=p["status"])
        return qs


__all__ = [
    "AssetViewSet",
    "DemandRequestViewSet",
    "HubViewSet",
    "LotViewSet",
    "MunicipalityViewSet",
    "ProductGroupViewSet",
    "ProposalViewSet",
    "SupplyExportViewSet",
    "SupplyViewSet",
]
