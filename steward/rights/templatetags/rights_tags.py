"""The contact page's list of the person's privacy requests, for those who may see them."""

from django import template

from steward.rights.selectors import requests_of_contact as _requests_of_contact

register = template.Library()


@register.simple_tag(takes_context=True)
def requests_of_contact(context, contact):
    user = context["request"].user
    if not user.can("rights.view"):
        return None
    return list(_requests_of_contact(actor=user, contact=contact)[:20])
