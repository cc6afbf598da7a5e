from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "steward.inventory"
    label = "inventory"

    def ready(self):
        from steward.inventory import checks  # noqa: F401  (registers the checks)
