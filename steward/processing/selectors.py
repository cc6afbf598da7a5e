"""Reads of the register: purposes, recipients, and what each data category is processed for
and sent to (the data map's "where it goes"). The register describes processing, not people:
anyone who may read it reads all of it; restrictions and objections are read with the person."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from steward.core.errors import NotFound
from steward.inventory.models import DataCategory
from steward.inventory.selectors import category_index
from steward.inventory.taxonomy import BUILTIN_CATEGORIES, Sensitivity, category_covers
from steward.processing.errors import UnknownPurpose
from steward.processing.models import (
    LawfulBasis,
    Objection,
    Purpose,
    Recipient,
    RecipientKind,
    RecipientStatus,
    Restriction,
)


def purpose_get(key: str) -> Purpose:
    """The purpose with this key; UnknownPurpose when the register has none."""
    try:
        return Purpose.objects.get(key=key)
    except (Purpose.DoesNotExist, ValueError):
        raise UnknownPurpose(key) from None


def purposes_active() -> QuerySet[Purpose]:
    """The purposes in force, by name: what the gate decides and the record lists."""
    return Purpose.objects.filter(active=True)


def purpose_list() -> QuerySet[Purpose]:
    """Every purpose, active ones first, with the recipients each sends data to."""
    return Purpose.objects.order_by("-active", "name").prefetch_related(
        Prefetch("recipients", queryset=Recipient.objects.order_by("name"))
    )


def recipient_list() -> QuerySet[Recipient]:
    """Every recipient, with the purposes it serves."""
    return Recipient.objects.prefetch_related(
        Prefetch("purposes", queryset=Purpose.objects.order_by("name"))
    )


def recipient_get(pk) -> Recipient:
    try:
        return recipient_list().get(pk=pk)
    except (Recipient.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such recipient.") from None


def recipients_receiving(purpose: Purpose) -> list[Recipient]:
    """The active recipients the purpose's data goes to."""
    return [r for r in purpose.recipients.all() if r.status == RecipientStatus.ACTIVE]


def restrictions_active(contact) -> QuerySet[Restriction]:
    """Art. 18: the person's restrictions not yet lifted."""
    return Restriction.objects.filter(contact=contact, lifted_at__isnull=True)


def objections_of(contact) -> QuerySet[Objection]:
    return Objection.objects.filter(contact=contact).select_related("purpose")


# -- Sensitivity, through the inventory's taxonomy -----------------------------------------


def _sensitivity(key: str, taxonomy: dict[str, DataCategory]) -> str:
    row = taxonomy.get(key)
    if row is not None:
        return row.sensitivity
    builtin = BUILTIN_CATEGORIES.get(key)
    return builtin.sensitivity if builtin is not None else ""


def special_categories_in(
    keys: Iterable[str], taxonomy: dict[str, DataCategory] | None = None
) -> list[str]:
    """The keys among `keys` that are special-category data (Art. 9) or contain a category
    that is ("commercial" holds an operator's special "commercial.dietary_needs"): a purpose
    listing them processes special-category data and needs an Art. 9(2) condition."""
    taxonomy = category_index() if taxonomy is None else taxonomy
    special = [k for k, row in taxonomy.items() if row.sensitivity == Sensitivity.SPECIAL]
    return [
        key
        for key in keys
        if _sensitivity(key, taxonomy) == Sensitivity.SPECIAL
        or any(category_covers(key, inner) for inner in special)
    ]


# -- Where each category goes (the data map's last column) ---------------------------------


@dataclass(frozen=True)
class PurposeUse:
    """A purpose a field is processed for, with its basis and retention rule."""

    key: str
    name: str
    lawful_basis: str
    retention: str

    @property
    def basis_label(self) -> str:
        return LawfulBasis(self.lawful_basis).label


@dataclass(frozen=True)
class RecipientUse:
    """A recipient a field is sent to, and where it is."""

    name: str
    kind: str
    countries: tuple[str, ...]

    @property
    def kind_label(self) -> str:
        return RecipientKind(self.kind).label


@dataclass(frozen=True)
class DataFlows:
    """The active purposes and recipients with the categories each covers, read once; a
    category's flows are those whose keys cover it (a parent key covers its children)."""

    purposes: tuple[tuple[PurposeUse, tuple[str, ...]], ...]
    recipients: tuple[tuple[RecipientUse, tuple[str, ...]], ...]

    def purposes_for(self, category: str) -> tuple[PurposeUse, ...]:
        return tuple(
            use for use, keys in self.purposes if any(category_covers(k, category) for k in keys)
        )

    def recipients_for(self, category: str) -> tuple[RecipientUse, ...]:
        return tuple(
            use for use, keys in self.recipients if any(category_covers(k, category) for k in keys)
        )


def data_flows() -> DataFlows:
    """What the register says about every category: two queries, whatever the map's size."""
    purposes = tuple(
        (
            PurposeUse(p.key, p.name, p.lawful_basis, p.retention_rule),
            tuple(p.data_categories or ()),
        )
        for p in purposes_active()
    )
    recipients = tuple(
        (
            RecipientUse(r.name, r.kind, tuple(str(c) for c in r.countries)),
            tuple(r.data_categories or ()),
        )
        for r in Recipient.objects.filter(status=RecipientStatus.ACTIVE)
    )
    return DataFlows(purposes, recipients)
