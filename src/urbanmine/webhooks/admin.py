from django.contrib import admin

from .models import Delivery, DeliveryAttempt, Event, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "organisation", "url", "is_active", "consecutive_failures", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url", "organisation__name"]
    # the signing secret is the organisation's: not shown to stewards either
    exclude = ["secret"]
    readonly_fields = ["created_by", "created_at", "disabled_at"]


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["number", "started_at", "duration_ms", "status_code", "error", "succeeded"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: read-only."""

    list_display = ["id", "subscription", "event", "status", "attempts", "created_at"]
    list_filter = ["status"]
    inlines = [DeliveryAttemptInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["id", "type", "subject", "is_public", "occurred_at"]
    list_filter = ["type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
