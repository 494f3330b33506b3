"""API of the tender tool: ambitions (read and record), the clause library, tenders with
their bids and ranking, and commitments with their realisation (read). Who sees what is
`permissions.py`'s; every write goes through the service the web pages use."""

from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from urbanmine.assets.models import Asset
from urbanmine.core.api import PROBLEM, PROTECTED_ERRORS, ApiViewMixin, IdRelatedField, param
from urbanmine.organisations.api import OrganisationRefSerializer
from urbanmine.regions.models import Municipality

from . import selectors
from .models import (
    R_LEVEL_CHOICES,
    Ambition,
    AmbitionLevel,
    Bid,
    Clause,
    Commitment,
    Phase,
    Tender,
)
from .services import ambition_create


class AmbitionSerializer(serializers.ModelSerializer):
    owner = OrganisationRefSerializer(read_only=True)
    municipalities = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    group_targets = serializers.DictField(
        child=serializers.FloatField(),
        read_only=True,
        help_text="Target per product-group code (percent).",
    )

    class Meta:
        model = Ambition
        fields = [
            "id",
            "name",
            "level",
            "phase",
            "year",
            "owner",
            "municipalities",
            "asset",
            "parent",
            "harvest_pct",
            "secondary_pct",
            "min_r_level",
            "detachability_score",
            "co2_reduction_pct",
            "group_targets",
            "is_demo",
            "created_at",
        ]
        read_only_fields = fields


def _pct_field(help_text: str) -> serializers.FloatField:
    return serializers.FloatField(
        required=False, allow_null=True, min_value=0, max_value=100, help_text=help_text
    )


class AmbitionCreateSerializer(serializers.Serializer):
    """An area ambition (the province, or a municipality for its own area: `municipalities`)
    or a project ambition (the asset's owner: `asset`, inheriting `parent` or else the
    newest area ambition covering the asset, which it may only tighten). Checked by
    `services.ambition_create`, as on the web."""

    name = serializers.CharField(max_length=200)
    level = serializers.ChoiceField(choices=AmbitionLevel.choices)
    phase = serializers.ChoiceField(choices=Phase.choices)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    municipalities = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Municipality.objects.all(),
        many=True,
        required=False,
        help_text="CBS municipality codes (area ambitions).",
    )
    asset = IdRelatedField(
        queryset=Asset.objects.all(), required=False, allow_null=True, help_text="Asset id."
    )
    # DRF's metaclass takes declared fields out of the class: `parent` shadows nothing
    parent = IdRelatedField(  # type: ignore[assignment]
        queryset=Ambition.objects.filter(level=AmbitionLevel.AREA),
        required=False,
        allow_null=True,
        help_text="Id of the area ambition a project ambition inherits.",
    )
    harvest_pct = _pct_field("Harvest percentage by mass (demolition).")
    secondary_pct = _pct_field("Share of secondary materials by mass (new build).")
    co2_reduction_pct = _pct_field("CO2 reduction (percent).")
    detachability_score = serializers.FloatField(
        required=False, allow_null=True, min_value=1, max_value=5
    )
    min_r_level = serializers.ChoiceField(
        choices=R_LEVEL_CHOICES, required=False, allow_blank=True, default=""
    )
    group_targets = serializers.DictField(
        child=serializers.FloatField(min_value=0, max_value=100),
        required=False,
        help_text="Target per product-group code (percent).",
    )


class ClauseSerializer(serializers.ModelSerializer):
    author = OrganisationRefSerializer(read_only=True)
    product_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Clause
        fields = [
            "id",
            "code",
            "version",
            "title",
            "kind",
            "phase",
            "text",
            "source",
            "product_groups",
            "author",
            "is_demo",
            "created_at",
        ]
        read_only_fields = fields


class ClauseRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Clause
        fields = ["id", "code", "version", "title"]
        read_only_fields = fields


class BidSerializer(serializers.ModelSerializer):
    class Meta:
        model = Bid
        fields = [
            "id",
            "bidder",
            "price_eur",
            "harvest_pct",
            "secondary_pct",
            "r_level",
            "resale_by",
            "reuse_plan_score",
            "is_demo",
        ]
        read_only_fields = fields


class RankingRowSerializer(serializers.Serializer):
    bid = serializers.IntegerField(help_text="Bid id.")
    rank = serializers.IntegerField()
    tonnes = serializers.FloatField(help_text="Tonnes kept in use (promised % × expected mass).")
    fictitious_discount_eur = serializers.FloatField()
    assessed_eur = serializers.FloatField(help_text="Price minus the fictitious discounts.")
    co2_avoided_t = serializers.FloatField()


class RankingSerializer(serializers.Serializer):
    rows = RankingRowSerializer(many=True)
    break_even_eur_per_t = serializers.FloatField(
        allow_null=True,
        help_text="Discount per tonne above which the bid keeping most tonnes in use wins.",
    )


class TenderSerializer(serializers.ModelSerializer):
    owner = OrganisationRefSerializer(read_only=True)
    clauses = serializers.SerializerMethodField()
    bids = BidSerializer(many=True, read_only=True)
    ranking = serializers.SerializerMethodField()

    class Meta:
        model = Tender
        fields = [
            "id",
            "title",
            "phase",
            "status",
            "asset",
            "owner",
            "ambition",
            "mass_basis_t",
            "min_harvest_pct",
            "min_secondary_pct",
            "max_resale_days",
            "requires_reuse_plan",
            "requires_inventory",
            "requires_registration",
            "discount_eur_per_t",
            "eur_per_quality_point",
            "clauses",
            "bids",
            "ranking",
            "awarded_bid",
            "is_demo",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(ClauseRefSerializer(many=True))
    def get_clauses(self, tender):
        return ClauseRefSerializer(
            [tc.clause for tc in tender.tender_clauses.all()], many=True
        ).data

    @extend_schema_field(RankingSerializer(allow_null=True))
    def get_ranking(self, tender):
        if self.context.get("view") and self.context["view"].action != "retrieve":
            return None  # the ranking is computed per tender: only on the tender itself
        r = selectors.tender_ranking(tender)
        if r is None:
            return None
        return {
            "rows": [
                {
                    "bid": row["bid"].pk,
                    "rank": row["rank"],
                    "tonnes": row["tonnes"],
                    "fictitious_discount_eur": row["fictitious_eur"],
                    "assessed_eur": row["assessed_eur"],
                    "co2_avoided_t": row["co2_avoided_t"],
                }
                for row in r.rows
            ],
            "break_even_eur_per_t": r.break_even_eur_per_t,
        }


class CommitmentSerializer(serializers.ModelSerializer):
    bidder = serializers.CharField(source="bid.bidder", read_only=True)
    realised_harvest_pct = serializers.SerializerMethodField()

    class Meta:
        model = Commitment
        fields = [
            "id",
            "tender",
            "bid",
            "bidder",
            "harvest_pct",
            "secondary_pct",
            "r_level",
            "resale_by",
            "max_resale_days",
            "committed_at",
            "realised_harvest_pct",
            "is_demo",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField())
    def get_realised_harvest_pct(self, commitment) -> float:
        return selectors.tender_realisation(commitment.tender).harvest_pct


@extend_schema_view(
    list=extend_schema(
        summary="Ambitions you may see (area ambitions: everyone signed in)",
        parameters=[
            param("level", "area or project", enum=list(AmbitionLevel.values)),
            param("phase", "demolition or new_build", enum=list(Phase.values)),
        ],
        responses={200: AmbitionSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One ambition", responses={200: AmbitionSerializer, **PROTECTED_ERRORS}
    ),
    create=extend_schema(
        summary="Record an area or project ambition",
        request=AmbitionCreateSerializer,
        responses={201: AmbitionSerializer, 400: PROBLEM, 401: PROBLEM, 403: PROBLEM},
    ),
)
class AmbitionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AmbitionSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = selectors.ambitions_for(self.request.user)
        p = self.request.query_params
        if self.action == "list":
            if p.get("level"):
                qs = qs.filter(level=p["level"])
            if p.get("phase"):
                qs = qs.filter(phase=p["phase"])
        return qs

    def create(self, request, *args, **kwargs):
        data = AmbitionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ambition = ambition_create(actor=request.user, **data.validated_data)
        ambition = selectors.ambitions_for(request.user).get(pk=ambition.pk)
        return Response(AmbitionSerializer(ambition).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="The clause library (every version)",
        parameters=[param("code", "Clause code: its versions.")],
        responses={200: ClauseSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One clause version", responses={200: ClauseSerializer, **PROTECTED_ERRORS}
    ),
)
class ClauseViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = ClauseSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = (
            Clause.objects.select_related("author")
            .prefetch_related("product_groups")
            .order_by("code", "-version", "id")
        )
        if self.action == "list" and self.request.query_params.get("code"):
            qs = qs.filter(code=self.request.query_params["code"])
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Tenders of your organisations (all for platform-wide roles)",
        parameters=[param("status", "draft or awarded", enum=["draft", "awarded"])],
        responses={200: TenderSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One tender with its bids and ranking",
        responses={200: TenderSerializer, **PROTECTED_ERRORS},
    ),
)
class TenderViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = TenderSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        qs = selectors.tenders_for(self.request.user).prefetch_related(
            "tender_clauses__clause", "bids"
        )
        if self.action == "list" and self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs


@extend_schema_view(
    list=extend_schema(
        summary="Commitments of your organisations' awarded tenders, with realisation",
        responses={200: CommitmentSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One commitment", responses={200: CommitmentSerializer, **PROTECTED_ERRORS}
    ),
)
class CommitmentViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CommitmentSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        tenders = selectors.tenders_for(self.request.user)
        return (
            Commitment.objects.filter(tender__in=tenders.values("pk"))
            .select_related("tender", "bid")
            .order_by("-committed_at", "-id")
        )
