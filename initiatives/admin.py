from django.contrib import admin

from initiatives.models import Initiative, StrategicObjective, Strategy


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["slug", "title_da", "start_year", "end_year"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ["strategy", "number", "title_da"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["number", "title_da", "strategy", "discipline"]
    list_filter = ["strategy", "discipline"]
    search_fields = ["number", "title_da", "title_en"]
    readonly_fields = ["version", "created_at", "updated_at", "sort_key"]
