"""The contact page's "Why may I email this person?": the processing gate's decision for
every active purpose, with its reason and evidence, as the viewer may see them (a refusal
that would reveal special-category data is withheld from roles that may not see it)."""

from django import template

from steward.processing.gate import Decision, decisions_for

register = template.Library()


@register.simple_tag(takes_context=True)
def processing_decisions(context, contact) -> list[Decision]:
    """{% processing_decisions contact as decisions %}: marketing purposes first (what
    "may I email this person?" asks about), then the others by name."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    decisions = [d.as_seen_by(user) for d in decisions_for(contact=contact)]
    decisions.sort(key=lambda d: (not d.direct_marketing, d.purpose_name.lower()))
    return decisions


@register.filter
def allowed_count(decisions: list[Decision]) -> int:
    return sum(1 for d in decisions if d.allowed)
