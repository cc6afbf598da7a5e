"""Field-level access (issue 6): special-category data, children's data and national IDs are
visible only to roles granted them and masked everywhere else: the contact page, the API,
exports and the activity feed. The matrix runs every role against every surface and three
records: the reader's own, a colleague's (same team) and an outsider's (another team)."""

import json

import pytest
from django.urls import reverse

from steward.activities.models import Activity
from steward.activities.services import activity_log, activity_update
from steward.api.tests.conftest import ApiClient, token_for
from steward.contacts.models import Contact
from steward.contacts.services import contact_update, custom_field_create
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.errors import PermissionDenied
from steward.imports.exports import contacts_export
from steward.inventory.field_access import (
    CHILDREN_VIEW,
    CRIMINAL_VIEW,
    NATIONAL_ID_VIEW,
    SPECIAL_CATEGORY_VIEW,
    Masked,
    guards_of,
)
from steward.staff.roles import PERMISSIONS, SEES_ALL_RECORDS, Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SYSTEM = SystemActor("test")
HEALTH_VALUE = "Peanut allergy, carries an EpiPen"
HEALTH_NOTE = "Call notes: she told me about her diabetes treatment and her insulin pump."


def test_what_a_category_needs_is_derived_from_the_taxonomy():
    assert guards_of("special.health") == {SPECIAL_CATEGORY_VIEW}
    assert guards_of("criminal") == {CRIMINAL_VIEW}
    assert guards_of("children") == {CHILDREN_VIEW}
    assert guards_of("identity.national_id") == {NATIONAL_ID_VIEW}
    assert guards_of("contact.email") == frozenset()
    assert guards_of("") == frozenset()


def test_operator_categories_are_guarded_like_their_parents():
    from steward.inventory.services import data_category_add

    data_category_add(actor=SYSTEM, parent_key="children", name="school", label="School")
    data_category_add(
        actor=SYSTEM, parent_key="identity.national_id", name="passport", label="Passport"
    )
    data_category_add(actor=SYSTEM, parent_key="special.health", name="mental", label="Mental")

    assert guards_of("children.school") == {CHILDREN_VIEW}
    assert guards_of("identity.national_id.passport") == {NATIONAL_ID_VIEW}
    assert guards_of("special.health.mental") == {SPECIAL_CATEGORY_VIEW}


@pytest.fixture
def guarded_fields(db):
    custom_field_create(
        actor=SYSTEM, key="allergies", label="Allergies", field_type="text",
        category="special.health",
    )  # fmt: skip
    custom_field_create(
        actor=SYSTEM, key="passport", label="Passport", field_type="text",
        category="identity.national_id",
    )  # fmt: skip
    custom_field_create(
        actor=SYSTEM, key="shoe_size", label="Shoe size", field_type="text",
        category="commercial.profile",
    )  # fmt: skip


def _contact(owner, *, given_name):
    contact = ContactFactory(
        given_name=given_name, family_name="Example", owner=owner, team=owner.team
    )
    contact_update(
        actor=SYSTEM,
        contact=contact,
        data={"custom": {"allergies": HEALTH_VALUE, "passport": "X1234567", "shoe_size": "42"}},
    )
    activity_log(actor=SYSTEM, data={"kind": "note", "body": HEALTH_NOTE, "contact": contact})
    return Contact.objects.get(pk=contact.pk)


@pytest.fixture
def world(guarded_fields, team, other_team):
    """world(role): a user of `role` in team North with their own contact, a colleague's
    contact (same team) and an outsider's (team South)."""

    def build(role):
        user = UserFactory(email=f"{role.value}@example.com", role=role, team=team)
        colleague = UserFactory(email="cora.colleague@example.com", team=team)
        outsider = UserFactory(email="otto.outsider@example.com", team=other_team)
        return {
            "user": user,
            "own": _contact(user, given_name="Owns"),
            "colleague": _contact(colleague, given_name="Colleagues"),
            "outsider": _contact(outsider, given_name="Outsiders"),
        }

    return build


def _may_see_record(role, whose):
    return whose != "outsider" or role in SEES_ALL_RECORDS


ROLES = list(Role)
WHOSE = ["own", "colleague", "outsider"]


@pytest.mark.parametrize("whose", WHOSE)
@pytest.mark.parametrize("role", ROLES)
def test_the_contact_page_masks_what_the_role_may_not_see(client, world, role, whose):
    records = world(role)
    user, contact = records["user"], records[whose]
    client.force_login(user)

    response = client.get(reverse("contacts:detail", args=[contact.pk]))

    if not _may_see_record(role, whose):
        assert response.status_code == 404
        return
    page = response.content.decode()
    sees_special = SPECIAL_CATEGORY_VIEW in PERMISSIONS[role]
    sees_ids = NATIONAL_ID_VIEW in PERMISSIONS[role]
    assert response.status_code == 200
    assert "42" in page  # ordinary custom data is shown to everyone who sees the record
    assert (HEALTH_VALUE in page) is sees_special
    assert ("X1234567" in page) is sees_ids
    assert ("insulin pump" in page) is sees_special
    if not sees_special:
        assert "Restricted (special-category data)" in page


@pytest.mark.parametrize("whose", WHOSE)
@pytest.mark.parametrize("role", ROLES)
def test_the_api_masks_what_the_role_may_not_see(world, role, whose):
    records = world(role)
    user, contact = records["user"], records[whose]
    api = ApiClient(token_for(user))

    response = api.get(f"/contacts/{contact.pk}")
    activities = api.get("/activities", contact=str(contact.pk))

    if not _may_see_record(role, whose):
        assert response.status_code == 404
        assert activities.json()["results"] == []
        return
    sees_special = SPECIAL_CATEGORY_VIEW in PERMISSIONS[role]
    sees_ids = NATIONAL_ID_VIEW in PERMISSIONS[role]
    body = response.json()
    assert body["custom"]["shoe_size"] == "42"
    assert (body["custom"]["allergies"] == HEALTH_VALUE) is sees_special
    assert (body["custom"]["passport"] == "X1234567") is sees_ids
    assert ("allergies" in body["masked_fields"]) is not sees_special
    [note] = activities.json()["results"]
    assert (note["body"] == HEALTH_NOTE) is sees_special
    assert (note["masked"] is None) is sees_special
    assert HEALTH_NOTE not in json.dumps(activities.json()) or sees_special


@pytest.mark.parametrize("role", ROLES)
def test_exports_mask_what_the_role_may_not_see(world, role):
    user = world(role)["user"]
    if "contacts.export" not in PERMISSIONS[role]:
        with pytest.raises(PermissionDenied):
            contacts_export(actor=user, format="json", purpose="analytics")
        return

    # Analytics rests on legitimate interests: the gate lets everyone through.
    export = contacts_export(actor=user, format="json", purpose="analytics")
    rows = json.loads("".join(export.chunks()))

    by_name = {row["given_name"]: row for row in rows}
    assert ("Outsiders" in by_name) is (role in SEES_ALL_RECORDS)
    for row in rows:
        assert row["custom"]["shoe_size"] == "42"
        shown = row["custom"]["allergies"]
        if SPECIAL_CATEGORY_VIEW in PERMISSIONS[role]:
            assert shown == HEALTH_VALUE
        else:
            assert shown == str(Masked(frozenset({SPECIAL_CATEGORY_VIEW})))


def test_a_role_that_may_not_read_a_guarded_field_cannot_change_it_and_keeps_it(world):
    records = world(Role.SALES)
    sales, contact = records["user"], records["own"]

    with pytest.raises(PermissionDenied, match="allergies"):
        contact_update(actor=sales, contact=contact, data={"custom": {"allergies": "none"}})
    contact_update(actor=sales, contact=contact, data={"custom": {"shoe_size": "43"}})

    contact.refresh_from_db()
    assert contact.custom["allergies"] == HEALTH_VALUE
    assert contact.custom["passport"] == "X1234567"
    assert contact.custom["shoe_size"] == "43"


def test_the_contact_form_neither_shows_nor_drops_a_guarded_field(client, world):
    records = world(Role.SALES)
    sales, contact = records["user"], records["own"]
    client.force_login(sales)

    page = client.get(reverse("contacts:edit", args=[contact.pk])).content.decode()

    assert HEALTH_VALUE not in page
    assert "custom_allergies" not in page
    assert "custom_shoe_size" in page


def test_a_role_that_may_not_read_a_note_cannot_rewrite_it(world):
    records = world(Role.SALES)
    sales, note = records["user"], Activity.objects.get(contact=records["own"])

    with pytest.raises(PermissionDenied, match="special-category"):
        activity_update(actor=sales, activity=note, data={"body": "nothing to see"})

    note.refresh_from_db()
    assert note.body == HEALTH_NOTE


def test_the_dashboard_task_list_masks_a_task_that_holds_special_category_data(client, world):
    records = world(Role.SALES)
    sales = records["user"]
    activity_log(
        actor=sales,
        data={
            "kind": "task",
            "subject": "Ask about her chemotherapy schedule",
            "due_at": "2030-01-01T10:00:00Z",
            "contact": records["own"],
            "owner": sales,
        },
    )
    client.force_login(sales)

    page = client.get(reverse("dashboard")).content.decode()

    assert "chemotherapy" not in page
    assert "Restricted (special-category data)" in page
