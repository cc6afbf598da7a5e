from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "steward.contacts"
    label = "contacts"
