from django.contrib import admin

from risks.models import (
    Asset,
    AttackSurfaceProfile,
    CriticalFunction,
    ImportJob,
    Risk,
    RiskMatrix,
    Threat,
    TreatmentAction,
)

VERSIONED = ["version", "created_at", "updated_at"]


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "supplier", "is_legacy", "end_of_support"]
    list_filter = ["organisation", "kind", "is_legacy"]
    search_fields = ["name", "supplier"]
    readonly_fields = VERSIONED
    filter_horizontal = ["shared_with"]


@admin.register(Threat)
class ThreatAdmin(admin.ModelAdmin):
    list_display = ["name_da", "slug", "attack_surface"]
    readonly_fields = VERSIONED


class TreatmentActionInline(admin.TabularInline):
    model = TreatmentAction
    extra = 0
    readonly_fields = VERSIONED


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "residual_score", "residual_level", "status", "owner"]
    list_filter = ["organisation", "residual_level", "status"]
    search_fields = ["title"]
    readonly_fields = [
        *VERSIONED,
        "inherent_score",
        "residual_score",
        "inherent_level",
        "residual_level",
        "accepted_by",
        "accepted_at",
    ]
    raw_id_fields = ["assets", "owner"]
    inlines = [TreatmentActionInline]


@admin.register(RiskMatrix)
class RiskMatrixAdmin(admin.ModelAdmin):
    """Read here; change it in the portal, where saving re-levels the region's risks."""

    list_display = ["organisation", "low_max", "medium_max", "high_max"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CriticalFunction)
class CriticalFunctionAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation"]
    list_filter = ["organisation"]
    readonly_fields = VERSIONED
    raw_id_fields = ["systems"]


@admin.register(AttackSurfaceProfile)
class AttackSurfaceProfileAdmin(admin.ModelAdmin):
    list_display = ["organisation", "period", "employees", "systems", "medical_devices"]
    list_filter = ["organisation"]
    readonly_fields = VERSIONED


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Background imports, read here: a job is started by an upload and ended by its worker
    (or the watchdog)."""

    list_display = ["file_name", "kind", "organisation", "status", "created_by", "created_at"]
    list_filter = ["kind", "status", "organisation"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
