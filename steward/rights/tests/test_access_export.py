"""Art. 15: the access export holds every personal field of the person in every table the
data map knows with a link to them, and every item of Art. 15(1)(a)-(h)."""

import json

import pytest

from steward.activities.services import activity_log
from steward.contacts.models import Contact
from steward.contacts.services import contact_create, contact_update, custom_field_create
from steward.core.actor import SystemActor
from steward.core.personal_data import NOT_PERSONAL, tag_of
from steward.deals.tests.factories import DealFactory
from steward.rights.access_export import access_export, access_export_html, person_links
from steward.rights.portability import portability_export

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")


@pytest.fixture
def person(owner):
    custom_field_create(
        actor=SYSTEM, key="shoe_size", label="Shoe size", field_type="text",
        category="commercial.profile",
    )  # fmt: skip
    contact = contact_create(
        actor=owner,
        data={"given_name": "Lotte", "family_name": "Lindqvist", "email": "lotte@example.org"},
    )
    contact_update(actor=SYSTEM, contact=contact, data={"custom": {"shoe_size": "39"}})
    activity_log(
        actor=owner, data={"kind": "call", "body": "Asked about delivery.", "contact": contact}
    )
    DealFactory(contact=contact, owner=owner, team=owner.team, title="Lotte's kitchen")
    return Contact.objects.get(pk=contact.pk)


def test_every_linked_model_of_the_data_map_appears_with_all_its_personal_fields(person):
    document = access_export(actor=SYSTEM, contact=person)

    for link in person_links():
        name = f"{link.model._meta.app_label}.{link.model.__name__}"
        if not link.model._base_manager.filter(**{link.field: person.pk}).exists():
            continue
        assert name in document["data"], name
        personal = [
            str(f.verbose_name)
            for f in link.model._meta.concrete_fields
            if tag_of(f) not in (None, NOT_PERSONAL)
        ]
        for row in document["data"][name]:
            assert set(personal) <= set(row), (name, set(personal) - set(row))


def test_the_export_holds_the_values_decrypted_and_custom_fields_by_label(person):
    document = access_export(actor=SYSTEM, contact=person)

    text = json.dumps(document)
    assert "lotte@example.org" in text
    assert "Asked about delivery." in text
    assert document["data"]["contacts.Contact"][0]["custom"] == {"Shoe size": "39"}
    assert any(row.get("title") == "Lotte's kitchen" for row in document["data"]["deals.Deal"])


def test_the_export_answers_every_item_of_article_15(person):
    art15 = access_export(actor=SYSTEM, contact=person)["art_15"]

    assert set(art15) == {
        "a_purposes", "b_categories", "c_recipients", "d_retention", "e_rights",
        "f_complaint", "g_source", "h_automated_decisions", "transfers_2",
    }  # fmt: skip
    assert any(p["lawful_basis"] for p in art15["a_purposes"])
    assert {"contact.email", "identity.name"} <= {c["key"] for c in art15["b_categories"]}
    assert "supervisory authority" in art15["f_complaint"]


def test_the_readable_version_escapes_what_it_shows(person, owner):
    activity_log(
        actor=owner, data={"kind": "note", "body": "<script>x</script>", "contact": person}
    )

    page = access_export_html(access_export(actor=SYSTEM, contact=person))

    assert "<script>x</script>" not in page
    assert "&lt;script&gt;" in page
    assert "Lindqvist" in page


def test_portability_holds_what_the_person_provided_when_a_contract_covers_them(person):
    export = portability_export(actor=SYSTEM, contact=person)

    document = json.loads(export.json)
    assert "contract" in export.bases  # an open deal: steps before a contract (Art. 6(1)(b))
    assert document["contact"]["email"] == "lotte@example.org"
    assert "Asked about delivery." not in export.json.decode()  # notes are not "provided"
    assert b"given_name,Lotte" in export.csv


def test_portability_is_empty_and_says_why_without_consent_or_contract(owner):
    contact = contact_create(actor=owner, data={"given_name": "Nils", "email": "nils@example.org"})

    document = json.loads(portability_export(actor=SYSTEM, contact=contact).json)

    assert document["contact"] == {}
    assert "Art. 20(1)" in document["note"]


def test_the_export_gives_the_history_of_the_persons_records_with_old_and_new_values(person, owner):
    # Given a rectification made by a member of staff
    contact_update(actor=owner, contact=person, data={"family_name": "Lindqvist-Berg"})

    # When the person's data is exported
    document = access_export(actor=SYSTEM, contact=person)

    # Then the history holds the change with both values, opened from the sealed trail
    renamed = [
        entry for entry in document["history"]
        if any(change["field"] == "Family name" for change in entry["changes"])
        and entry["what"] == "contact.updated"
    ]  # fmt: skip
    [entry] = renamed
    [change] = [c for c in entry["changes"] if c["field"] == "Family name"]
    assert (change["before"], change["after"]) == ("Lindqvist", "Lindqvist-Berg")
    # the member of staff by role only: their identity is someone else's data (Art. 15(4))
    assert entry["by"] == "a member of staff"
    assert owner.email not in json.dumps(document)
    assert {"contact.created", "activity.logged"} <= {e["what"] for e in document["history"]}
    assert "Lindqvist-Berg" in access_export_html(document)
