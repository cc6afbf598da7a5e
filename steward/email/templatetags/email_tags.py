"""The contact page's list of the person's email subscriptions (read like their consents:
everyone who may see the person, RECORD_READ "email.Subscription")."""

from django import template

from steward.email.selectors import subscriptions_of

register = template.Library()


@register.simple_tag
def subscriptions_of_contact(contact):
    return subscriptions_of(contact)
