from django.contrib import admin

from .models import Membership, Organisation, OrganisationRole


class RoleInline(admin.TabularInline):
    model = OrganisationRole
    extra = 1


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "get_roles_display", "municipality", "is_demo"]
    search_fields = ["name"]
    list_filter = ["roles__role", "is_demo"]
    inlines = [RoleInline, MembershipInline]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).prefetch_related("roles").select_related("municipality")
        )
