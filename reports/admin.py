from django.contrib import admin
from django.http import HttpRequest

from reports.models import NarrativeDraft, ReportRun


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin):
    """Runs are archive records: read here; deleting one is the sector admin's action and the
    audit trail records it."""

    list_display = ["kind", "organisation", "period", "status", "requested_by", "requested_at"]
    list_filter = ["kind", "status", "organisation"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(NarrativeDraft)
class NarrativeDraftAdmin(admin.ModelAdmin):
    list_display = ["kind", "organisation", "period", "section", "updated_at"]
    list_filter = ["kind", "section", "organisation"]
    readonly_fields = ["version", "created_at", "updated_at"]
