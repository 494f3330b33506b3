"""API of lots (`/api/v1/…`): the public supply and its exports, lots with their history
and the step endpoint, an asset's passport, and hubs with their stock. Who sees what is
asked of `permissions` (the same rules as the pages):

* anyone: published supply (+ CSV/GeoJSON) and its aggregates;
* a signed-in user: lots that are published or theirs (owner, custodian, inspected by
  them; all for platform-wide roles), passports of assets they may see, every hub with its
  fill level, and of a hub's stock the lots they may see (the operator: all of it).

Another organisation's object is 404 when it is not visible, 403 when it is visible but not
theirs to change; either way nothing changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.fields import SkipField
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.relations import PKOnlyObject
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.utils import encoders

from urbanmine.assets.models import Asset
from urbanmine.assets.permissions import asset_may_add_lots, assets_visible_to
from urbanmine.catalogue.models import ProductGroup
from urbanmine.core.api import (
    CSV_CONTENT_TYPE,
    DECIMAL_STRING,
    GEOJSON_CONTENT_TYPE,
    PROBLEM,
    PROTECTED_ERRORS,
    XLSX_CONTENT_TYPE,
    ApiViewMixin,
    CSVRenderer,
    IdRelatedField,
    XLSXRenderer,
    download,
    is_id,
    param,
    truthy,
)
from urbanmine.core.cache import public_cached
from urbanmine.core.jobs import job_reap_if_stale
from urbanmine.core.models import JobStatus
from urbanmine.engine.inventory import InventoryIssue
from urbanmine.hubs.api import HubSerializer, HubSettingsSerializer
from urbanmine.hubs.models import Hub
from urbanmine.hubs.selectors import hubs_listed
from urbanmine.hubs.services import hub_settings_update
from urbanmine.organisations.api import OrganisationRefSerializer
from urbanmine.organisations.membership import acting_organisation, user_organisation_ids
from urbanmine.organisations.models import Organisation

from . import exports, imports, selectors, services
from .hub_exports import hub_stock_csv
from .lifecycle import RECORDED_BY, Status, Step
from .models import (
    ExitRoute,
    InspectionEngagement,
    InventoryImport,
    LifecycleEvent,
    Location,
    Lot,
    Quality,
    RStrategy,
    TransferProposal,
)
from .permissions import (
    inventory_imports_visible_filter,
    lot_may_record,
    lot_proposable_steps,
    lot_recordable_steps,
    lot_sees_private_notes,
    lots_visibility_key,
    lots_visible_to,
)
from .selectors import lot_place, payload_for

#: Longer URLs of the lot list are answered but not kept in the shared cache.
MAX_CACHED_URL = 600


class FileTooLarge(ValidationError):
    """413: the upload was stopped at the limit while it was read (core.uploads)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE


# ------------------------------------------------------------------------------ shapes


class FieldsBuiltOnce:
    """A serializer whose fields are built once per class instead of once per instance:
    DRF introspects the model for every serializer it makes (a fifth of an API request on
    a lot). Only for serializers whose fields read nothing from the context (no request,
    no per-call options): the representation is then the same, field by field."""

    _readable_once: list | None = None

    def to_representation(self, instance):
        cls = type(self)
        fields = cls.__dict__.get("_readable_once")
        if fields is None:
            fields = list(self._readable_fields)  # type: ignore[attr-defined]
            cls._readable_once = fields
        ret = {}
        for field in fields:
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[field.field_name] = (
                None if check_for_none is None else field.to_representation(attribute)
            )
        return ret


class LotSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    product_group = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = OrganisationRefSerializer(read_only=True)
    custodian = OrganisationRefSerializer(read_only=True)
    mass_kg = serializers.SerializerMethodField()
    hazardous = serializers.BooleanField(source="is_hazardous", read_only=True)
    r_strategy = serializers.ChoiceField(
        choices=RStrategy.choices, allow_blank=True, read_only=True, help_text="Blank: none yet."
    )

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
            "draft",
            "asking_price_eur",
        ]
        read_only_fields = fields

    @extend_schema_field(DECIMAL_STRING)
    def get_mass_kg(self, lot) -> str:
        mass = getattr(lot, "mass_kg_total", None)
        if mass is None:
            mass = lot.quantity * lot.mass_kg_per_unit
        return _mass_text(mass)


class LotRows:
    """`LotSerializer`'s representation from `values()` rows: the API's lot list and
    detail read the columns they show instead of making a model instance per lot (and one
    per related organisation and product group), about half of a list request's time. Each
    field is represented by the serializer's own field object, as `FieldsBuiltOnce` does;
    a test compares the two representations."""

    #: (name, kind, row keys, field) per readable field, in the serializer's order
    _plan: list[tuple[str, str, tuple[str, ...], Any]] | None = None
    _columns: tuple[str, ...] = ()

    @classmethod
    def plan(cls) -> list[tuple[str, str, tuple[str, ...], Any]]:
        if cls._plan is None:
            serializer = LotSerializer()
            plan: list[tuple[str, str, tuple[str, ...], Any]] = []
            for field in serializer._readable_fields:
                name, source = str(field.field_name), str(field.source)
                if name == "mass_kg":
                    plan.append((name, "mass", ("mass_kg_total",), field))
                elif source == "is_hazardous":
                    hazards = ("has_asbestos", "has_chromium6", "has_other_hazard")
                    plan.append((name, "hazard", hazards, field))
                elif isinstance(field, OrganisationRefSerializer):
                    keys = tuple(f"{source}__{sub}" for sub in field.fields)
                    plan.append((name, "organisation", (f"{source}_id", *keys), field))
                elif isinstance(field, serializers.SlugRelatedField):
                    plan.append((name, "slug", (f"{source}__{field.slug_field}",), field))
                elif isinstance(field, serializers.PrimaryKeyRelatedField):
                    plan.append((name, "pk", (f"{source}_id",), field))
                elif "." not in source and source in {f.name for f in Lot._meta.fields}:
                    plan.append((name, "value", (source,), field))
                else:  # a field added to LotSerializer needs a kind here
                    raise TypeError(f"LotRows cannot represent {name!r}")
            cls._columns = tuple(dict.fromkeys(k for _n, _k, keys, _f in plan for k in keys))
            cls._plan = plan
        return cls._plan

    @classmethod
    def columns(cls) -> tuple[str, ...]:
        cls.plan()
        return cls._columns

    @classmethod
    def represent(cls, rows) -> list[dict]:
        plan = cls.plan()
        out = []
        for row in rows:
            item = {}
            for name, kind, keys, field in plan:
                if kind == "value":
                    value = row[keys[0]]
                    item[name] = None if value is None else field.to_representation(value)
                elif kind == "slug":  # the related object's slug itself
                    item[name] = row[keys[0]]
                elif kind == "pk":
                    pk = row[keys[0]]
                    item[name] = None if pk is None else field.to_representation(PKOnlyObject(pk))
                elif kind == "organisation":
                    if row[keys[0]] is None:
                        item[name] = None
                    else:
                        item[name] = {
                            sub.field_name: None
                            if row[key] is None
                            else sub.to_representation(row[key])
                            for sub, key in zip(field._readable_fields, keys[1:], strict=True)
                        }
                elif kind == "hazard":
                    item[name] = field.to_representation(any(row[k] for k in keys))
                else:  # mass
                    item[name] = _mass_text(row["mass_kg_total"])
            out.append(item)
        return out


def _mass_text(mass: Decimal) -> str:
    return f"{mass.quantize(Decimal('0.001')):f}"


class SupplySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
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
            "asking_price_eur",
        ]
        read_only_fields = fields

    def _place(self, lot):
        place = getattr(lot, "_api_place", None)
        if place is None:
            place = lot._api_place = lot_place(lot)
        return place

    @extend_schema_field(DECIMAL_STRING)
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
    actor = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True, help_text="Null: the system."
    )
    r_strategy = serializers.ChoiceField(
        choices=RStrategy.choices, allow_blank=True, read_only=True, help_text="Blank: none."
    )

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

    def to_representation(self, instance):
        """Login names and notes only for who may read them (`lot_sees_private_notes`: the
        owner, the custodian, platform-wide roles), as on the lot's page."""
        data = super().to_representation(instance)
        if not self.context.get("private", True):
            data["actor"], data["notes"] = None, ""
        data["payload"] = payload_for(data.get("payload"), self.context.get("viewer_orgs"))
        return data


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
    hub = IdRelatedField(queryset=Hub.objects.all(), required=False, allow_null=True)
    target_asset = IdRelatedField(queryset=Asset.objects.all(), required=False, allow_null=True)
    counterparty = IdRelatedField(
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
    price_eur = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal("99999999999"),
        required=False,
        allow_null=True,
        help_text="Sale: the agreed price (seen by the parties only).",
    )
    terms = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    exit_route = serializers.ChoiceField(
        choices=ExitRoute.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Exit: recycle (R8), recover (R9) or dispose.",
    )
    cost_eur = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal("99999999999"),
        required=False,
        allow_null=True,
        help_text="What the step cost (optional; summed in example-project reports).",
    )
    revenue_eur = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal("99999999999"),
        required=False,
        allow_null=True,
        help_text="What the step brought in (optional; summed in example-project reports).",
    )


TRANSFORMATION_R_CHOICES = [
    (r, label) for r, label in RStrategy.choices if r in services.TRANSFORMATION_R
]


class TransformSerializer(serializers.Serializer):
    """Lots held by the caller, transformed into a new product (`lots_transform`)."""

    lots = serializers.ListField(
        child=serializers.CharField(max_length=20),
        min_length=1,
        max_length=200,
        help_text="Codes of the lots that go in (they close).",
    )
    product_group = serializers.SlugRelatedField(
        slug_field="code", queryset=ProductGroup.objects.all()
    )
    quantity = serializers.DecimalField(max_digits=14, decimal_places=3)
    mass_kg_per_unit = serializers.DecimalField(max_digits=14, decimal_places=3)
    quality = serializers.ChoiceField(choices=Quality.choices)
    r_strategy = serializers.ChoiceField(choices=TRANSFORMATION_R_CHOICES)
    description = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class PublicationSerializer(serializers.Serializer):
    """Draft lots the owner publishes (`lots_publish`)."""

    lots = serializers.ListField(
        child=serializers.CharField(max_length=20),
        min_length=1,
        max_length=1000,
        help_text="Codes of your draft lots (all or none are published).",
    )


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why the step is corrected.")


class EngagementSerializer(serializers.ModelSerializer):
    lot = serializers.SlugRelatedField(slug_field="code", read_only=True)
    certifier = OrganisationRefSerializer(read_only=True)
    engaged_by = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = InspectionEngagement
        fields = ["id", "lot", "certifier", "engaged_by", "engaged_at", "status", "inspection"]
        read_only_fields = fields


class EngageSerializer(serializers.Serializer):
    certifier = IdRelatedField(queryset=Organisation.objects.all())


class TransferProposalSerializer(serializers.ModelSerializer):
    lot = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counterparty = OrganisationRefSerializer(read_only=True)
    proposed_by = OrganisationRefSerializer(read_only=True)
    event = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = TransferProposal
        fields = [
            "id",
            "lot",
            "step",
            "quantity",
            "counterparty",
            "price_eur",
            "terms",
            "proposed_by",
            "proposed_at",
            "status",
            "decided_at",
            "reason",
            "event",
        ]
        read_only_fields = fields


TRANSFER_STEP_CHOICES = [(s, Step(s).label) for s in services.TRANSFER_STEPS]


class ProposeTransferSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=TRANSFER_STEP_CHOICES)
    counterparty = IdRelatedField(queryset=Organisation.objects.all())
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        required=False,
        allow_null=True,
        help_text="Default: the whole lot.",
    )
    price_eur = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal("99999999999"),
        required=False,
        allow_null=True,
    )
    terms = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class DecideTransferSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class StockLineSerializer(serializers.Serializer):
    lot = LotSerializer(read_only=True)
    dwell_days = serializers.IntegerField(read_only=True)
    level = serializers.ChoiceField(
        choices=[("ok", "ok"), ("warning", "warning"), ("alert", "alert")],
        read_only=True,
        help_text="warning: 6 to 9 months at the hub; alert: over 9 months.",
    )


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


SUPPLY_PARAMETERS = [
    param("product_group", "Product-group code."),
    param("municipality", "CBS municipality code of the lot's current place, e.g. GM0599."),
    param("quality", "This grade or better.", enum=["A", "B", "C"]),
    param("available_by", "Released (or expected) on or before this date.", OpenApiTypes.DATE),
    param("scope", "gww or bu (groups of both scopes included).", enum=["gww", "bu"]),
]


#: The parameters of a public supply list the cache stores pages for (others: uncached).
SUPPLY_QUERY_KEYS = frozenset(p.name for p in SUPPLY_PARAMETERS) | {"limit", "offset"}


def supply_queryset(request):
    p = request.query_params
    available_by = None
    if p.get("available_by"):
        try:
            available_by = parse_date(p["available_by"])
        except ValueError:
            available_by = None
        if available_by is None:
            raise ValidationError({"available_by": _("Give a date as YYYY-MM-DD.")})
    return selectors.published_supply(
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
class SupplyViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SupplySerializer
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[-A-Za-z0-9_]+"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.published_supply()
        return supply_queryset(self.request)

    def list(self, request, *args, **kwargs):
        """Anonymous callers get the page from the shared cache (the same for everyone
        asking the same URL in the same language; core/cache.py)."""
        if request.user.is_authenticated or not set(request.query_params) <= SUPPLY_QUERY_KEYS:
            return super().list(request, *args, **kwargs)
        key = (get_language(), request.build_absolute_uri())
        data = public_cached(
            "api-supply",
            key,
            lambda: super(SupplyViewSet, self).list(request, *args, **kwargs).data,
        )
        return Response(data)

    @extend_schema(summary="Mass offered per product group and per status (public)")
    @action(detail=False, serializer_class=SupplyAggregatesSerializer, pagination_class=None)
    def aggregates(self, request):
        by_group, by_status = selectors.supply_aggregates()
        data = SupplyAggregatesSerializer(
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


class SupplyExportViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """`supply.csv` and `supply.geojson`: the whole filtered supply, unpaginated."""

    permission_classes = [AllowAny]
    pagination_class = None

    def get_queryset(self):
        return supply_queryset(self.request)

    @extend_schema(
        summary="Published supply as CSV (public)",
        parameters=SUPPLY_PARAMETERS,
        responses={(200, CSV_CONTENT_TYPE): OpenApiTypes.STR},
    )
    def csv(self, request):
        return download(
            exports.supply_csv(self.get_queryset().iterator(chunk_size=2000)),
            CSV_CONTENT_TYPE,
            "urbanmine-supply.csv",
        )

    @extend_schema(
        summary="Published supply as GeoJSON FeatureCollection (public)",
        parameters=SUPPLY_PARAMETERS,
        responses={(200, GEOJSON_CONTENT_TYPE): OpenApiTypes.OBJECT},
    )
    def geojson(self, request):
        body = json.dumps(
            exports.supply_geojson(self.get_queryset().iterator(chunk_size=2000)),
            cls=encoders.JSONEncoder,
        ).encode("utf-8")
        return download(body, GEOJSON_CONTENT_TYPE, "urbanmine-supply.geojson")


class InventoryImportStartedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=JobStatus.choices)
    status_url = serializers.URLField()


class InventoryImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


#: the result of a finished import (as the 200/201 body of a small file, plus its errors);
#: inline: a serializer class may not declare a field named `errors`
INVENTORY_IMPORT_RESULT = inline_serializer(
    "InventoryImportResult",
    fields={
        "valid": serializers.BooleanField(),
        "rows": serializers.IntegerField(),
        "mass_kg": serializers.FloatField(allow_null=True),
        "warnings": serializers.ListField(child=serializers.CharField()),
        "errors": InventoryImportErrorSerializer(many=True),
        "error_count": serializers.IntegerField(),
        "stored": serializers.IntegerField(),
        "lots": serializers.ListField(child=serializers.CharField()),
    },
    allow_null=True,
)


class InventoryImportSerializer(serializers.ModelSerializer):
    """An inventory import job: where it is, and once finished what it did."""

    asset = serializers.IntegerField(source="asset_id", read_only=True)
    finished = serializers.BooleanField(source="is_finished", read_only=True)
    result = serializers.SerializerMethodField()

    class Meta:
        model = InventoryImport
        fields = [
            "id",
            "asset",
            "source_name",
            "dry_run",
            "status",
            "finished",
            "progress",
            "message",
            "cancel_requested",
            "created_at",
            "finished_at",
            "result",
        ]
        read_only_fields = fields

    @extend_schema_field(INVENTORY_IMPORT_RESULT)
    def get_result(self, job: InventoryImport) -> dict | None:
        """Null until the job has finished."""
        if not job.is_finished:
            return None
        issues = job.issues or {}
        errors = issues.get("errors", [])
        return {
            "valid": bool(issues) and not errors,
            "rows": job.rows,
            "mass_kg": job.mass_kg,
            "warnings": [str(InventoryIssue(**w)) for w in issues.get("warnings", [])],
            "errors": [
                {"row": e["row"], "column": e["column"], "reason": e["reason"]} for e in errors
            ],
            "error_count": issues.get("error_count", len(errors)),
            "stored": job.stored,
            "lots": job.lot_codes,
        }


@extend_schema_view(
    retrieve=extend_schema(
        summary="An inventory import job: status, progress and, once finished, its result",
        responses={200: InventoryImportSerializer, **PROTECTED_ERRORS},
    )
)
class InventoryImportViewSet(ApiViewMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Inventory imports running as background jobs (started by a large upload to
    `assets/{id}/inventory`): its starter, its organisation and platform-wide roles see it."""

    permission_classes = [IsAuthenticated]
    serializer_class = InventoryImportSerializer
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        return InventoryImport.objects.filter(inventory_imports_visible_filter(self.request.user))

    def get_object(self):
        job = super().get_object()
        job_reap_if_stale(job)
        return job


@extend_schema_view()
class PassportViewSet(ApiViewMixin, viewsets.GenericViewSet):
    """An asset's material passport under `assets/{id}/…`: its lots (as the viewer may see
    them), exports, and importing an inventory into it."""

    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"
    serializer_class = LotSerializer

    def get_queryset(self):
        return assets_visible_to(self.request.user).select_related("owner", "municipality")

    def _passport(self):
        asset = self.get_object()
        return asset, selectors.passport_lots(asset, viewer=self.request.user).select_related(
            "owner", "custodian", "hub", "source_asset__municipality", "product_group"
        )

    @extend_schema(
        summary="The asset's material passport: its lots",
        responses={200: LotSerializer(many=True), **PROTECTED_ERRORS},
    )
    @action(detail=True, url_path="passport", url_name="lots", serializer_class=LotSerializer)
    def passport(self, request, pk=None):
        _asset, lots = self._passport()
        page = self.paginate_queryset(lots)
        return self.get_paginated_response(LotSerializer(page, many=True).data)

    @extend_schema(
        summary="Import an inventory (CSV or XLSX, template columns) into the passport",
        description=(
            "multipart/form-data with `file`; `dry_run=true` only validates. All or nothing: "
            "on any bad row nothing is stored and every error names row, column and reason "
            "(`invalid_params` name = `row 12, column aantal`). A file of more than "
            "URBANMINE_IMPORT_JOB_ROWS rows (2,000 by default) is imported as a background "
            "job instead: 202 with `Location` and `{id, status, status_url}`; GET the status "
            "URL until `finished` (its `result` as the 200/201 body here, or `errors`)."
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
        responses={
            200: OpenApiTypes.OBJECT,
            201: OpenApiTypes.OBJECT,
            202: OpenApiResponse(
                InventoryImportStartedSerializer,
                description=(
                    "A large file, queued as a background job; the `Location` header names "
                    "its status URL (`status_url`)."
                ),
            ),
            413: PROBLEM,
            **PROTECTED_ERRORS,
        },
    )
    @action(detail=True, methods=["post"], url_path="inventory", url_name="inventory")
    def inventory(self, request, pk=None):
        asset = self.get_object()
        if not asset_may_add_lots(request.user, asset):
            raise PermissionDenied(
                _("Only the owner or an inventoriser adds lots to this passport.")
            )
        upload = request.FILES.get("file")
        limit = settings.URBANMINE_MAX_UPLOAD_BYTES
        if getattr(request, "upload_too_large", False) or (upload and upload.size > limit):
            too_large = _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}
            raise FileTooLarge({"file": [too_large]})
        if upload is None:
            raise ValidationError({"file": [_("Attach the inventory as `file` (CSV or XLSX).")]})
        data = upload.read()
        dry_run = str(request.data.get("dry_run", "")).lower() in {"1", "true", "ja", "yes"}
        if imports.import_is_large(data, upload.name):
            job = services.inventory_import_start(
                asset=asset, actor=request.user, data=data, filename=upload.name, dry_run=dry_run
            )
            url = request.build_absolute_uri(
                reverse("api-inventory-import-detail", kwargs={"pk": job.pk})
            )
            return Response(
                {"id": job.pk, "status": job.status, "status_url": url},
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": url},
            )
        result = imports.parse_upload(data, upload.name)
        if result.errors:
            raise ValidationError(
                {
                    f"row {e.row or '-'}, column {e.column or '-'}": [e.reason]
                    for e in result.errors[:1000]
                }
            )
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
        stored = services.lots_import_inventory(
            asset_id=asset.pk,
            rows=result.rows,
            actor=request.user,
            source_name=upload.name,
            organisation=acting_organisation(request.user),
        )
        body.update(stored=len(stored), lots=[lot.code for lot in stored])
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="The passport as Excel (template columns first: re-importable)",
        responses={(200, XLSX_CONTENT_TYPE): OpenApiTypes.BINARY, **PROTECTED_ERRORS},
    )
    @action(
        detail=True,
        url_path="passport.xlsx",
        url_name="xlsx",
        renderer_classes=[XLSXRenderer, JSONRenderer],
        pagination_class=None,
    )
    def passport_xlsx(self, request, pk=None):
        asset, lots = self._passport()
        content = exports.passport_xlsx(
            asset, lots, selectors.asset_history(asset, viewer=request.user)
        )
        return download(content, XLSX_CONTENT_TYPE, f"urbanmine-passport-{asset.pk}.xlsx")

    @extend_schema(
        summary="The passport as one JSON document (metadata, lots, history)",
        responses={200: OpenApiTypes.OBJECT, **PROTECTED_ERRORS},
    )
    @action(
        detail=True,
        url_path="passport.json",
        url_name="json",
        renderer_classes=[JSONRenderer],
        pagination_class=None,
    )
    def passport_json(self, request, pk=None):
        asset, lots = self._passport()
        doc = exports.passport_document(
            asset, lots, selectors.asset_history(asset, viewer=request.user)
        )
        response = Response(doc)
        response["Content-Disposition"] = (
            f'attachment; filename="urbanmine-passport-{asset.pk}.json"'
        )
        return response


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
        responses={200: LotSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(summary="One lot", responses={200: LotSerializer, **PROTECTED_ERRORS}),
)
class LotViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = LotSerializer
    permission_classes = [IsAuthenticated]
    lookup_field = "code"
    lookup_value_regex = r"[-A-Za-z0-9_]+"

    def get_queryset(self):
        qs = (
            lots_visible_to(self.request.user)
            .select_related("product_group", "owner", "custodian")
            .annotate(mass_kg_total=selectors.MASS)
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
        if is_id(p.get("asset", "")):
            qs = qs.filter(source_asset_id=int(p["asset"]))
        if is_id(p.get("hub", "")):
            qs = qs.filter(hub_id=int(p["hub"]), location=Location.AT_HUB)
        published = truthy(p.get("published"))
        if published is not None:
            qs = qs.filter(is_published=published)
        return qs

    # The list and a lot are the same for every caller who sees the same lots: they are
    # kept in the shared cache (core/cache.py; every write to lots, their events,
    # inspections and organisations makes them stale) per `lots_visibility_key` and URL.

    def list(self, request, *args, **kwargs):
        return Response(self._cached("api-lots", self._list_data))

    def retrieve(self, request, *args, **kwargs):
        return Response(self._cached("api-lot", self._retrieve_data))

    def _cached(self, name: str, compute):
        url = self.request.build_absolute_uri()
        if len(url) > MAX_CACHED_URL:  # made-up long values: answered, not stored
            return compute()
        key = (lots_visibility_key(self.request.user), url)
        return public_cached(name, key, compute)

    def _list_data(self):
        # rows rather than model instances (LotRows): the same representation, cheaper
        queryset = self.filter_queryset(self.get_queryset())
        rows = self.paginate_queryset(queryset.values(*LotRows.columns()))
        return self.get_paginated_response(LotRows.represent(rows)).data

    def _retrieve_data(self):
        # as get_object() (IsAuthenticated has no object permission to check on the row)
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        queryset = self.filter_queryset(self.get_queryset())
        row = get_object_or_404(queryset.values(*LotRows.columns()), **lookup)
        return LotRows.represent([row])[0]

    @extend_schema(
        methods=["GET"],
        summary="The lot's history of lifecycle events (oldest first)",
        responses={200: LifecycleEventSerializer(many=True), **PROTECTED_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Record a process step on a lot you own or hold",
        request=RecordStepSerializer,
        responses={
            201: LifecycleEventSerializer,
            400: PROBLEM,
            401: PROBLEM,
            403: PROBLEM,
            404: PROBLEM,
        },
    )
    @action(detail=True, methods=["get", "post"], serializer_class=LifecycleEventSerializer)
    def events(self, request, code=None):
        lot = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(selectors.lot_history(lot))
            context = {
                "private": lot_sees_private_notes(request.user, lot),
                "viewer_orgs": user_organisation_ids(request.user),
            }
            events = LifecycleEventSerializer(page, many=True, context=context)
            return self.get_paginated_response(events.data)
        form = RecordStepSerializer(data=request.data)
        step = request.data.get("step", "") if isinstance(request.data, Mapping) else ""
        # Who may record it is decided before the fields are read (an outsider learns no
        # validation details); an unknown step is the serializer's 400.
        if not lot_recordable_steps(request.user, lot) and not lot_proposable_steps(
            request.user, lot
        ):
            raise PermissionDenied(_("You do not own, hold or inspect this lot."))
        if str(step) in RECORDED_BY and not lot_may_record(request.user, lot, str(step)):
            raise services.step_refusal(request.user, lot, str(step))
        form.is_valid(raise_exception=True)
        v = form.validated_data
        event = services.lot_record_step(
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
            price_eur=v.get("price_eur"),
            terms=v.get("terms", ""),
            exit_route=v.get("exit_route", ""),
            cost_eur=v.get("cost_eur"),
            revenue_eur=v.get("revenue_eur"),
        )
        return Response(LifecycleEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Transform lots you hold into a new product (their trace and mass balance kept)",
        request=TransformSerializer,
        responses={201: LotSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    )
    @action(detail=False, methods=["post"], serializer_class=LotSerializer)
    def transformations(self, request):
        form = TransformSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        visible = lots_visible_to(request.user).filter(code__in=v["lots"])
        found = dict(visible.values_list("code", "id"))
        missing = [code for code in v["lots"] if code not in found]
        if missing:
            raise ValidationError(
                {"lots": _("No such lot: %(codes)s.") % {"codes": ", ".join(missing)}}
            )
        into = services.TransformInto(
            product_group=v["product_group"],
            quantity=v["quantity"],
            mass_kg_per_unit=v["mass_kg_per_unit"],
            quality=v["quality"],
            r_strategy=v["r_strategy"],
            description=v["description"],
        )
        product = services.lots_transform(
            lot_ids=list(found.values()), into=into, actor=request.user, notes=v["notes"]
        )
        product = self.get_queryset().get(pk=product.pk)
        return Response(LotSerializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Publish your draft lots: they go on offer as far as their status allows",
        request=PublicationSerializer,
        responses={200: LotSerializer(many=True), 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    )
    @action(detail=False, methods=["post"], serializer_class=LotSerializer)
    def publications(self, request):
        form = PublicationSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        codes = form.validated_data["lots"]
        found = dict(lots_visible_to(request.user).filter(code__in=codes).values_list("code", "id"))
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(
                {"lots": _("No such lot: %(codes)s.") % {"codes": ", ".join(missing)}}
            )
        lots = services.lots_publish(lot_ids=list(found.values()), actor=request.user)
        fresh = self.get_queryset().filter(pk__in=[lot.pk for lot in lots]).order_by("code")
        return Response(LotSerializer(fresh, many=True).data)

    @extend_schema(
        summary="Correct (reverse) the lot's last step: the recorder within the period, or the data steward",
        request=CorrectionSerializer,
        responses={201: LifecycleEventSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["post"], serializer_class=LifecycleEventSerializer)
    def corrections(self, request, code=None):
        lot = self.get_object()  # who may correct is the service's: the recorder or steward
        form = CorrectionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        event = services.lot_correct_last_step(
            lot_id=lot.id, actor=request.user, reason=form.validated_data["reason"]
        )
        return Response(LifecycleEventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Certifiers engaged to inspect the lot",
        responses={200: EngagementSerializer(many=True), **PROTECTED_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Engage a certifier to inspect the lot (owner or custodian)",
        request=EngageSerializer,
        responses={201: EngagementSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], serializer_class=EngagementSerializer)
    def engagements(self, request, code=None):
        lot = self.get_object()
        if request.method == "GET":
            page = self.paginate_queryset(
                lot.engagements.select_related("lot", "certifier", "engaged_by").order_by("id")
            )
            return self.get_paginated_response(EngagementSerializer(page, many=True).data)
        form = EngageSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        engagement = services.lot_engage_certifier(
            lot_id=lot.id, certifier=form.validated_data["certifier"], actor=request.user
        )
        return Response(EngagementSerializer(engagement).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="Transfer proposals on the lot that you are a party to",
        responses={200: TransferProposalSerializer(many=True), **PROTECTED_ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="Propose a sale or ownership change to the lot's owner (custodian)",
        request=ProposeTransferSerializer,
        responses={201: TransferProposalSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="transfer-proposals",
        url_name="transfer-proposals",
        serializer_class=TransferProposalSerializer,
    )
    def transfer_proposals(self, request, code=None):
        lot = self.get_object()
        if request.method == "GET":
            qs = selectors.transfer_proposals_visible(request.user).filter(lot=lot)
            page = self.paginate_queryset(qs.order_by("id"))
            return self.get_paginated_response(TransferProposalSerializer(page, many=True).data)
        form = ProposeTransferSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        v = form.validated_data
        proposal = services.lot_transfer_propose(
            lot_id=lot.id,
            step=v["step"],
            counterparty=v["counterparty"],
            actor=request.user,
            quantity=v.get("quantity"),
            price_eur=v.get("price_eur"),
            terms=v.get("terms", ""),
        )
        return Response(TransferProposalSerializer(proposal).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="Transfer proposals you are a party to (owner, proposer or counterparty)",
        parameters=[param("status", "pending, accepted, declined or withdrawn.")],
        responses={200: TransferProposalSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One transfer proposal",
        responses={200: TransferProposalSerializer, **PROTECTED_ERRORS},
    ),
)
class TransferProposalViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TransferProposalSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = selectors.transfer_proposals_visible(self.request.user).order_by("-proposed_at", "-id")
        wanted = self.request.query_params.get("status")
        if wanted:
            qs = qs.filter(status=wanted)
        return qs

    def _decide(self, request, decide):
        proposal = self.get_object()
        form = DecideTransferSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return Response(TransferProposalSerializer(decide(proposal, form.validated_data)).data)

    @extend_schema(
        summary="Accept: the owner records the sale or ownership change",
        request=None,
        responses={200: TransferProposalSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._decide(
            request,
            lambda p, _v: services.lot_transfer_accept(proposal_id=p.pk, actor=request.user),
        )

    @extend_schema(
        summary="Decline (the owner) or withdraw (the proposer)",
        request=DecideTransferSerializer,
        responses={200: TransferProposalSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._decide(
            request,
            lambda p, v: services.lot_transfer_decline(
                proposal_id=p.pk, actor=request.user, reason=v.get("reason", "")
            ),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Hubs with their fill level",
        parameters=[
            param("typology", "Hub typology."),
            param("municipality", "CBS municipality code."),
        ],
        responses={200: HubSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(summary="One hub", responses={200: HubSerializer, **PROTECTED_ERRORS}),
    partial_update=extend_schema(
        summary="Change capacity or maximum dwell time (the hub's operator only)",
        request=HubSettingsSerializer,
        responses={200: HubSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    ),
)
class HubViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = HubSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = hubs_listed().prefetch_related("accepted_product_groups")
        p = self.request.query_params
        if self.action == "list":
            if p.get("typology"):
                qs = qs.filter(typology=p["typology"])
            if p.get("municipality"):
                qs = qs.filter(municipality__code=p["municipality"])
        return qs

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        occupancy = selectors.hub_occupancy(page)
        data = HubSerializer(page, many=True, context={"occupancy": occupancy}).data
        return self.get_paginated_response(data)

    def _hub_data(self, hub):
        occupancy = selectors.hub_occupancy([hub])
        return HubSerializer(hub, context={"occupancy": occupancy}).data

    def retrieve(self, request, *args, **kwargs):
        return Response(self._hub_data(self.get_object()))

    def partial_update(self, request, *args, **kwargs):
        hub = self.get_object()
        form = HubSettingsSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        hub_settings_update(hub=hub, actor=request.user, **form.validated_data)
        return Response(self._hub_data(self.get_queryset().get(pk=hub.pk)))

    @extend_schema(
        summary="The hub's stock with dwell times (warning 6 to 9 months, alert over 9 months)",
        responses={200: StockLineSerializer(many=True), **PROTECTED_ERRORS},
    )
    @action(detail=True, serializer_class=StockLineSerializer)
    def stock(self, request, pk=None):
        hub = self.get_object()
        page = self.paginate_queryset(selectors.hub_stock(hub, viewer=request.user))
        return self.get_paginated_response(StockLineSerializer(page, many=True).data)

    @extend_schema(
        summary="The hub's stock as CSV (template columns first: importable elsewhere)",
        responses={(200, CSV_CONTENT_TYPE): OpenApiTypes.STR, **PROTECTED_ERRORS},
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
        content = hub_stock_csv(hub, selectors.hub_stock(hub, viewer=request.user))
        stamp = timezone.localdate().isoformat()
        return download(content, CSV_CONTENT_TYPE, f"urbanmine-hub-{hub.pk}-stock-{stamp}.csv")
