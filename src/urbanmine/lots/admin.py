from django.contrib import admin

from .models import Inspection, InspectionEngagement, LifecycleEvent, Lot, TransferProposal


class EventInline(admin.TabularInline):
    model = LifecycleEvent
    extra = 0
    can_delete = False
    fields = ("occurred_at", "step", "organisation", "quantity", "status_after", "notes")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen in the admin, changed only through the services (which write the history)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    """Read-only (issue #14): owner, custodian, quantity, status and publication change only
    through lifecycle events, which the services record; no lot is ever deleted. The history
    is shown inline."""

    list_display = [
        "code",
        "product_group",
        "quantity",
        "unit",
        "quality",
        "status",
        "location",
        "owner",
        "is_published",
    ]
    list_filter = ["status", "location", "quality", "is_published", "product_group__scope"]
    search_fields = ["code", "description"]
    list_select_related = ["product_group", "owner"]
    inlines = [EventInline]


@admin.register(InspectionEngagement)
class InspectionEngagementAdmin(ReadOnlyAdmin):
    list_display = ["lot", "certifier", "engaged_by", "engaged_at", "status"]
    list_filter = ["status"]
    list_select_related = ["lot", "certifier", "engaged_by"]


@admin.register(TransferProposal)
class TransferProposalAdmin(ReadOnlyAdmin):
    list_display = ["lot", "step", "counterparty", "proposed_by", "proposed_at", "status"]
    list_filter = ["status", "step"]
    list_select_related = ["lot", "counterparty", "proposed_by"]


@admin.register(LifecycleEvent)
class LifecycleEventAdmin(ReadOnlyAdmin):
    """Read-only: the history is append-only."""

    list_display = ["occurred_at", "lot", "step", "organisation", "quantity", "status_after"]
    list_filter = ["step"]
    list_select_related = ["lot", "organisation"]


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyAdmin):
    """Inspections are recorded as quality-control steps by engaged certifiers."""

    list_display = ["lot", "inspector", "inspected_on", "guideline", "result", "valid_until"]
    raw_id_fields = ["lot", "event"]
