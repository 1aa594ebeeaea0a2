from django.contrib import admin
from rest_framework_api_key.admin import APIKeyModelAdmin

from .models import Membership, Organization, OrganizationAPIKey, SocialAccount


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "external_id", "organization", "status", "last_synced_at"]
    list_filter = ["platform", "status", "organization"]
    search_fields = ["name", "external_id"]
    exclude = ["credentials"]  # secrets are set through the command or the API, never shown


@admin.register(OrganizationAPIKey)
class OrganizationAPIKeyAdmin(APIKeyModelAdmin):
    list_display = [*APIKeyModelAdmin.list_display, "organization", "last_used_at"]
    list_filter = ["organization", "revoked"]
