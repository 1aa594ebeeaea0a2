from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("", views.alerts_page, name="index"),
    path("rules/<int:rule_id>/test/", views.rule_test, name="rule_test"),
    path("rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
]
