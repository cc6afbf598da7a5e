from django.apps import AppConfig


class ErasureConfig(AppConfig):
    name = "steward.erasure"
    label = "erasure"
    verbose_name = "Erasure (Art. 17)"
