from django.apps import AppConfig


class IngestionConfig(AppConfig):
    name = "ingestion"
    verbose_name = "数据采集"

    def ready(self):
        # Every platform module registers its connector in REGISTRY when imported.
        from .connectors import load_all  # noqa: F401
