from django.apps import AppConfig


class StaffConfig(AppConfig):
    name = "steward.staff"
    label = "staff"

    def ready(self):
        from steward.staff import checks  # noqa: F401  (registers the system checks)
