from django.contrib import admin
from django.http import HttpRequest

from initiatives.models import (
    Deliverable,
    Initiative,
    Milestone,
    RegionalImplementation,
    StatusUpdate,
    StrategicObjective,
    Strategy,
    WorkingGroup,
    WorkingGroupMember,
)

VERSIONED = ["version", "created_at", "updated_at"]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_da", "start_year", "end_year"]
    readonly_fields = VERSIONED


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ["strategy", "number", "title_da"]
    readonly_fields = VERSIONED


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    readonly_fields = VERSIONED


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["number", "title_da", "strategy", "discipline", "working_group"]
    list_filter = ["strategy", "discipline", "working_group"]
    search_fields = ["number", "title_da", "title_en"]
    readonly_fields = [*VERSIONED, "sort_key"]
    inlines = [MilestoneInline]


class WorkingGroupMemberInline(admin.TabularInline):
    model = WorkingGroupMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["name_da", "slug", "kind"]
    list_filter = ["kind"]
    search_fields = ["name_da", "name_en"]
    readonly_fields = VERSIONED
    inlines = [WorkingGroupMemberInline]


@admin.register(Deliverable)
class DeliverableAdmin(admin.ModelAdmin):
    list_display = ["title", "working_group", "initiative", "status", "due", "delivered_on"]
    list_filter = ["working_group", "status"]
    search_fields = ["title"]
    readonly_fields = VERSIONED


@admin.register(RegionalImplementation)
class RegionalImplementationAdmin(admin.ModelAdmin):
    list_display = ["initiative", "organisation", "status", "updated_by", "updated_at"]
    list_filter = ["organisation", "status"]
    readonly_fields = [*VERSIONED, "updated_by"]


@admin.register(StatusUpdate)
class StatusUpdateAdmin(admin.ModelAdmin):
    """Append-only: readable here, never changed or deleted (a correction is a new update)."""

    list_display = ["initiative", "period", "status", "rag", "progress", "author", "created_at"]
    list_filter = ["period", "rag", "status"]
    search_fields = ["initiative__number", "narrative"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
