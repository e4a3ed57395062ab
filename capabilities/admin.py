from django.contrib import admin

from capabilities.models import Discipline, Framework, Requirement


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ["order", "code", "name_da", "name_en"]


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_da", "version"]
    readonly_fields = ["version", "created_at", "updated_at"]


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ["framework", "code", "title_da"]
    list_filter = ["framework"]
    readonly_fields = ["version", "created_at", "updated_at"]
