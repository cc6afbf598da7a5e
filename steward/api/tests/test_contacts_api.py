import datetime

import pytest
from django.utils import timezone

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact, ContactMethod
from steward.contacts.services import custom_field_create
from steward.contacts.tests.factories import ContactFactory, OrganisationFactory
from steward.core.actor import SystemActor
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _contact_of(user, **fields):
    return ContactFactory(owner=user, team=user.team, **fields)


def _snapshot(contact) -> dict:
    contact = Contact.objects.get(pk=contact.pk)
    return {
        "row": {f.attname: getattr(contact, f.attname) for f in Contact._meta.concrete_fields},
        "tags": sorted(contact.tags.values_list("name", flat=True)),
        "methods": sorted([m.value for m in contact.methods.all()]),
    }


def test_it_creates_a_contact_with_its_full_set_of_fields(owner, api_as):
    organisation = OrganisationFactory(owner=owner, team=owner.team)
    custom_field_create(
        actor=SystemActor("test"),
        key="shoe_size",
        label="Shoe size",
        field_type="number",
        category="commercial.profile",
    )

    response = api_as(owner).post(
        "/contacts",
        {
            "given_name": " Mara ",
            "family_name": "Lindqvist",
            "email": "Mara.Lindqvist@Example.ORG",
            "additional_emails": [{"value": "M.L@example.com", "label": "private"}],
            "phone": "030 1234567",
            "additional_phones": [{"value": "+49 170 1234567", "label": "mobile"}],
            "job_title": "Buyer",
            "organisation": str(organisation.pk),
            "street": "Hauptstraße 1",
            "postal_code": "10115",
            "city": "Berlin",
            "region": "Berlin",
            "country": "de",
            "date_of_birth": "1984-02-29",
            "language": "de",
            "lifecycle_stage": "prospect",
            "tags": ["VIP", "Fair 2026"],
            "custom": {"shoe_size": 41},
        },
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    contact = Contact.objects.get(pk=body["id"])
    assert body["email"] == contact.email == "mara.lindqvist@example.org"
    assert body["given_name"] == "Mara"
    assert body["phone"] == "+49301234567"
    assert body["additional_emails"] == [{"value": "m.l@example.com", "label": "private"}]
    assert body["additional_phones"] == [{"value": "+491701234567", "label": "mobile"}]
    assert body["country"] == "DE"
    assert body["organisation"] == str(organisation.pk)
    assert body["tags"] == ["fair 2026", "vip"]
    assert body["custom"] == {"shoe_size": "41"}
    assert body["source"] == "api"
    assert body["owner"] == str(owner.pk) and body["team"] == str(owner.team.pk)
    assert contact.date_of_birth == datetime.date(1984, 2, 29)
    assert ContactMethod.objects.filter(contact=contact).count() == 2


def test_the_contact_schema_lists_every_field_of_a_contact(owner, api_as):
    contact = _contact_of(owner)

    body = api_as(owner).get(f"/contacts/{contact.pk}").json()

    expected = {
        "id", "given_name", "family_name", "full_name", "email", "additional_emails", "phone",
        "additional_phones", "job_title", "organisation", "street", "postal_code", "city",
        "region", "country", "date_of_birth", "language", "lifecycle_stage", "source", "tags",
        "custom", "masked_fields", "owner", "team", "child_status", "created_at", "updated_at",
    }  # fmt: skip
    assert set(body) == expected
    datetime.datetime.fromisoformat(body["created_at"])


def test_it_records_api_writes_in_the_audit_trail_as_the_token_user(team, api_as):
    manager = UserFactory(email="mo.manager@example.com", role=Role.MANAGER, team=team)
    api = api_as(manager)

    created = api.post("/contacts", {"family_name": "Okafor"}).json()
    api.patch(f"/contacts/{created['id']}", {"city": "Leeds"})
    api.delete(f"/contacts/{created['id']}")

    events = AuditEvent.objects.filter(object_id=created["id"]).order_by("id")
    assert [e.action for e in events] == ["contact.created", "contact.updated", "contact.deleted"]
    assert {e.actor_id for e in events} == {manager.pk}
    assert {e.context["channel"] for e in events} == {"api"}


def test_patch_changes_only_the_fields_sent(owner, api_as):
    contact = _contact_of(owner, family_name="Okafor", city="Lagos", job_title="Engineer")

    response = api_as(owner).patch(f"/contacts/{contact.pk}", {"city": "Leeds"})

    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.city == "Leeds"
    assert contact.family_name == "Okafor" and contact.job_title == "Engineer"
    assert AuditEvent.objects.get(action="contact.updated").changes == {"city": ["Lagos", "Leeds"]}


def test_patch_replaces_tags_and_further_emails_as_whole_lists(owner, api_as):
    api = api_as(owner)
    created = api.post(
        "/contacts",
        {
            "family_name": "Okafor",
            "tags": ["a", "b"],
            "additional_emails": [
                {"value": "one@example.com"},
                {"value": "two@example.com", "label": "work"},
            ],
        },
    ).json()

    response = api.patch(
        f"/contacts/{created['id']}",
        {
            "tags": ["b", "c"],
            "additional_emails": [
                {"value": "two@example.com", "label": "work"},
                {"value": "three@example.com"},
            ],
        },
    )

    assert response.status_code == 200
    assert response.json()["tags"] == ["b", "c"]
    values = sorted(m.value for m in ContactMethod.objects.filter(contact_id=created["id"]))
    assert values == ["three@example.com", "two@example.com"]


def test_a_bad_further_email_rolls_back_the_whole_create(owner, api_as):
    response = api_as(owner).post(
        "/contacts",
        {"family_name": "Okafor", "additional_emails": [{"value": "not an address"}]},
    )

    assert response.status_code == 422
    assert "additional_emails.0.value" in response.json()["errors"]
    assert not Contact.objects.exists()
    assert not AuditEvent.objects.filter(action="contact.created").exists()


def test_it_rejects_a_duplicate_email_with_409_and_creates_nothing(owner, api_as):
    _contact_of(owner, email="taken@example.org")

    response = api_as(owner).post("/contacts", {"email": "Taken@example.org"})

    assert response.status_code == 409
    assert response.json()["errors"] == {"email": ["A contact with this email already exists."]}
    assert Contact.objects.count() == 1


def test_it_rejects_a_contact_without_name_or_email_with_a_field_error(owner, api_as):
    response = api_as(owner).post("/contacts", {"city": "Leeds"})

    assert response.status_code == 422
    assert "family_name" in response.json()["errors"]
    assert not Contact.objects.exists()


def test_it_rejects_an_unknown_field_by_name(owner, api_as):
    contact = _contact_of(owner)
    before = _snapshot(contact)

    response = api_as(owner).patch(f"/contacts/{contact.pk}", {"lastname": "Typo"})

    assert response.status_code == 422
    assert response.json()["errors"] == {"lastname": ["Extra inputs are not permitted"]}
    assert _snapshot(contact) == before


def test_it_rejects_an_invalid_country_naming_the_field(owner, api_as):
    contact = _contact_of(owner)
    before = _snapshot(contact)

    response = api_as(owner).patch(f"/contacts/{contact.pk}", {"country": "ZZ"})

    assert response.status_code == 422
    assert "country" in response.json()["errors"]
    assert _snapshot(contact) == before


def test_it_refuses_an_organisation_the_caller_may_not_see(owner, outsider, api_as):
    hidden = OrganisationFactory(owner=outsider, team=outsider.team)

    response = api_as(owner).post(
        "/contacts", {"family_name": "Okafor", "organisation": str(hidden.pk)}
    )

    assert response.status_code == 422
    assert response.json()["errors"] == {
        "organisation": ["No such organisation, or it is outside what you may see."]
    }
    assert not Contact.objects.exists()


# Access: the owner, a colleague in the same team, an outsider in another team.


def test_owner_and_colleague_see_the_contact_but_the_outsider_does_not(
    owner, colleague, outsider, api_as
):
    contact = _contact_of(owner)

    assert api_as(owner).get(f"/contacts/{contact.pk}").status_code == 200
    assert api_as(colleague).get(f"/contacts/{contact.pk}").status_code == 200
    response = api_as(outsider).get(f"/contacts/{contact.pk}")
    assert response.status_code == 404
    assert response.json() == {"detail": "No such contact.", "errors": {}}


def test_the_outsiders_list_does_not_include_the_contact(owner, outsider, api_as):
    _contact_of(owner)
    theirs = _contact_of(outsider)

    body = api_as(outsider).get("/contacts").json()

    assert body["count"] == 1
    assert [c["id"] for c in body["results"]] == [str(theirs.pk)]


def test_an_outsiders_patch_is_404_and_changes_nothing(owner, outsider, api_as):
    contact = _contact_of(owner, family_name="Okafor")
    before = _snapshot(contact)

    response = api_as(outsider).patch(f"/contacts/{contact.pk}", {"family_name": "Changed"})

    assert response.status_code == 404
    assert _snapshot(contact) == before
    assert not AuditEvent.objects.filter(object_id=str(contact.pk)).exists()


def test_an_outsiders_delete_is_404_and_deletes_nothing(owner, outsider, api_as):
    contact = _contact_of(owner)

    response = api_as(outsider).delete(f"/contacts/{contact.pk}")

    assert response.status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_colleague_may_change_the_contact(owner, colleague, api_as):
    contact = _contact_of(owner, city="Lagos")

    response = api_as(colleague).patch(f"/contacts/{contact.pk}", {"city": "Leeds"})

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="contact.updated").actor == colleague


def test_a_reader_can_read_but_not_write(owner, reader, api_as):
    contact = _contact_of(owner, family_name="Okafor")
    before = _snapshot(contact)
    api = api_as(reader)

    assert api.get(f"/contacts/{contact.pk}").status_code == 200
    assert api.get("/contacts").json()["count"] == 1
    created = api.post("/contacts", {"family_name": "New"})
    changed = api.patch(f"/contacts/{contact.pk}", {"family_name": "Changed"})
    deleted = api.delete(f"/contacts/{contact.pk}")

    assert [created.status_code, changed.status_code, deleted.status_code] == [403, 403, 403]
    assert "Read-only" in changed.json()["detail"]
    assert _snapshot(contact) == before
    assert Contact.objects.count() == 1


def test_a_sales_user_may_not_delete_contacts(owner, api_as):
    contact = _contact_of(owner)

    response = api_as(owner).delete(f"/contacts/{contact.pk}")

    assert response.status_code == 403
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_a_manager_may_delete_a_contact(owner, admin, api_as):
    contact = _contact_of(owner)

    response = api_as(admin).delete(f"/contacts/{contact.pk}")

    assert response.status_code == 204
    assert response.content == b""
    assert not Contact.objects.filter(pk=contact.pk).exists()


# Lists: pages and filters.


def test_it_pages_with_a_total_count_and_links(owner, api_as):
    for n in range(5):
        _contact_of(owner, family_name=f"Person {n}")
    api = api_as(owner)

    first = api.get("/contacts", limit=2).json()
    second = api.get(first["next"]).json()
    last = api.get("/contacts", limit=2, offset=4).json()

    assert first["count"] == 5 and first["previous"] is None
    assert [c["family_name"] for c in first["results"]] == ["Person 0", "Person 1"]
    assert [c["family_name"] for c in second["results"]] == ["Person 2", "Person 3"]
    assert second["previous"].endswith("limit=2&offset=0")
    assert [c["family_name"] for c in last["results"]] == ["Person 4"]
    assert last["next"] is None


def test_a_page_beyond_the_end_is_empty_not_an_error(owner, api_as):
    _contact_of(owner)

    body = api_as(owner).get("/contacts", offset=100).json()

    assert body["count"] == 1 and body["results"] == [] and body["next"] is None


def test_it_caps_the_page_size(owner, api_as):
    response = api_as(owner).get("/contacts", limit=1000)

    assert response.status_code == 422
    assert "limit" in response.json()["errors"]


def test_it_keeps_filters_in_the_page_links(owner, api_as):
    for n in range(3):
        _contact_of(owner, family_name=f"Person {n}", lifecycle_stage="customer")

    body = api_as(owner).get("/contacts", limit=1, lifecycle_stage="customer").json()

    assert "lifecycle_stage=customer" in body["next"]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"search": "okaf"}, ["Okafor"]),
        # Addresses are encrypted: found whole (any case), never by their start.
        ({"search": "Ngozi@Example.org"}, ["Okafor"]),
        ({"search": "ngozi@example"}, []),
        ({"lifecycle_stage": "customer"}, ["Okafor"]),
        ({"tag": "VIP"}, ["Okafor"]),
        ({"country": "ng"}, ["Okafor"]),
        ({"sort": "-name"}, ["Okafor", "Lindqvist"]),
        ({"sort": "created"}, ["Okafor", "Lindqvist"]),
    ],
)
def test_it_filters_and_sorts_contacts(owner, api_as, params, expected):
    api = api_as(owner)
    okafor = api.post(
        "/contacts",
        {
            "family_name": "Okafor",
            "email": "ngozi@example.org",
            "lifecycle_stage": "customer",
            "tags": ["vip"],
            "country": "NG",
        },
    )
    lindqvist = api.post("/contacts", {"family_name": "Lindqvist", "email": "mara@example.org"})
    assert okafor.status_code == lindqvist.status_code == 201

    body = api.get("/contacts", **params).json()

    assert [c["family_name"] for c in body["results"]] == expected


def test_sorting_by_email_is_refused_naming_the_parameter(owner, api_as):
    # Addresses are encrypted (decision 0018): the database cannot order by them.
    response = api_as(owner).get("/contacts", sort="email")

    assert response.status_code == 422
    assert "sort" in response.content.decode()


def test_it_filters_by_owner_and_organisation(owner, colleague, api_as):
    organisation = OrganisationFactory(owner=owner, team=owner.team)
    _contact_of(owner, family_name="Mine", organisation=organisation)
    _contact_of(colleague, family_name="Theirs")
    api = api_as(owner)

    by_owner = api.get("/contacts", owner=str(colleague.pk)).json()
    by_organisation = api.get("/contacts", organisation=str(organisation.pk)).json()

    assert [c["family_name"] for c in by_owner["results"]] == ["Theirs"]
    assert [c["family_name"] for c in by_organisation["results"]] == ["Mine"]


def test_it_lists_what_changed_since_a_moment_for_sync(owner, api_as):
    old = _contact_of(owner, family_name="Old")
    recent = _contact_of(owner, family_name="Recent")
    a_day_ago = timezone.now() - datetime.timedelta(days=1)
    Contact.objects.filter(pk=old.pk).update(
        created_at=a_day_ago - datetime.timedelta(days=1), updated_at=a_day_ago
    )
    api = api_as(owner)
    since = (timezone.now() - datetime.timedelta(hours=1)).isoformat()

    updated = api.get("/contacts", updated_after=since).json()
    created = api.get("/contacts", created_after=since).json()

    assert [c["id"] for c in updated["results"]] == [str(recent.pk)]
    assert [c["id"] for c in created["results"]] == [str(recent.pk)]


def test_a_date_without_a_time_or_offset_is_read_as_utc_midnight(owner, api_as):
    _contact_of(owner)

    response = api_as(owner).get("/contacts", updated_after="2000-01-01")

    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_it_rejects_an_unknown_sort_and_stage_naming_the_parameters(owner, api_as):
    response = api_as(owner).get("/contacts", sort="shoe_size", lifecycle_stage="vip")

    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"sort", "lifecycle_stage"}


def test_the_audit_trail_records_a_stage_change_as_plain_values(owner, api_as):
    contact = _contact_of(owner, lifecycle_stage="lead")

    api_as(owner).patch(f"/contacts/{contact.pk}", {"lifecycle_stage": "customer"})

    event = AuditEvent.objects.get(action="contact.updated")
    assert event.changes == {"lifecycle_stage": ["lead", "customer"]}
    assert type(Contact.objects.get(pk=contact.pk).lifecycle_stage) is str
