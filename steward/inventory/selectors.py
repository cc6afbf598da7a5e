"""Reads of the taxonomy. Categories describe kinds of data, not people: anyone who classifies
data (a custom field's creator, the data map's reader) may read them all."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from steward.core.errors import NotFound
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import (
    BUILTIN_CATEGORIES,
    RECORD_KEEPING_KEYS,
    category_covers,
    parent_of,
)


@dataclass(frozen=True)
class CategoryNode:
    """A category at its place in the tree, for pages that show the tree."""

    category: DataCategory
    depth: int
    child_count: int


def category_list() -> list[DataCategory]:
    """Every category in tree order: each parent before its children; siblings built in
    first, in the order code lists them (identity, contact, ... special, criminal,
    children), then an operator's by label. Sorted here, not by the database: a collation
    may order "contact.email" and "contacts" either way, and the tree must not depend on it."""
    rows = {row.key: row for row in DataCategory.objects.all()}
    builtin_order = {key: i for i, key in enumerate(BUILTIN_CATEGORIES)}

    def place(key: str) -> tuple[int, str]:
        if key in builtin_order:
            return builtin_order[key], ""
        return len(builtin_order), rows[key].label.casefold() if key in rows else key

    def path(key: str) -> tuple[tuple[int, str], ...]:
        parts = key.split(".")
        return tuple(place(".".join(parts[: i + 1])) for i in range(len(parts)))

    return sorted(rows.values(), key=lambda row: (path(row.key), row.key))


def category_tree() -> list[CategoryNode]:
    """The categories in tree order with their depth and number of direct children."""
    rows = category_list()
    children: dict[str, int] = {}
    for row in rows:
        children[parent_of(row.key)] = children.get(parent_of(row.key), 0) + 1
    return [CategoryNode(row, row.depth, children.get(row.key, 0)) for row in rows]


def category_index() -> dict[str, DataCategory]:
    """Every category by key."""
    return {row.key: row for row in DataCategory.objects.all()}


def category_labels() -> dict[str, str]:
    """Every category's label by key, for pages that name a stored key."""
    return dict(DataCategory.objects.values_list("key", "label"))


def category_get(*, key: str) -> DataCategory:
    try:
        return DataCategory.objects.get(key=key)
    except (DataCategory.DoesNotExist, ValueError, ValidationError):
        raise NotFound(f"No data category {key!r}.") from None


def category_exists(key: str) -> bool:
    return DataCategory.objects.filter(key=key).exists()


def is_custom_field_category(key: str) -> bool:
    """Whether a custom field may be classified under `key`: any category in the taxonomy
    except those that describe Steward's own record-keeping."""
    if any(category_covers(kept, key) for kept in RECORD_KEEPING_KEYS):
        return False
    return category_exists(key)


def custom_field_category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices for a custom field's category, grouped under their top-level category
    ("Contact details" > "Phone number"); a top level is itself a choice, "(other)"."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for row in category_list():
        top = row.key.split(".", 1)[0]
        if top in RECORD_KEEPING_KEYS:
            continue
        if row.key == top:
            groups.setdefault(top, []).insert(0, (row.key, f"{row.label} (other)"))
        else:
            indent = "\u2003" * (row.depth - 1)
            groups.setdefault(top, []).append((row.key, f"{indent}{row.label}"))
    labels = {key: row.label for key, row in category_index().items() if "." not in key}
    return [(labels.get(top, top), options) for top, options in groups.items()]
