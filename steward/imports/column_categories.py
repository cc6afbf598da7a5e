"""The data category of each column of an import file (issue 3).

A column the mapping sends into a contact field holds what that field holds: its category
is the field's own in the data map (the `personal(...)` annotation, or a custom field's
recorded category), never a second table. Every other column is categorised from its
header and sample values by steward.detection.columns."""

from dataclasses import dataclass

from steward.detection.columns import (
    ColumnCategory,
    about_a_child,
    are_salutations,
    categorise_columns,
    category_from_values,
    children_birth_dates,
    childrens_file,
    file_language,
)
from steward.imports.column_mapping import CUSTOM_PREFIX
from steward.inventory.data_map import data_map
from steward.inventory.selectors import category_index
from steward.inventory.taxonomy import Sensitivity, category_covers

# Import targets -> (model label, field in the data map) they write into; the rest write
# into the Contact field of their own name. A target that writes into a field holding
# several kinds of value names the kind (a further email is a contact.email inside the
# ContactMethod.value field's "contact"), provided the data map's category covers it.
_TARGET_FIELDS: dict[str, tuple[str, str, str]] = {
    "full_name": ("contacts.Contact", "given_name", ""),
    "extra_email": ("contacts.ContactMethod", "value", "contact.email"),
    "extra_phone": ("contacts.ContactMethod", "value", "contact.phone"),
}


def target_categories() -> dict[str, str]:
    """Every import target key -> the data category the data map gives what it writes."""
    fields = {(row.model, row.field): row.category for row in data_map()}
    from steward.imports.column_mapping import TARGETS

    categories = {}
    for target in TARGETS:
        model, name, kind = _TARGET_FIELDS.get(target.key, ("contacts.Contact", target.key, ""))
        annotated = fields.get((model, name), "")
        categories[target.key] = kind if kind and category_covers(annotated, kind) else annotated
    for (model, name), category in fields.items():
        if model == "contacts.Contact" and name.startswith("custom."):
            categories[CUSTOM_PREFIX + name.removeprefix("custom.")] = category
    return categories


def column_categories(
    headers: list[str],
    samples: list[list[str]],
    mapping: dict[str, str],
    previous: dict[str, dict] | None = None,
) -> dict[str, dict]:
    """Column position (str) -> ColumnCategory.as_dict() for every column of the file.
    `samples` are rows of cells, as read from the file; `previous`: the categories the job
    had before its mapping changed, reused where they still hold (the samples are the same).

    The values are read by the detectors only where they may be free text: columns nothing
    describes, and columns going into custom fields (whose values detection scans once
    imported). A built-in field holds structured values (names, addresses, dates)."""
    by_target = target_categories()
    previous = previous or {}
    language = None
    result = {}
    undescribed: list[tuple[str, tuple[str, list[str]]]] = []
    for position, header in enumerate(headers):
        key = str(position)
        before = previous.get(key)
        target = mapping.get(key, "")
        values = [row[position] for row in samples if position < len(row)]
        if target and by_target.get(target):
            mentions: tuple[str, ...] = ()
            if target.startswith(CUSTOM_PREFIX):
                if before is not None:
                    mentions = tuple(before.get("mentions", ()))
                else:
                    language = language or file_language(headers, samples)
                    mentions = category_from_values(values, language=language).mentions
            suggestion = ColumnCategory(by_target[target], "field", mentions)
            if suggestion.category == "professional.job_title" and are_salutations(values):
                # "Title" went into the job title, but its values are "Mr" and "Dr".
                suggestion = ColumnCategory("identity.name", "values", mentions)
            if about_a_child(header) or (
                suggestion.category == "identity.date_of_birth" and children_birth_dates(values)
            ):
                # "Camper first name" goes into the name field, but what the file holds is
                # a child's name (Art. 8): the person mapping it should know.
                suggestion = ColumnCategory("children", "header", mentions)
        elif before is not None and before.get("source") != "field":
            result[key] = before  # still unmapped: same header, same values
            continue
        else:
            undescribed.append((key, (header, values)))
            continue
        result[key] = suggestion.as_dict()
    if undescribed:
        language = language or file_language(headers, samples)
        found = categorise_columns([column for _, column in undescribed], language=language)
        for (key, _), suggestion in zip(undescribed, found, strict=True):
            result[key] = suggestion.as_dict()
    if childrens_file(headers):
        # A file of children (its columns name a child as whose data they are): a fact
        # about the row nothing names more precisely ("Gruppe", "Uscita autonoma") is a
        # fact about a child.
        for key, found in result.items():
            if found["category"] == "commercial.profile" and found["source"] in (
                "learned",
                "none",
            ):
                result[key] = {**found, "category": "children", "source": "file"}
    return dict(sorted(result.items(), key=lambda item: int(item[0])))


SOURCE_TEXT = {
    "field": "the field it goes into",
    "header": "the column name",
    "values": "the column's values",
    "learned": "labelled columns like it",
    "file": "the file's other columns (a child's data)",
    "none": "",
}


@dataclass(frozen=True)
class ColumnCategoryView:
    """A column's suggested category as the mapping page words it."""

    key: str
    label: str
    sensitivity: str
    source: str
    mentions: tuple[str, ...]

    @property
    def is_special(self) -> bool:
        return self.sensitivity == Sensitivity.SPECIAL

    @property
    def is_criminal(self) -> bool:
        return self.sensitivity == Sensitivity.CRIMINAL


def column_category_views(stored: dict[str, dict], columns: int) -> list[ColumnCategoryView | None]:
    """One view per column position (None where nothing was suggested), with the taxonomy's
    labels and sensitivities (an operator may have raised a category's)."""
    index = category_index()
    views: list[ColumnCategoryView | None] = []
    for position in range(columns):
        entry = stored.get(str(position)) or {}
        key = entry.get("category", "")
        row = index.get(key)
        mentions = tuple(
            index[m].label if m in index else m for m in entry.get("mentions", []) if m != key
        )
        if not key:
            views.append(ColumnCategoryView("", "", "", "", mentions) if mentions else None)
            continue
        views.append(
            ColumnCategoryView(
                key=key,
                label=row.label if row else key,
                sensitivity=row.sensitivity if row else "unknown",
                source=SOURCE_TEXT.get(entry.get("source", ""), ""),
                mentions=mentions,
            )
        )
    return views
