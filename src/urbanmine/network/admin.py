"""The data steward's screens of the network: the certification list it keeps, and (for
corrections) entries, covenants, targets and imported figures."""

from django.contrib import admin

from .models import (
    Certification,
    CertificationScheme,
    Commitment,
    Covenant,
    DirectoryEntry,
    FigureImport,
    RegionalTarget,
    Signature,
)


@admin.register(CertificationScheme)
class CertificationSchemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "issuer"]
    search_fields = ["name", "code"]


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


@admin.register(DirectoryEntry)
class DirectoryEntryAdmin(admin.ModelAdmin):
    list_display = ["organisation", "status", "requested_at", "decided_at"]
    list_filter = ["status", "is_demo"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation"]
    filter_horizontal = ["municipalities_served", "product_groups"]
    inlines = [CertificationInline]
    raw_id_fields = ["organisation", "requested_by", "decided_by"]


class CommitmentInline(admin.TabularInline):
    model = Commitment
    extra = 0


@admin.register(Covenant)
class CovenantAdmin(admin.ModelAdmin):
    list_display = ["title", "start_year", "end_year", "ambition_level"]


@admin.register(Signature)
class SignatureAdmin(admin.ModelAdmin):
    list_display = ["organisation", "covenant", "signed_at"]
    list_select_related = ["organisation", "covenant"]
    inlines = [CommitmentInline]


@admin.register(RegionalTarget)
class RegionalTargetAdmin(admin.ModelAdmin):
    list_display = ["indicator", "year", "value", "entered_value", "entered_unit"]


@admin.register(FigureImport)
class FigureImportAdmin(admin.ModelAdmin):
    list_display = ["source", "filename", "rows", "imported_at"]
