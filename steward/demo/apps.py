from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Trying Steward out: invented demo data and `steward run`, the all-in-one start that
    `make run` calls. At the top of the app layers: it uses every domain's services."""

    name = "steward.demo"
    label = "demo"
