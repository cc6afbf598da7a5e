"""`{% if user|can:"staff.manage" %}`: templates ask the role table what a user may do,
the same question views and services ask (User.can)."""

from django import template

register = template.Library()


@register.filter
def can(user, permission: str) -> bool:
    return bool(getattr(user, "can", None)) and user.can(permission)
