from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "steward.detection"
    label = "detection"
    verbose_name = "Personal data in free text"

    def ready(self):
        from steward.detection import checks  # noqa: F401  (registers the checks)
