from django.apps import AppConfig


class ProcessingConfig(AppConfig):
    name = "steward.processing"
    label = "processing"
    verbose_name = "Lawful processing"

    def ready(self):
        from steward.processing import checks  # noqa: F401  (registers the checks)
