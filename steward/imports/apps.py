from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "steward.imports"
    label = "imports"
