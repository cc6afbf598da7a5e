"""/contacts: people, with their further emails and phones, tags and custom fields."""

from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from steward.api.errors import errors
from steward.api.pagination import changed_since, paginate
from steward.api.references import with_records
from steward.api.routers.processing import unknown_purpose
from steward.api.schemas import (
    ContactIn,
    ContactListParams,
    ContactOut,
    ContactPage,
    ContactPatch,
    PageParams,
    Text,
)
from steward.api.services import contact_methods_set
from steward.audit.reads import audited_page
from steward.contacts.choices import ContactMethodKind
from steward.contacts.selectors import ContactFilters, contact_get, contact_list
from steward.contacts.services import contact_create, contact_delete, contact_update
from steward.processing.errors import UnknownPurpose
from steward.processing.gate import contacts_allowed, exclusions, exclusions_as_seen_by

router = Router(tags=["contacts"])

_METHOD_LISTS = {
    "additional_emails": ContactMethodKind.EMAIL,
    "additional_phones": ContactMethodKind.PHONE,
}


def _split(request: HttpRequest, payload: ContactIn) -> tuple[dict, list[str] | None, dict]:
    """The body as (contact fields with records for ids, tags, further emails/phones)."""
    data = payload.model_dump(exclude_unset=True)
    tags = data.pop("tags", None)
    methods = {key: data.pop(key) for key in _METHOD_LISTS if key in data}
    return with_records(request.auth, data), tags, methods


def _set_methods(request: HttpRequest, contact, methods: dict) -> None:
    for key, items in methods.items():
        contact_methods_set(
            actor=request.auth, contact=contact, kind=_METHOD_LISTS[key], methods=items
        )


class PurposeParams(Schema):
    purpose: Text(50) = Field(
        "",
        description="Read for this purpose of the register (its key): only the people the "
        "processing gate allows for it are returned, and `excluded` says how many were "
        "left out and why. Integrations that feed another system (a mailing tool, an "
        "analytics store) must name their purpose.",
    )


class ContactGatedPage(ContactPage):
    purpose: str | None = Field(None, description="The purpose asked for, if any")
    excluded_count: int | None = Field(
        None, description="With `purpose`: matching people left out by the processing gate"
    )
    excluded: dict[str, int] | None = Field(
        None, description="With `purpose`: how many were left out for each reason code"
    )


@router.get("", response={200: ContactGatedPage, **errors(422)})
def list_contacts(
    request: HttpRequest,
    filters: Query[ContactListParams],
    page: Query[PageParams],
    gate: Query[PurposeParams],
):
    """Contacts you may see, filtered, sorted and a page at a time; with `purpose`, only
    those who may be processed for it."""
    queryset = contact_list(
        actor=request.auth,
        filters=ContactFilters(
            search=filters.search,
            lifecycle_stage=filters.lifecycle_stage or "",
            owner_id=str(filters.owner or ""),
            organisation_id=str(filters.organisation or ""),
            tag=filters.tag,
            country=filters.country,
            child_status=filters.child_status or "",
            sort=filters.sort,
        ),
    )
    queryset = changed_since(queryset, filters)
    if not gate.purpose:
        page_read = paginate(request, queryset.prefetch_related("tags", "methods"), page)
        return audited_page(request, "contacts.contact", page_read)
    try:
        allowed = contacts_allowed(gate.purpose, queryset=queryset)
        excluded = exclusions_as_seen_by(exclusions(gate.purpose, queryset), request.auth)
    except UnknownPurpose as error:
        raise unknown_purpose(error) from None
    return {
        **audited_page(
            request,
            "contacts.contact",
            paginate(request, allowed.prefetch_related("tags", "methods"), page),
            purpose=gate.purpose,
        ),
        "purpose": gate.purpose,
        "excluded_count": sum(excluded.values()),
        "excluded": excluded,
    }


@router.post("", response={201: ContactOut, **errors(403, 409, 422)})
def create_contact(request: HttpRequest, payload: ContactIn):
    """Creates a contact; without `source` it is recorded as coming from the API."""
    data, tags, methods = _split(request, payload)
    data.setdefault("source", payload.source)
    with transaction.atomic():
        contact = contact_create(actor=request.auth, data=data, tags=tags)
        _set_methods(request, contact, methods)
    return Status(201, contact)


@router.get("/{contact_id}", response={200: ContactOut, **errors(404, 422)})
def get_contact(request: HttpRequest, contact_id: UUID):
    """One contact."""
    return contact_get(actor=request.auth, pk=contact_id)


@router.patch("/{contact_id}", response={200: ContactOut, **errors(403, 404, 409, 422)})
def update_contact(request: HttpRequest, contact_id: UUID, payload: ContactPatch):
    """Changes the fields sent; the audit trail keeps the old and new values."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    data, tags, methods = _split(request, payload)
    with transaction.atomic():
        contact = contact_update(actor=request.auth, contact=contact, data=data, tags=tags)
        _set_methods(request, contact, methods)
    return contact


@router.delete("/{contact_id}", response={204: None, **errors(403, 404, 422)})
def delete_contact(request: HttpRequest, contact_id: UUID):
    """Deletes a contact and its timeline."""
    contact = contact_get(actor=request.auth, pk=contact_id)
    contact_delete(actor=request.auth, contact=contact)
    return Status(204, None)
