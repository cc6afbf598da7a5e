"""The timeline's masking of notes a role may not read (see activities.selectors)."""

from django import template

from steward.activities.selectors import activity_mask as mask_of

register = template.Library()


@register.filter
def activity_mask(activity):
    """The Masked that replaces `activity`'s subject and body, or None."""
    return mask_of(activity)


@register.filter
def shown_subject(activity) -> str:
    """The subject as the reader may see it, for lists that show only the subject."""
    mask = mask_of(activity)
    if mask is not None:
        return str(mask)
    return activity.subject or "(no subject)"
