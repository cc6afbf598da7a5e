"""Reads of contacts and organisations, always narrowed to what the actor may see."""

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from steward.contacts.choices import ContactMethodKind, CustomFieldType
from steward.contacts.models import (
    Contact,
    ContactMethod,
    CustomFieldDefinition,
    Organisation,
    Tag,
    email_index_of,
    phone_index_of,
)
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.paging import ListPage
from steward.core.personal_data import PersonalSubfield
from steward.core.scoping import restrict
from steward.detection.selectors import contacts_holding_special_data, may_review
from steward.inventory.field_access import Masked, category_facts, guards_of, may_read
from steward.staff.models import User

# Sort keys offered to people and the API -> the ordering they mean. Each is backed by an
# index so that sorting 100k+ contacts stays an index walk. Not by email: the addresses
# are encrypted (decision 0018), so the database cannot order by them.
CONTACT_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
}

# While searching, names are ordered through an expression no index covers. On purpose:
# a search term cannot use an index (it matches either of two columns, case-insensitively),
# and walking the name index row by row looking for the few matches costs several times a
# plain scan followed by a sort of the matches (measured on SQLite at 100k contacts:
# 130-190 ms against 30-45 ms). PostgreSQL plans either form well from its statistics.
_SEARCH_NAME_SORTS = {
    "name": (Lower("family_name"), Lower("given_name"), "id"),
    "-name": (Lower("family_name").desc(), Lower("given_name").desc(), "-id"),
}

CONTACTS_PER_PAGE = 50
# Counting stops here: an exact "50,078 contacts" costs a walk over every one of them on
# each page view, while "more than 10,000" costs a fifth of that at 50k and stays flat.
COUNT_LIMIT = 10_000


@dataclass
class ContactFilters:
    """What a contact list is narrowed by; every field optional."""

    search: str = ""
    lifecycle_stage: str = ""
    owner_id: str = ""
    organisation_id: str = ""
    tag: str = ""
    country: str = ""
    child_status: str = ""  # Art. 8: "child", "adult" or "unknown"
    special_category: bool = False  # Art. 9: marked as holding special-category data
    sort: str = "name"
    extra: dict = field(default_factory=dict)


def _prefix_upper_bound(prefix: str) -> str:
    """The smallest string above every string that starts with `prefix`, so that a prefix
    match can be an index range (`>= prefix AND < bound`)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def _organisations_starting_with(word: str) -> QuerySet[Organisation]:
    """Ids of organisations whose name starts with `word`: a range on the lower-cased name
    index, re-checked with LIKE (a range alone is loose under linguistic collations)."""
    word = word.lower()
    return (
        Organisation.objects.alias(lname=Lower("name"))
        .filter(lname__gte=word, lname__lt=_prefix_upper_bound(word), lname__startswith=word)
        .values("id")
    )


_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]{6,}")


def contact_search_q(term: str) -> Q:
    """Matches a whole email address or phone number (the primary one or a further one), or
    the start of a name or an organisation name. Addresses and numbers are encrypted
    (decision 0018): they are found by their blind index, which answers equality only, so
    "ada@" or "+4930" finds nobody; "Ada@Example.org" and "+49 30 1234567" do."""
    term = term.strip()
    if not term:
        return Q()
    if "@" in term:
        # The explicit non-empty test lets SQLite use the unique index's partial index.
        further = ContactMethod.objects.with_value(ContactMethodKind.EMAIL, term)
        return (~Q(email_index="") & Q(email_index=email_index_of(term))) | Q(
            pk__in=further.values("contact_id")
        )
    if _PHONE_LIKE.fullmatch(term) and sum(ch.isdigit() for ch in term) >= 6:
        further = ContactMethod.objects.with_value(ContactMethodKind.PHONE, term)
        return (~Q(phone_index="") & Q(phone_index=phone_index_of(term))) | Q(
            pk__in=further.values("contact_id")
        )
    words = term.split()
    q = Q()
    for word in words[:4]:
        q &= (
            Q(family_name__istartswith=word)
            | Q(given_name__istartswith=word)
            # A subquery instead of a join: the contact scan needs no join, and the few
            # matching organisations come from the name index.
            | Q(organisation_id__in=_organisations_starting_with(word))
        )
    if len(words) > 1:
        # "harbour f" also means the start of a many-word organisation name.
        q |= Q(organisation_id__in=_organisations_starting_with(" ".join(words)))
    return q


def _names_searched(term: str) -> bool:
    term = term.strip()
    return bool(term) and "@" not in term and not _PHONE_LIKE.fullmatch(term)


def _contact_ordering(filters: ContactFilters) -> tuple:
    sort = filters.sort if filters.sort in CONTACT_SORTS else "name"
    if _names_searched(filters.search) and sort in _SEARCH_NAME_SORTS:
        return _SEARCH_NAME_SORTS[sort]
    return CONTACT_SORTS[sort]


def contact_list(*, actor: Actor, filters: ContactFilters | None = None) -> QuerySet[Contact]:
    """Contacts the actor may see, filtered and sorted; paginate the result."""
    filters = filters or ContactFilters()
    qs = restrict(Contact.objects.all(), actor).select_related("organisation", "owner")
    qs = qs.filter(contact_search_q(filters.search))
    if filters.lifecycle_stage:
        qs = qs.filter(lifecycle_stage=filters.lifecycle_stage)
    if filters.owner_id:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.organisation_id:
        qs = qs.filter(organisation_id=filters.organisation_id)
    if filters.tag:
        qs = qs.filter(tags__name=filters.tag.strip().lower())
    if filters.country:
        qs = qs.filter(country=filters.country.upper())
    if filters.child_status:
        qs = qs.filter(child_status=filters.child_status)
    # Only for roles that may see special-category data: for any other, the filter would
    # tell what the contact page does not show them, so it is ignored.
    if filters.special_category and may_review(actor):
        qs = qs.filter(pk__in=contacts_holding_special_data())
    return qs.order_by(*_contact_ordering(filters))


class ContactPage(ListPage):
    """One page of a contact list. A search page says only whether more follow (counting
    every match costs as much as a second search) unless the matches end on this page; a
    count stops at COUNT_LIMIT, past which `more_than` says so."""

    @property
    def contacts(self) -> list[Contact]:
        return self.rows


def contact_page(
    *,
    actor: Actor,
    filters: ContactFilters | None = None,
    number: int = 1,
    per_page: int = CONTACTS_PER_PAGE,
) -> ContactPage:
    """One page of `contact_list`, with its tags, in a fixed number of queries whatever the
    table's size: the page's ids (one more than shown, to know whether another follows),
    its rows and tags, and a count of the filtered contact table (up to COUNT_LIMIT) when
    no search term is given."""
    filters = filters or ContactFilters()
    number = max(1, number)
    qs = contact_list(actor=actor, filters=filters)
    offset = (number - 1) * per_page
    # Find the page's ids on the contact table alone, then load those rows with their
    # organisation and owner: joining before the sort would join every match, not fifty.
    ids = list(qs.values_list("pk", flat=True)[offset : offset + per_page + 1])
    has_next = len(ids) > per_page
    ids = ids[:per_page]
    loaded = Contact.objects.select_related("organisation", "owner").prefetch_related("tags")
    by_id = {contact.pk: contact for contact in loaded.filter(pk__in=ids)}
    contacts = [by_id[pk] for pk in ids if pk in by_id]
    total: int | None = None
    more_than: int | None = None
    if not has_next and (contacts or number == 1):
        total = offset + len(contacts)
    elif not filters.search.strip():
        counted = qs.order_by().values("pk")[: COUNT_LIMIT + 1].count()
        if counted > COUNT_LIMIT:
            more_than = COUNT_LIMIT
        else:
            total = counted
    return ContactPage(
        rows=contacts,
        number=number,
        per_page=per_page,
        has_next=has_next,
        total=total,
        more_than=more_than,
    )


def contact_get(*, actor: Actor, pk) -> Contact:
    """One contact the actor may see, or NotFound (never tells an outsider it exists)."""
    try:
        return (
            restrict(Contact.objects.all(), actor)
            .select_related("organisation", "owner", "team")
            .prefetch_related("tags", "methods")
            .get(pk=pk)
        )
    except (Contact.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such contact.") from None


def contact_find_by_email(*, actor: Actor, email: str) -> Contact | None:
    """The visible contact whose primary address is `email`, in any case."""
    return restrict(Contact.objects.with_email(email), actor).first()


def _organisation_search_q(search: str) -> Q:
    search = search.strip()
    if not search:
        return Q()
    return Q(name__icontains=search) | Q(domain__istartswith=search)


def organisation_list(*, actor: Actor, search: str = "") -> QuerySet[Organisation]:
    qs = restrict(Organisation.objects.all(), actor).annotate(contact_count=Count("contacts"))
    return qs.filter(_organisation_search_q(search)).order_by("name")


class OrganisationPage(ListPage):
    """One page of organisations, each with `contact_count` set."""

    @property
    def organisations(self) -> list[Organisation]:
        return self.rows


def organisation_page(
    *, actor: Actor, search: str = "", number: int = 1, per_page: int = 50
) -> OrganisationPage:
    """One page of the organisations the actor may see, by name. Contacts are counted for
    the page's rows only: grouping every organisation's contacts to show fifty is the cost
    that grows with the database."""
    number = max(1, number)
    qs = restrict(Organisation.objects.all(), actor).filter(_organisation_search_q(search))
    qs = qs.select_related("owner").order_by("name", "id")
    offset = (number - 1) * per_page
    rows = list(qs[offset : offset + per_page + 1])
    organisations = rows[:per_page]
    counts = dict(
        Contact.objects.filter(organisation__in=[o.pk for o in organisations])
        .values_list("organisation")
        .annotate(n=Count("id"))
        .order_by()
    )
    for organisation in organisations:
        organisation.contact_count = counts.get(organisation.pk, 0)
    has_next = len(rows) > per_page
    total = offset + len(organisations) if not has_next else qs.count()
    return OrganisationPage(
        rows=organisations,
        number=number,
        per_page=per_page,
        has_next=has_next,
        total=total,
    )


def organisation_get(*, actor: Actor, pk) -> Organisation:
    try:
        return restrict(Organisation.objects.all(), actor).select_related("owner").get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such organisation.") from None


def organisation_label(organisation: Organisation) -> str:
    """How an organisation is written in the organisation chooser: its name, with its
    domain when it has one (two organisations may share a name, rarely a domain)."""
    if organisation.domain:
        return f"{organisation.name} ({organisation.domain})"
    return organisation.name


def organisation_choices(*, actor: Actor, text: str, limit: int = 20) -> list[Organisation]:
    """Organisations the actor may see whose name starts with `text` (the chooser's
    suggestions), found through the lower-cased name index."""
    text = text.strip()
    if not text:
        return []
    # What was picked before comes back as "Name (domain)": suggest by the name part.
    name = text.rsplit(" (", 1)[0] if text.endswith(")") else text
    qs = restrict(Organisation.objects.all(), actor).filter(
        id__in=_organisations_starting_with(name)
    )
    return list(qs.order_by("name", "id")[:limit])


def organisation_find_by_label(*, actor: Actor, label: str) -> list[Organisation]:
    """The visible organisations a chooser entry means: "Name (domain)" as the chooser
    writes it, or a bare name (case-insensitive). More than one means it is ambiguous."""
    label = label.strip()
    visible = restrict(Organisation.objects.all(), actor)
    if label.endswith(")") and " (" in label:
        name, domain = label[:-1].rsplit(" (", 1)
        matches = list(visible.filter(name__iexact=name.strip(), domain__iexact=domain.strip()))
        if matches:
            return matches
    return list(visible.filter(name__iexact=label)[:5])


def custom_field_definitions() -> QuerySet[CustomFieldDefinition]:
    """The custom fields of contacts, in the order forms and pages show them."""
    return CustomFieldDefinition.objects.order_by("position", "label")


def custom_field_guards() -> dict[str, frozenset[str]]:
    """Custom field key -> the grants reading its values needs (from the category its
    creator gave it: special-category, criminal, children's data, national IDs)."""
    facts = category_facts()
    return {
        key: guards_of(category, facts)
        for key, category in CustomFieldDefinition.objects.values_list("key", "category")
    }


def custom_fields_hidden_from(
    actor: Actor, guards: dict[str, frozenset[str]] | None = None
) -> dict[str, frozenset[str]]:
    """The custom fields `actor` may neither read nor change, with the grants they lack."""
    guards = custom_field_guards() if guards is None else guards
    return {key: needed for key, needed in guards.items() if not may_read(actor, needed)}


def custom_values_for(
    actor: Actor | None,
    custom: dict,
    *,
    hidden: dict[str, frozenset[str]] | None = None,
    as_text: bool = False,
) -> dict:
    """`custom` as `actor` may see it: a value of a guarded field is replaced by Masked (by
    its text with `as_text`, for exports). Pass `hidden` (custom_fields_hidden_from) when
    masking many contacts; `actor` is then not needed."""
    if hidden is None:
        if actor is None:
            raise TypeError("custom_values_for needs an actor or hidden=")
        hidden = custom_fields_hidden_from(actor)
    if not hidden:
        return custom
    masked = {key: Masked(guards) for key, guards in hidden.items()}
    if as_text:
        masked = {key: str(value) for key, value in masked.items()}
    return {key: masked.get(key, value) for key, value in custom.items()}


def custom_field_personal_data() -> list[PersonalSubfield]:
    """The custom fields as the data map lists them, each with the category its creator
    gave it (Contact.custom names this function). A text field may hold anything typed
    into it, so it counts as free text."""
    return [
        PersonalSubfield(
            key=d.key,
            verbose_name=d.label,
            category=d.category,
            free_text=d.field_type == CustomFieldType.TEXT,
        )
        for d in custom_field_definitions()
    ]


def tag_names(*, limit: int = 500) -> list[str]:
    """Tag names to suggest (tags are shared labels, not scoped records)."""
    return list(Tag.objects.order_by("name").values_list("name", flat=True)[:limit])


def assignable_owners() -> QuerySet[User]:
    """Staff who can own a contact or organisation: every active user."""
    return User.objects.filter(is_active=True).select_related("team").order_by("full_name")


def custom_field_get(*, pk) -> CustomFieldDefinition:
    """One custom field definition (shared set-up, not a scoped record), or NotFound."""
    try:
        return CustomFieldDefinition.objects.get(pk=pk)
    except (CustomFieldDefinition.DoesNotExist, ValueError, TypeError, ValidationError):
        raise NotFound("No such custom field.") from None


def custom_field_value_count(definition: CustomFieldDefinition) -> int:
    """How many contacts hold a value for the field, all of them whoever asks: deleting a
    field removes every contact's value, and the person deciding must know how many."""
    return Contact.objects.filter(custom__has_key=definition.key).count()
