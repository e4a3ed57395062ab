from django.contrib import admin

from risks.models import Asset


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "supplier", "is_legacy", "end_of_support"]
    list_filter = ["organisation", "kind", "is_legacy"]
    search_fields = ["name", "supplier"]
    readonly_fields = ["version", "created_at", "updated_at"]
    filter_horizontal = ["shared_with"]
