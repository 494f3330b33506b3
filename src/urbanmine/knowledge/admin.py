"""The data steward's screens of the knowledge base (the facilitator's pages are the
platform's own; the admin is for corrections)."""

from django.contrib import admin

from .models import (
    Attachment,
    Barrier,
    BarrierComment,
    ExampleProject,
    KnowledgeItem,
    PlanStep,
    StepPlan,
)


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    readonly_fields = ["kind", "content_type", "caption", "uploaded_by", "created_at"]
    exclude = ["file"]
    can_delete = True


@admin.register(KnowledgeItem)
class KnowledgeItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "status", "organisation", "published_at", "is_demo"]
    list_filter = ["kind", "status", "is_demo"]
    search_fields = ["title", "summary", "body"]
    raw_id_fields = ["author", "organisation", "published_by"]
    filter_horizontal = ["product_groups"]
    inlines = [AttachmentInline]


class PlanStepInline(admin.TabularInline):
    model = PlanStep
    extra = 0


@admin.register(StepPlan)
class StepPlanAdmin(admin.ModelAdmin):
    list_display = ["product_group", "market", "is_published", "is_demo"]
    list_filter = ["is_published", "is_demo"]
    raw_id_fields = ["product_group", "updated_by"]
    inlines = [PlanStepInline]


class BarrierCommentInline(admin.TabularInline):
    model = BarrierComment
    extra = 0
    raw_id_fields = ["author", "organisation"]


@admin.register(Barrier)
class BarrierAdmin(admin.ModelAdmin):
    list_display = ["title", "theme", "product_group", "status", "owner", "is_demo"]
    list_filter = ["theme", "status", "is_demo"]
    search_fields = ["title", "description"]
    raw_id_fields = ["product_group", "owner"]
    inlines = [BarrierCommentInline]


@admin.register(ExampleProject)
class ExampleProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "is_public", "is_demo"]
    raw_id_fields = ["assets", "case", "created_by"]
