"""Findings on the pages: the contact page's special-category notice and the timeline's
marker, both shown only to roles allowed to see special-category data (Art. 9). Other roles
get an empty string: not the evidence, not that there is any."""

from django import template

from steward.detection.detectors import TAXONOMY_KEY, is_special
from steward.detection.selectors import activity_finding_marks, may_review, special_data_notice
from steward.inventory.taxonomy import BUILTIN_CATEGORIES

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def category_label(category: str) -> str:
    """A detection key as people read it: its taxonomy category's label ("Health")."""
    builtin = BUILTIN_CATEGORIES.get(TAXONOMY_KEY.get(category, ""))
    return builtin.label if builtin else category


@register.filter
def finding_category_label(category: str) -> str:
    return category_label(category)


@register.inclusion_tag("detection/_special_notice.html", takes_context=True)
def special_category_notice(context, contact) -> dict:
    user = _user(context)
    if user is None or not user.is_authenticated or not may_review(user):
        return {"notice": None}
    return {
        "notice": special_data_notice(actor=user, contact=contact),
        "contact": contact,
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def finding_marks(context, activities) -> dict:
    """activity id -> categories of its findings, for every activity of a timeline at once
    (one query); empty for roles that may not see them."""
    user = _user(context)
    if user is None or not user.is_authenticated:
        return {}
    return activity_finding_marks(actor=user, activities=activities)


@register.inclusion_tag("detection/_finding_marker.html", takes_context=True)
def finding_marker(context, activity) -> dict:
    """The marker of one timeline entry; reads the timeline's `finding_marks` when the
    timeline computed them, else asks for this entry alone (a freshly logged note)."""
    marks = context.get("finding_marks")
    if marks is None:
        marks = finding_marks(context, [activity])
    categories = marks.get(str(activity.pk), [])
    special = [c for c in categories if is_special(c)]
    return {
        "activity": activity,
        "categories": [category_label(c) for c in categories],
        "special": [category_label(c) for c in special],
    }
