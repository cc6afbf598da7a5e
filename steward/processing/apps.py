from django.apps import AppConfig


class ProcessingConfig(AppConfig):
    name = "steward.processing"
    label = "processing"
    verbose_name = "Lawful processing"
