"""An administrator adjusts what each role may do (issue 6); field masking, every page and
the data map follow."""

import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.contacts.services import contact_update, custom_field_create
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.errors import PermissionDenied, ValidationFailed
from steward.staff.models import RolePermission
from steward.staff.role_permissions import (
    PERMISSION_LABELS,
    role_permissions,
    role_permissions_set,
)
from steward.staff.roles import PERMISSIONS, Role
from steward.staff.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_permission_of_the_default_table_can_be_given_and_taken_on_the_page():
    used = set().union(*PERMISSIONS.values())

    assert used <= set(PERMISSION_LABELS)


def test_an_administrator_gives_sales_the_export_and_takes_deletes_away(admin, owner):
    assert not owner.can("contacts.export")
    wanted = (set(PERMISSIONS[Role.SALES]) | {"contacts.export"}) - {"contacts.delete"}

    role_permissions_set(actor=admin, role=Role.SALES, permissions=wanted)

    assert owner.can("contacts.export")
    assert not owner.can("contacts.delete")
    assert set(
        RolePermission.objects.filter(role=Role.SALES).values_list("permission", "granted")
    ) == {("contacts.export", True)}  # contacts.delete was never a sales default
    event = AuditEvent.objects.get(action="role.permissions_changed")
    assert event.object_id == "sales"
    assert event.changes["granted"] == [None, ["contacts.export"]]


def test_taking_the_special_category_grant_from_the_dpo_masks_it_for_them(admin, team):
    dpo = UserFactory(email="dana.dpo@example.com", role=Role.DPO, team=team)
    custom_field_create(
        actor=SystemActor("test"), key="diagnosis", label="Diagnosis", field_type="text",
        category="special.health",
    )  # fmt: skip
    contact = ContactFactory(given_name="Mia", team=team)
    contact_update(
        actor=SystemActor("test"), contact=contact, data={"custom": {"diagnosis": "Asthma"}}
    )

    role_permissions_set(
        actor=admin,
        role=Role.DPO,
        permissions=set(PERMISSIONS[Role.DPO]) - {"special_category.view"},
    )

    from steward.contacts.selectors import custom_fields_hidden_from

    assert "diagnosis" in custom_fields_hidden_from(dpo)


def test_the_administrator_keeps_the_right_to_change_roles(admin):
    with pytest.raises(ValidationFailed, match="nobody could change roles"):
        role_permissions_set(actor=admin, role=Role.ADMINISTRATOR, permissions=set())

    assert not RolePermission.objects.exists()
    assert "staff.manage" in role_permissions(Role.ADMINISTRATOR)


@pytest.mark.parametrize(
    ("role", "permissions", "error"),
    [("sales", {"contacts.fly"}, "Unknown permission"), ("pilot", set(), "Unknown role")],
)
def test_unknown_roles_and_permissions_are_refused(admin, role, permissions, error):
    with pytest.raises(ValidationFailed, match=error):
        role_permissions_set(actor=admin, role=role, permissions=permissions)

    assert not RolePermission.objects.exists()
    assert not AuditEvent.objects.filter(action="role.permissions_changed").exists()


def test_only_holders_of_staff_manage_change_roles(owner):
    with pytest.raises(PermissionDenied):
        role_permissions_set(actor=owner, role=Role.SALES, permissions={"contacts.export"})

    assert not RolePermission.objects.exists()


def test_the_roles_page_shows_the_matrix_and_saves_it(client, admin):
    client.force_login(admin)
    page = client.get(reverse("staff:roles"))
    assert page.status_code == 200
    assert "See special-category data" in page.content.decode()

    form = {role.value: sorted(PERMISSIONS[role]) for role in Role}
    form["read_only"] = ["inventory.view"]
    response = client.post(reverse("staff:roles"), form)

    assert response.status_code == 302
    assert role_permissions(Role.READ_ONLY) == {"inventory.view"}
    assert role_permissions(Role.SALES) == PERMISSIONS[Role.SALES]


def test_the_roles_page_is_for_administrators_only(client, owner):
    client.force_login(owner)

    assert client.get(reverse("staff:roles")).status_code == 403
    assert client.post(reverse("staff:roles"), {"sales": ["staff.manage"]}).status_code == 403
    assert not RolePermission.objects.exists()
