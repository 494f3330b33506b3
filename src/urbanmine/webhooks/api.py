"""API of the webhooks: an organisation's subscriptions and their delivery log. Members of
other organisations see none of them (404). The secret is shown in full only in the answer
that creates or renews it."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from urbanmine.core.api import PROBLEM, PROTECTED_ERRORS, ApiViewMixin, IdRelatedField
from urbanmine.organisations.models import Organisation

from . import selectors, services
from .models import Delivery, DeliveryAttempt, EventType, Subscription


class SubscriptionSerializer(serializers.ModelSerializer):
    """A webhook subscription. `secret` signs every delivery (Standard Webhooks,
    HMAC-SHA256): returned in full only when the subscription is created or its secret
    renewed; otherwise `secret_hint` shows its beginning."""

    organisation = IdRelatedField(
        queryset=Organisation.objects.all(),
        required=False,
        help_text="Organisation id; default: the first organisation you act for.",
    )
    url = serializers.URLField(max_length=500, help_text="The https URL deliveries go to.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1, max_length=20
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    secret = serializers.SerializerMethodField()
    secret_hint = serializers.CharField(read_only=True)

    class Meta:
        model = Subscription
        fields = [
            "id",
            "organisation",
            "url",
            "events",
            "description",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "secret",
            "secret_hint",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]

    def get_secret(self, subscription) -> str | None:
        return subscription.secret if self.context.get("show_secret") else None

    def create(self, validated_data):
        return services.subscription_create(actor=self.context["request"].user, **validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("organisation", None)  # a subscription stays with its organisation
        return services.subscription_update(
            subscription_id=instance.pk, actor=self.context["request"].user, **validated_data
        )


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["number", "started_at", "duration_ms", "status_code", "error", "succeeded"]
        read_only_fields = fields


class DeliverySerializer(serializers.ModelSerializer):
    event_id = serializers.UUIDField(read_only=True)
    event_type = serializers.CharField(source="event.type", read_only=True)
    subject = serializers.CharField(source="event.subject", read_only=True)
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "subject",
            "status",
            "attempts",
            "message",
            "created_at",
            "delivered_at",
            "attempt_log",
        ]
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(
        summary="Your organisations' webhook subscriptions",
        responses={200: SubscriptionSerializer(many=True), 401: PROBLEM},
    ),
    retrieve=extend_schema(
        summary="One webhook subscription",
        responses={200: SubscriptionSerializer, **PROTECTED_ERRORS},
    ),
    create=extend_schema(
        summary="Subscribe a URL of your organisation to events (the answer holds the secret)",
        responses={201: SubscriptionSerializer, 400: PROBLEM, 401: PROBLEM},
    ),
    partial_update=extend_schema(
        summary="Change a subscription's URL, events or description, or switch it on or off",
        responses={200: SubscriptionSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    ),
    destroy=extend_schema(
        summary="Remove a webhook subscription (and its delivery log)",
        responses={204: None, **PROTECTED_ERRORS},
    ),
)
class SubscriptionViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = SubscriptionSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"[0-9]+"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return selectors.subscriptions_of(viewer=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["show_secret"] = self.action in ("create", "secret")
        return context

    def perform_destroy(self, instance):
        services.subscription_delete(subscription_id=instance.pk, actor=self.request.user)

    @extend_schema(
        summary="Renew the signing secret (the answer holds the new one)",
        request={"application/json": {"type": "object", "maxProperties": 0}},  # `{}`
        responses={200: SubscriptionSerializer, 400: PROBLEM, **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="secret")
    def secret(self, request, pk=None):
        if request.data:  # nothing to give: a member is a mistake, not ignored
            raise ValidationError({"nonFieldErrors": [_("Send an empty object: {}.")]})
        subscription = self.get_object()
        with transaction.atomic():
            renewed = services.subscription_rotate_secret(
                subscription_id=subscription.pk, actor=request.user
            )
        return Response(self.get_serializer(renewed).data, status=status.HTTP_200_OK)

    @extend_schema(
        summary="The delivery log: the latest deliveries with every attempt",
        responses={200: DeliverySerializer(many=True), **PROTECTED_ERRORS},
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def deliveries(self, request, pk=None):
        subscription = self.get_object()
        rows = selectors.deliveries_of(subscription=subscription)
        return Response(DeliverySerializer(rows, many=True).data)
