from django.urls import path

from . import budget, views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("platforms/", views.drilldown, name="drilldown"),
    path("content/", views.content, name="content"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/budget/", budget.budget_view, name="budget"),
    path("glossary/", views.glossary, name="glossary"),
    path("content/posts/<int:post_id>/", views.post_detail, name="post_detail"),
    path("data/", views.data_status, name="data_status"),
    path("data/sync/", views.sync_now, name="sync_now"),
    path("data/templates/<slug:kind>.csv", views.import_template, name="import_template"),
    path("organization/", views.switch_organization, name="switch_organization"),
]
