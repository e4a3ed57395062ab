from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from portal.models import AuditPrune, Membership, Organisation

admin.site.site_header = "Cyber resilience portal"


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_da", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name_da", "name_en", "slug"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "source"]
    list_filter = ["role", "source", "organisation"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user", "organisation"]


class ReadOnlyLogEntryAdmin(admin.ModelAdmin):
    """The audit trail in the admin: to read and search, never to add, change or delete."""

    list_display = ["timestamp", "actor", "content_type", "object_repr", "action"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "actor__username", "changes_text"]
    date_hierarchy = "timestamp"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LogEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: LogEntry | None = None) -> bool:
        return False


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, ReadOnlyLogEntryAdmin)


@admin.register(AuditPrune)
class AuditPruneAdmin(admin.ModelAdmin):
    """The record of each pruning of the audit trail (``manage.py audit_prune``): read-only."""

    list_display = ["performed_at", "performed_by", "cutoff", "deleted", "retention_days"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class PortalUserAdmin(UserAdmin):
    """People are deactivated, never deleted: the audit trail keeps pointing at them."""

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


User = get_user_model()
if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PortalUserAdmin)
