from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from socialmetrics.health import health

urlpatterns = [
    path("healthz", health, name="health"),
    path("api/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("alerts/", include("alerts.urls")),
    path("reports/", include("reports.urls")),
    path("comments/", include("comments.urls")),
    path("", include("dashboards.urls")),
]

handler400 = "socialmetrics.errors.bad_request"
handler403 = "socialmetrics.errors.permission_denied"
handler404 = "socialmetrics.errors.page_not_found"
handler500 = "socialmetrics.errors.server_error"
