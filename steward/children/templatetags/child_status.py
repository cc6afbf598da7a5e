"""The child-status badge of a contact (Art. 8), shown next to the name."""

from django import template

from steward.children.choices import ChildStatus
from steward.children.selectors import consent_age_of

register = template.Library()


@register.inclusion_tag("children/_child_status_badge.html")
def child_status_badge(contact) -> dict:
    """A child's badge names the age and country that make them one; an unknown age has a
    badge of its own (it is never read as adult); an adult has none."""
    status = contact.child_status
    return {
        "contact": contact,
        "status": status,
        "is_child": status == ChildStatus.CHILD,
        "is_unknown": status == ChildStatus.UNKNOWN,
        # Only a child's badge states the age: one small query, on that page only.
        "consent_age": consent_age_of(contact.country.code)
        if status == ChildStatus.CHILD
        else None,
    }
