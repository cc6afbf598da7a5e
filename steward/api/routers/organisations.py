"""/organisations: the companies and institutions contacts work for."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from steward.api.errors import errors
from steward.api.pagination import changed_since, paginate
from steward.api.references import with_records
from steward.api.schemas import (
    OrganisationIn,
    OrganisationListParams,
    OrganisationOut,
    OrganisationPage,
    OrganisationPatch,
    PageParams,
)
from steward.audit.reads import audited_page
from steward.contacts.selectors import organisation_get, organisation_list
from steward.contacts.services import (
    organisation_create,
    organisation_delete,
    organisation_update,
)

router = Router(tags=["organisations"])


@router.get("", response={200: OrganisationPage, **errors(422)})
def list_organisations(
    request: HttpRequest, filters: Query[OrganisationListParams], page: Query[PageParams]
):
    """Organisations you may see, by name, a page at a time."""
    queryset = organisation_list(actor=request.auth, search=filters.search)
    queryset = changed_since(queryset, filters).order_by("name", "id")
    return audited_page(request, "contacts.organisation", paginate(request, queryset, page))


@router.post("", response={201: OrganisationOut, **errors(403, 409, 422)})
def create_organisation(request: HttpRequest, payload: OrganisationIn):
    """Creates an organisation."""
    data = with_records(request.auth, payload.model_dump(exclude_unset=True))
    return Status(201, organisation_create(actor=request.auth, data=data))


@router.get("/{organisation_id}", response={200: OrganisationOut, **errors(404, 422)})
def get_organisation(request: HttpRequest, organisation_id: UUID):
    """One organisation."""
    return organisation_get(actor=request.auth, pk=organisation_id)


@router.patch(
    "/{organisation_id}",
    response={200: OrganisationOut, **errors(403, 404, 409, 422)},
)
def update_organisation(request: HttpRequest, organisation_id: UUID, payload: OrganisationPatch):
    """Changes the fields sent."""
    organisation = organisation_get(actor=request.auth, pk=organisation_id)
    data = with_records(request.auth, payload.model_dump(exclude_unset=True))
    return organisation_update(actor=request.auth, organisation=organisation, data=data)


@router.delete("/{organisation_id}", response={204: None, **errors(403, 404, 422)})
def delete_organisation(request: HttpRequest, organisation_id: UUID):
    """Deletes an organisation; its contacts stay, without an organisation."""
    organisation = organisation_get(actor=request.auth, pk=organisation_id)
    organisation_delete(actor=request.auth, organisation=organisation)
    return Status(204, None)
