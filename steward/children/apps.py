from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "steward.children"
    label = "children"
