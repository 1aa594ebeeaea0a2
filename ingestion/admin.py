from django.contrib import admin

from .models import IngestionRun


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ["account", "source", "kind", "window_start", "window_end", "status", "rows_written", "created_at"]
    list_filter = ["status", "source", "account__platform"]
    list_select_related = ["account"]
    search_fields = ["error", "file_name", "account__name"]
    readonly_fields = [f.name for f in IngestionRun._meta.fields]
