"""The REST API under /api/: v1 endpoints, the OpenAPI schema and its Swagger UI (local static files)."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from api import alerts, budget, comments, reports, views

router = SimpleRouter()
router.register("accounts", views.AccountViewSet, basename="account")
router.register(r"accounts/(?P<account_pk>\d+)/metrics", views.AccountMetricViewSet, basename="account-metrics")
router.register("posts", views.PostViewSet, basename="post")
router.register("campaigns", views.CampaignViewSet, basename="campaign")
router.register("ingestion-runs", views.IngestionRunViewSet, basename="ingestion-run")
router.register("api-keys", views.APIKeyViewSet, basename="api-key")
router.register("alert-rules", alerts.AlertRuleViewSet, basename="alert-rule")
router.register("alerts", alerts.AlertViewSet, basename="alert")
router.register("report-schedules", reports.ReportScheduleViewSet, basename="report-schedule")
router.register("reports", reports.ReportViewSet, basename="report")
router.register("comments", comments.CommentViewSet, basename="comment")
router.register("comment-topic-words", comments.TopicWordViewSet, basename="comment-topic-word")

app_name = "api"
urlpatterns = [
    path("v1/kpis/", views.KpiView.as_view(), name="kpis"),
    path("v1/budget-plan/", budget.BudgetPlanView.as_view(), name="budget-plan"),
    path("v1/comment-topics/", comments.CommentTopicsView.as_view(), name="comment-topics"),
    path("v1/comment-sentiment/", comments.CommentSentimentView.as_view(), name="comment-sentiment"),
    path("v1/accounts/<int:account_pk>/comment-policy/", comments.CommentPolicyView.as_view(), name="comment-policy"),
    path("v1/import-templates/<str:kind>/", views.ImportTemplateView.as_view(), name="import-template"),
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[AllowAny]), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[AllowAny]), name="docs"),
    # Last: anything else under v1/ ending in a slash is a JSON 404 (unslashed paths still get redirected).
    re_path(r"^v1/(?:.*/)?$", views.NotFoundView.as_view()),
]
