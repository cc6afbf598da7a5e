"""Merge fields of campaign bodies: `{{ given_name }}` and friends, replaced per recipient.

Deliberately not the Django template language: a body written by staff must not be able to
load tags, read attributes or loop over querysets. Only the names below are known; in the
HTML part every value is escaped, so a name like `<script>` arrives as text."""

from __future__ import annotations

import re
from collections.abc import Mapping

from django.utils.html import escape, linebreaks

FIELDS = {
    "given_name": "The person's given name (or “there” when unknown)",
    "family_name": "The person's family name",
    "full_name": "Given and family name",
    "email": "The address the message goes to",
    "topic": "The topic's name",
    "preferences_url": "The person's preference centre",
    "unsubscribe_url": "One-click unsubscribe from this topic",
}
_FIELD = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def unknown_fields(*texts: str) -> list[str]:
    """Merge fields used in `texts` that do not exist, in order of appearance."""
    found: list[str] = []
    for text in texts:
        for name in _FIELD.findall(text or ""):
            if name not in FIELDS and name not in found:
                found.append(name)
    return found


def render_text(template: str, values: Mapping[str, str]) -> str:
    return _FIELD.sub(lambda m: str(values.get(m.group(1), "")), template)


def render_html(template: str, values: Mapping[str, str]) -> str:
    """`template` is HTML written by staff; the values are escaped."""
    return _FIELD.sub(lambda m: escape(str(values.get(m.group(1), ""))), template)


def html_from_text(template: str) -> str:
    """An HTML body from a plain-text one: the text escaped, paragraphs kept, merge fields
    left in place for `render_html`."""
    return linebreaks(escape(template))
