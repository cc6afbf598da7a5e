from django.apps import AppConfig


class EmailConfig(AppConfig):
    name = "steward.email"
    label = "email"
    verbose_name = "Email: topics, double opt-in, campaigns"
