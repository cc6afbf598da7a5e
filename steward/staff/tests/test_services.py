import pytest

from steward.audit.models import AuditEvent
from steward.core.actor import SystemActor
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.staff.models import Team, User
from steward.staff.roles import Role
from steward.staff.services import (
    staff_create,
    staff_deactivate,
    staff_password_reset,
    staff_reactivate,
    staff_update,
    team_create,
    team_rename,
)
from steward.staff.tests.factories import PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

CLI = SystemActor("cli:test")


@pytest.fixture
def manager(team):
    return UserFactory(
        email="mia.manager@example.com", full_name="Mia Manager", role=Role.MANAGER, team=team
    )


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_an_administrator_changes_name_role_and_team_and_the_change_is_audited(
    admin, owner, other_team
):
    staff_update(
        actor=admin,
        user=owner,
        data={"full_name": "Alice Owner-Smith", "role": Role.MANAGER, "team": other_team},
    )

    owner = _fresh(owner)
    assert (owner.full_name, owner.role, owner.team) == (
        "Alice Owner-Smith",
        Role.MANAGER,
        other_team,
    )
    event = AuditEvent.objects.get(action="staff.updated", object_id=str(owner.pk))
    assert event.changes["role"] == [Role.SALES, Role.MANAGER]
    assert event.actor_label == admin.email


@pytest.mark.parametrize("who", ["manager", "owner", "reader"])
def test_only_administrators_may_change_staff_and_nothing_changes_otherwise(
    request, who, colleague
):
    actor = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        staff_update(actor=actor, user=colleague, data={"role": Role.ADMINISTRATOR})
    with pytest.raises(PermissionDenied):
        staff_deactivate(actor=actor, user=colleague)
    with pytest.raises(PermissionDenied):
        staff_password_reset(actor=actor, user=colleague)
    with pytest.raises(PermissionDenied):
        team_rename(actor=actor, team=colleague.team, name="Renamed")

    colleague_now = _fresh(colleague)
    assert colleague_now.role == Role.SALES and colleague_now.is_active
    assert colleague_now.check_password(PASSWORD)
    assert Team.objects.filter(name="Renamed").count() == 0
    assert not AuditEvent.objects.filter(action__startswith="staff.").exists()


def test_it_refuses_an_unknown_role_and_an_empty_name_naming_the_field(admin, owner):
    with pytest.raises(ValidationFailed) as unknown_role:
        staff_update(actor=admin, user=owner, data={"role": "emperor"})
    with pytest.raises(ValidationFailed) as empty_name:
        staff_update(actor=admin, user=owner, data={"full_name": "  "})

    assert "role" in unknown_role.value.field_errors
    assert "full_name" in empty_name.value.field_errors
    assert _fresh(owner).role == Role.SALES
    assert _fresh(owner).full_name == "Alice Owner"


def test_an_administrator_cannot_change_their_own_role(admin):
    UserFactory(email="second.admin@example.com", role=Role.ADMINISTRATOR)

    with pytest.raises(ValidationFailed) as refusal:
        staff_update(actor=admin, user=admin, data={"role": Role.SALES})

    assert "own role" in refusal.value.message
    assert _fresh(admin).role == Role.ADMINISTRATOR


def test_the_last_active_administrator_cannot_be_demoted(admin):
    UserFactory(email="former.admin@example.com", role=Role.ADMINISTRATOR, is_active=False)

    with pytest.raises(ValidationFailed) as refusal:
        staff_update(actor=CLI, user=admin, data={"role": Role.MANAGER})

    assert "last active administrator" in refusal.value.message
    assert _fresh(admin).role == Role.ADMINISTRATOR


def test_an_administrator_may_demote_another_administrator(admin):
    other = UserFactory(email="other.admin@example.com", role=Role.ADMINISTRATOR)

    staff_update(actor=admin, user=other, data={"role": Role.DPO})

    assert _fresh(other).role == Role.DPO


def test_an_administrator_cannot_deactivate_themselves(admin):
    UserFactory(email="second.admin@example.com", role=Role.ADMINISTRATOR)

    with pytest.raises(ValidationFailed) as refusal:
        staff_deactivate(actor=admin, user=admin)

    assert "your own account" in refusal.value.message
    assert _fresh(admin).is_active


def test_the_last_active_administrator_cannot_be_deactivated(admin):
    with pytest.raises(ValidationFailed) as refusal:
        staff_deactivate(actor=CLI, user=admin)

    assert "last active administrator" in refusal.value.message
    assert _fresh(admin).is_active
    assert not AuditEvent.objects.filter(action="staff.deactivated").exists()


def test_deactivating_stops_sign_in_and_reactivating_restores_it(admin, owner, client):
    staff_deactivate(actor=admin, user=owner)

    assert not _fresh(owner).is_active
    assert not client.login(username=owner.email, password=PASSWORD)

    staff_reactivate(actor=admin, user=owner)

    assert _fresh(owner).is_active
    assert client.login(username=owner.email, password=PASSWORD)
    actions = list(
        AuditEvent.objects.filter(object_id=str(owner.pk)).values_list("action", flat=True)
    )
    assert actions == ["staff.deactivated", "staff.reactivated"]


def test_a_password_reset_returns_a_new_working_password_and_audits_without_it(admin, owner):
    password = staff_password_reset(actor=admin, user=owner)

    owner = _fresh(owner)
    assert owner.check_password(password)
    assert not owner.check_password(PASSWORD)
    event = AuditEvent.objects.get(action="staff.password_reset", object_id=str(owner.pk))
    stored = str(event.changes) + str(event.context)
    assert password not in stored
    assert owner.password not in stored
    assert "password" not in event.changes


def test_staff_create_records_no_password_in_the_audit_trail(admin):
    user, password = staff_create(actor=admin, email="new.person@example.com", role=Role.SALES)

    event = AuditEvent.objects.get(action="staff.created", object_id=str(user.pk))
    assert password not in str(event.changes)
    assert _fresh(user).password not in str(event.changes)


def test_teams_are_created_and_renamed_with_an_audit_row(admin):
    team = team_create(actor=admin, name="  East ")

    team_rename(actor=admin, team=team, name="East and Central")

    assert Team.objects.get(pk=team.pk).name == "East and Central"
    event = AuditEvent.objects.get(action="team.renamed")
    assert event.changes == {"name": ["East", "East and Central"]}


def test_it_refuses_a_team_name_that_is_taken_or_empty(admin, team):
    other = TeamFactory(name="West")

    with pytest.raises(Conflict) as taken:
        team_rename(actor=admin, team=other, name=team.name.upper())
    with pytest.raises(ValidationFailed) as empty:
        team_rename(actor=admin, team=other, name="   ")

    assert taken.value.field_errors["name"] == ["A team called “North” already exists."]
    assert "name" in empty.value.field_errors
    assert Team.objects.get(pk=other.pk).name == "West"
