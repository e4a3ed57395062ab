from auditlog.models import LogEntry
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from portal.access.principal import signed_in_user
from portal.auth.tokens import api_token_revoke
from portal.models import (
    ApiToken,
    AuditPrune,
    ExternalIdentity,
    Membership,
    Organisation,
    ServiceAccount,
)

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


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    """An administrator links an existing account to the provider's person by its subject
    (``sub``, or ``<tid>/<oid>`` with Entra ID) and the issuer exactly as the ID token says."""

    list_display = ["user", "display_name", "issuer", "subject", "linked_at", "last_sign_in_at"]
    search_fields = ["user__username", "display_name", "subject"]
    autocomplete_fields = ["user"]
    readonly_fields = ["linked_at", "linked_by", "last_sign_in_at"]

    def save_model(self, request: HttpRequest, obj: ExternalIdentity, form, change) -> None:
        if not change:
            obj.linked_by = signed_in_user(request.user)
        super().save_model(request, obj, form, change)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued on the account page (never here: the token is shown once there);
    the admin lists and revokes them."""

    list_display = ["user", "name", "prefix", "scope", "created_at", "last_used_at", "expires_at"]
    list_filter = ["scope", "end_reason"]
    search_fields = ["user__username", "name", "prefix"]
    readonly_fields = [field.name for field in ApiToken._meta.fields]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset) -> None:
        for token in queryset:
            api_token_revoke(token=token)


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "description", "created_at", "created_by"]
    search_fields = ["user__username", "description"]
    readonly_fields = ["created_at", "created_by"]
