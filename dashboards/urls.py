from django.urls import path

from . import budget, status_views, views

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
    path("data/runs/<int:run_id>/", status_views.run_detail, name="run_detail"),
    path("data/runs/<int:run_id>/retry/", status_views.run_retry, name="run_retry"),
    path("data/schedule/", status_views.schedule_update, name="schedule_update"),
    path("data/accounts/<int:account_id>/reauth/", status_views.reauth_start, name="reauth_start"),
    path("data/reauth/callback/", status_views.reauth_callback, name="reauth_callback"),
    path("data/templates/<slug:kind>.csv", views.import_template, name="import_template"),
    path("organization/", views.switch_organization, name="switch_organization"),
]
