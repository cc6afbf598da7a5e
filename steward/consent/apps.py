from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "steward.consent"
    label = "consent"
    verbose_name = "Consent ledger"
