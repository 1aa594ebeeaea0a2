from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.reports_page, name="index"),
    path("view/", views.report_view, name="view"),
    path("build/", views.window_build, name="build"),
    path("schedules/<int:schedule_id>/send/", views.schedule_send, name="schedule_send"),
    path("schedules/<int:schedule_id>/delete/", views.schedule_delete, name="schedule_delete"),
    path("<int:report_id>/<str:fmt>/", views.report_download, name="download"),
]
