from django.apps import AppConfig


class RightsConfig(AppConfig):
    name = "steward.rights"
    label = "rights"
    verbose_name = "People's rights requests"
