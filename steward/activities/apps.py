from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "steward.activities"
    label = "activities"
