"""API of the network (issue #18): the directory (published entries; an organisation also
sees its own request, the facilitator every request), covenants with the progress of every
commitment, and the regional targets against realised values and the forecast (public);
the facilitator sets a target."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from urbanmine.core.api import PROBLEM, PROTECTED_ERRORS, ApiViewMixin, param
from urbanmine.organisations.api import OrganisationRefSerializer

from . import selectors, services
from .indicators import INDICATORS
from .models import Covenant, DirectoryEntry, EntryStatus, RegionalTarget


class CertificationSerializer(serializers.Serializer):
    scheme = serializers.CharField(source="scheme.code", help_text="Scheme code, e.g. vca.")
    scheme_name = serializers.CharField(source="scheme.name")
    number = serializers.CharField()
    valid_from = serializers.DateField()
    valid_until = serializers.DateField()
    state = serializers.SerializerMethodField(
        help_text="valid, expired or future (not yet valid), on the Dutch calendar day."
    )

    def get_state(self, cert) -> str:
        return selectors.certification_state(cert, self.context.get("today"))


class HubRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class DirectoryEntrySerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    roles = serializers.SerializerMethodField()
    municipalities_served = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True
    )
    product_groups = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    hubs = HubRefSerializer(source="organisation.hubs", many=True, read_only=True)
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = DirectoryEntry
        fields = [
            "id",
            "organisation",
            "status",
            "roles",
            "description",
            "website",
            "contact_name",
            "contact_email",
            "contact_phone",
            "municipalities_served",
            "product_groups",
            "hubs",
            "certifications",
        ]
        read_only_fields = fields

    def get_roles(self, entry) -> list[str]:
        return [r.role for r in entry.organisation.roles.all()]


@extend_schema_view(
    list=extend_schema(
        summary="Organisations of the network (the directory; public)",
        parameters=[
            param("q", "Part of the name, description, product group or municipality."),
            param("role", "Chain role code, e.g. demolisher."),
            param("product_group", "Product group code, e.g. bricks-clay."),
        ],
    ),
    retrieve=extend_schema(summary="One organisation of the network (public once a member)"),
)
class DirectoryEntryViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = DirectoryEntrySerializer
    permission_classes = [AllowAny]

    def get_queryset(self):
        p = self.request.query_params
        return selectors.directory_entries(
            self.request.user,
            q=p.get("q", "")[:100],
            role=p.get("role", "")[:40],
            product_group=p.get("product_group", "")[:64],
            status=EntryStatus.MEMBER if self.action == "list" else "",
        )

    def get_serializer_context(self):
        return super().get_serializer_context() | {"today": timezone.localdate()}


class CovenantCommitmentSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="commitment.year")
    indicator = serializers.CharField(source="commitment.indicator")
    unit = serializers.CharField()
    value = serializers.DecimalField(source="commitment.value", max_digits=14, decimal_places=3)
    realised = serializers.FloatField(
        allow_null=True, help_text="Measured from the lifecycle events; null for future years."
    )
    progress = serializers.FloatField(allow_null=True, help_text="realised / value")


class SignatorySerializer(serializers.Serializer):
    organisation = OrganisationRefSerializer()
    signed_at = serializers.DateTimeField()
    commitments = CovenantCommitmentSerializer(many=True)


class CovenantSerializer(serializers.ModelSerializer):
    signatories = serializers.SerializerMethodField()

    class Meta:
        model = Covenant
        fields = ["id", "title", "text", "start_year", "end_year", "ambition_level", "signatories"]
        read_only_fields = fields

    @extend_schema_field(SignatorySerializer(many=True))
    def get_signatories(self, covenant) -> list[dict]:
        return [
            SignatorySerializer(
                {"organisation": s.organisation, "signed_at": s.signed_at, "commitments": lines}
            ).data
            for s, lines in selectors.covenant_progress(covenant)
        ]


@extend_schema_view(
    list=extend_schema(summary="Covenants with every commitment's progress (public)"),
    retrieve=extend_schema(summary="One covenant with every commitment's progress (public)"),
)
class CovenantViewSet(ApiViewMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = CovenantSerializer
    permission_classes = [AllowAny]
    queryset = Covenant.objects.order_by("-start_year", "-id")


class TargetSerializer(serializers.Serializer):
    indicator = serializers.ChoiceField(choices=list(INDICATORS))
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    value = serializers.DecimalField(
        max_digits=14,
        decimal_places=3,
        min_value=0,
        help_text="In `unit`; stored in the indicator's unit (t, %, hubs).",
    )
    unit = serializers.CharField(
        max_length=8, help_text="t or kt for masses, % for shares, hubs for hubs opened."
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class TargetRowSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    unit = serializers.CharField()
    year = serializers.IntegerField()
    target = serializers.FloatField(allow_null=True)
    realised = serializers.FloatField(allow_null=True)
    forecast = serializers.FloatField(allow_null=True)
    progress = serializers.FloatField(allow_null=True)


@extend_schema_view(
    list=extend_schema(
        summary="Regional targets per year against realised values and the forecast (public)",
        responses=TargetRowSerializer(many=True),
    ),
    create=extend_schema(
        summary="Set a regional target (the province)",
        request=TargetSerializer,
        responses={201: TargetRowSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    ),
)
class TargetViewSet(ApiViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedOrReadOnly]
    serializer_class = TargetRowSerializer
    queryset = RegionalTarget.objects.none()
    pagination_class = None

    def list(self, request, *args, **kwargs):
        rows = [
            r
            for series in selectors.targets_overview()["series"].values()
            for r in series
            if r.target is not None or r.realised or r.forecast is not None
        ]
        return Response(TargetRowSerializer(rows, many=True).data)

    def create(self, request, *args, **kwargs):
        s = TargetSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        target = services.target_set(actor=request.user, **s.validated_data)
        row = {
            "indicator": target.indicator,
            "unit": INDICATORS[target.indicator].unit,
            "year": target.year,
            "target": float(target.value),
            "realised": None,
            "forecast": None,
            "progress": None,
        }
        return Response(TargetRowSerializer(row).data, status=status.HTTP_201_CREATED)
