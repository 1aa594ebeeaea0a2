from django.contrib import admin

from .models import AccountDailyMetric, Campaign, CampaignDailyMetric, Post, PostDailyMetric


@admin.register(AccountDailyMetric)
class AccountDailyMetricAdmin(admin.ModelAdmin):
    list_display = ["account", "date", "followers", "followers_gained", "views", "likes", "comments", "shares"]
    list_filter = ["account__platform", "account__organization"]
    date_hierarchy = "date"
    list_select_related = ["account"]
    raw_id_fields = ["account"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "account", "kind", "published_at"]
    list_filter = ["account__platform", "kind"]
    search_fields = ["title", "external_id"]
    list_select_related = ["account"]
    raw_id_fields = ["account"]


@admin.register(PostDailyMetric)
class PostDailyMetricAdmin(admin.ModelAdmin):
    list_display = ["post", "date", "views", "likes", "comments", "shares", "completion_rate"]
    date_hierarchy = "date"
    list_select_related = ["post"]
    raw_id_fields = ["post"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "platform", "organization", "start", "end", "budget"]
    list_filter = ["platform", "organization"]
    search_fields = ["name"]


@admin.register(CampaignDailyMetric)
class CampaignDailyMetricAdmin(admin.ModelAdmin):
    list_display = ["campaign", "account", "date", "spend", "impressions", "clicks", "conversions", "revenue"]
    list_filter = ["campaign__platform"]
    date_hierarchy = "date"
    list_select_related = ["campaign", "account"]
    raw_id_fields = ["campaign", "account"]
