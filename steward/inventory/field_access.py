"""Field-level access (Art. 32; Art. 9 and 10; Art. 8): special-category data, criminal
offence data, children's data and national identifiers are shown only to roles granted them.
Everywhere else (pages, API responses, exports, search results, activity feeds) they are
masked.

One mechanism, derived from the data map: what a value needs is read from its data category
(sensitivity, the children flag, the national-ID branch), never listed per view. A field's
category comes from its annotation (steward.core.personal_data), a custom field's from its
definition, and a note's from the standing findings of detection about it. Operator-added
categories are covered through the DataCategory table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from steward.core.actor import Actor, SystemActor
from steward.inventory.models import DataCategory
from steward.inventory.taxonomy import BUILTIN_CATEGORIES, Sensitivity, ancestors, category_covers

SPECIAL_CATEGORY_VIEW = "special_category.view"
CRIMINAL_VIEW = "criminal.view"
CHILDREN_VIEW = "children.view"
NATIONAL_ID_VIEW = "national_id.view"
NATIONAL_ID_KEY = "identity.national_id"

# The grant each guarded kind of data needs, and how a masked value names it.
GUARDS: dict[str, str] = {
    SPECIAL_CATEGORY_VIEW: "special-category data",
    CRIMINAL_VIEW: "criminal-offence data",
    CHILDREN_VIEW: "children's data",
    NATIONAL_ID_VIEW: "a national identifier",
}


@dataclass(frozen=True)
class CategoryFacts:
    sensitivity: str
    concerns_children: bool


def category_facts() -> dict[str, CategoryFacts]:
    """Every category's sensitivity and children flag, built-in ones without a query's
    help (the table may be empty before the first migrate's sync)."""
    facts = {
        key: CategoryFacts(c.sensitivity, c.concerns_children)
        for key, c in BUILTIN_CATEGORIES.items()
    }
    for key, sensitivity, children in DataCategory.objects.values_list(
        "key", "sensitivity", "concerns_children"
    ):
        facts[key] = CategoryFacts(sensitivity, children)
    return facts


def guards_of(key: str, facts: dict[str, CategoryFacts] | None = None) -> frozenset[str]:
    """The grants needed to read a value of category `key` (none for ordinary data). The
    children flag is inherited: a category inside a children's one concerns children."""
    if not key:
        return frozenset()
    facts = facts if facts is not None else category_facts()
    needed = set()
    own = facts.get(key)
    if own is not None and own.sensitivity == Sensitivity.SPECIAL:
        needed.add(SPECIAL_CATEGORY_VIEW)
    if own is not None and own.sensitivity == Sensitivity.CRIMINAL:
        needed.add(CRIMINAL_VIEW)
    if any(facts.get(k) and facts[k].concerns_children for k in (key, *ancestors(key))):
        needed.add(CHILDREN_VIEW)
    if category_covers(NATIONAL_ID_KEY, key):
        needed.add(NATIONAL_ID_VIEW)
    return frozenset(needed)


def may_read(actor: Actor, guards: Iterable[str]) -> bool:
    """Whether `actor` holds every grant in `guards`. System actors (the worker, commands
    run on the server) read everything; access exports for the person use that."""
    if isinstance(actor, SystemActor):
        return True
    return all(actor.can(permission) for permission in guards)


@dataclass(frozen=True)
class Masked:
    """What is shown instead of a value the reader may not see: why, never the value."""

    guards: frozenset[str]

    @property
    def reason(self) -> str:
        kinds = [GUARDS[g] for g in sorted(self.guards)]
        return " and ".join(kinds)

    def __str__(self) -> str:
        return f"Restricted ({self.reason})"


def mask_if_guarded(actor: Actor, value, guards: frozenset[str]):
    """`value`, or a Masked in its place when `actor` lacks one of `guards`."""
    if not guards or may_read(actor, guards):
        return value
    return Masked(guards)
