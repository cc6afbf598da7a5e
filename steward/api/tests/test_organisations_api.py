import pytest

from steward.audit.models import AuditEvent
from steward.contacts.models import Organisation
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _organisation_of(user, **fields):
    return OrganisationFactory(owner=user, team=user.team, **fields)


def _row(organisation) -> dict:
    return Organisation.objects.filter(pk=organisation.pk).values().get()


def test_it_creates_an_organisation_owned_by_the_caller(owner, api_as):
    response = api_as(owner).post(
        "/organisations",
        {"name": " Example Trading Ltd ", "domain": "trading.example.org", "country": "gb"},
    )

    assert response.status_code == 201
    body = response.json()
    organisation = Organisation.objects.get(pk=body["id"])
    assert organisation.name == body["name"] == "Example Trading Ltd"
    assert body["country"] == "GB"
    assert organisation.owner == owner
    event = AuditEvent.objects.get(action="organisation.created")
    assert event.actor == owner


def test_it_requires_a_name(owner, api_as):
    response = api_as(owner).post("/organisations", {"domain": "trading.example.org"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"name": ["Field required"]}
    assert not Organisation.objects.exists()


def test_it_rejects_an_invalid_website_naming_the_field(owner, api_as):
    organisation = _organisation_of(owner)
    before = _row(organisation)

    response = api_as(owner).patch(f"/organisations/{organisation.pk}", {"website": "not a url"})

    assert response.status_code == 422
    assert "website" in response.json()["errors"]
    assert _row(organisation) == before


def test_patch_changes_only_the_fields_sent(owner, api_as):
    organisation = _organisation_of(owner, industry="Retail", city="York")

    response = api_as(owner).patch(f"/organisations/{organisation.pk}", {"city": "Leeds"})

    assert response.status_code == 200
    organisation.refresh_from_db()
    assert (organisation.industry, organisation.city) == ("Retail", "Leeds")


def test_a_manager_deletes_an_organisation_and_its_contacts_stay(owner, admin, api_as):
    organisation = _organisation_of(owner)
    contact = ContactFactory(owner=owner, team=owner.team, organisation=organisation)

    response = api_as(admin).delete(f"/organisations/{organisation.pk}")

    assert response.status_code == 204
    contact.refresh_from_db()
    assert contact.organisation is None
    assert AuditEvent.objects.get(action="organisation.deleted").actor == admin


def test_the_outsider_neither_sees_nor_changes_nor_deletes_it(owner, outsider, admin, api_as):
    organisation = _organisation_of(owner, name="Example Trading Ltd")
    before = _row(organisation)
    api = api_as(outsider)

    got = api.get(f"/organisations/{organisation.pk}")
    patched = api.patch(f"/organisations/{organisation.pk}", {"name": "Taken over"})
    deleted = api.delete(f"/organisations/{organisation.pk}")
    listed = api.get("/organisations").json()

    assert [got.status_code, patched.status_code, deleted.status_code] == [404, 404, 404]
    assert listed["count"] == 0
    assert _row(organisation) == before


def test_the_colleague_sees_it(owner, colleague, api_as):
    organisation = _organisation_of(owner)

    assert api_as(colleague).get(f"/organisations/{organisation.pk}").status_code == 200


def test_a_reader_can_read_but_not_write(owner, reader, api_as):
    organisation = _organisation_of(owner, name="Example Trading Ltd")
    before = _row(organisation)
    api = api_as(reader)

    assert api.get(f"/organisations/{organisation.pk}").status_code == 200
    assert api.post("/organisations", {"name": "New Ltd"}).status_code == 403
    assert api.patch(f"/organisations/{organisation.pk}", {"name": "X"}).status_code == 403
    assert api.delete(f"/organisations/{organisation.pk}").status_code == 403
    assert _row(organisation) == before
    assert Organisation.objects.count() == 1


def test_it_searches_and_pages_by_name(owner, api_as):
    for name in ("Beta Ltd", "Alpha Ltd", "Gamma plc"):
        _organisation_of(owner, name=name)
    api = api_as(owner)

    page = api.get("/organisations", limit=2).json()
    found = api.get("/organisations", search="ltd").json()

    assert page["count"] == 3
    assert [o["name"] for o in page["results"]] == ["Alpha Ltd", "Beta Ltd"]
    assert page["next"] is not None
    assert [o["name"] for o in found["results"]] == ["Alpha Ltd", "Beta Ltd"]
