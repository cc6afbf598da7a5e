"""Reads of contacts and organisations, always narrowed to what the actor may see."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from steward.contacts.models import Contact, Organisation
from steward.core.actor import Actor
from steward.core.errors import NotFound
from steward.core.scoping import restrict

# Sort keys offered to people and the API -> the ordering they mean. Each is backed by an
# index so that sorting 100k+ contacts stays an index walk.
CONTACT_SORTS = {
    "name": ("family_name", "given_name", "id"),
    "-name": ("-family_name", "-given_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "email": ("email", "id"),
    "-email": ("-email", "-id"),
}


@dataclass
class ContactFilters:
    """What a contact list is narrowed by; every field optional."""

    search: str = ""
    lifecycle_stage: str = ""
    owner_id: str = ""
    organisation_id: str = ""
    tag: str = ""
    country: str = ""
    sort: str = "name"
    extra: dict = field(default_factory=dict)


def contact_search_q(term: str) -> Q:
    """Matches a name, an email address or an organisation name. An address-like term uses
    the (unique, indexed) email column; words match name prefixes."""
    term = term.strip()
    if not term:
        return Q()
    if "@" in term:
        return Q(email__istartswith=term.lower())
    q = Q()
    for word in term.split()[:4]:
        q &= (
            Q(family_name__istartswith=word)
            | Q(given_name__istartswith=word)
            | Q(email__istartswith=word.lower())
            | Q(organisation__name__istartswith=word)
        )
    return q


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
        qs = qs.filter(tags__name=filters.tag.lower())
    if filters.country:
        qs = qs.filter(country=filters.country.upper())
    return qs.order_by(*CONTACT_SORTS.get(filters.sort, CONTACT_SORTS["name"]))


def contact_get(*, actor: Actor, pk) -> Contact:
    """One contact the actor may see, or NotFound (never tells an outsider it exists)."""
    try:
        return (
            restrict(Contact.objects.all(), actor)
            .select_related("organisation", "owner", "team")
            .prefetch_related("tags", "methods")
            .get(pk=pk)
        )
    except (Contact.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such contact.") from None


def contact_find_by_email(*, actor: Actor, email: str) -> Contact | None:
    return restrict(Contact.objects.all(), actor).filter(email=email.strip().lower()).first()


def organisation_list(*, actor: Actor, search: str = "") -> QuerySet[Organisation]:
    qs = restrict(Organisation.objects.all(), actor).annotate(contact_count=Count("contacts"))
    if search.strip():
        qs = qs.filter(Q(name__icontains=search.strip()) | Q(domain__istartswith=search.strip()))
    return qs.order_by("name")


def organisation_get(*, actor: Actor, pk) -> Organisation:
    try:
        return restrict(Organisation.objects.all(), actor).get(pk=pk)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such organisation.") from None
