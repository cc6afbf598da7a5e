from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "steward.deals"
    label = "deals"
