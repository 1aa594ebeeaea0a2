from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "告警"

    def ready(self):
        from . import signals  # noqa: F401  (evaluates alerts after each nightly sync)
