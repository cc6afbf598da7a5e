import pytest
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.staff.models import Team, User
from steward.staff.roles import Role
from steward.staff.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(team):
    return UserFactory(
        email="mia.manager@example.com", full_name="Mia Manager", role=Role.MANAGER, team=team
    )


@pytest.fixture
def as_admin(client, admin):
    client.force_login(admin)
    return client


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _password_on(html: str) -> str:
    start = html.index('id="new-password">') + len('id="new-password">')
    return html[start : html.index("</code>", start)]


def _pages(owner, team) -> list[str]:
    return [
        reverse("staff:settings"),
        reverse("staff:staff_list"),
        reverse("staff:staff_create"),
        reverse("staff:staff_edit", args=[owner.pk]),
        reverse("staff:team_edit", args=[team.pk]),
        reverse("staff:custom_field_list"),
        reverse("staff:custom_field_create"),
        reverse("staff:pipeline_list"),
        reverse("staff:pipeline_create"),
    ]


def test_an_administrator_sees_every_settings_page(as_admin, owner, team):
    for url in _pages(owner, team):
        response = as_admin.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("who", ["manager", "owner", "reader"])
def test_other_roles_get_403_on_every_settings_page(client, request, who, owner, team):
    client.force_login(request.getfixturevalue(who))

    for url in _pages(owner, team):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("who", ["manager", "owner"])
def test_other_roles_cannot_change_staff_and_nothing_changes(client, request, who, colleague):
    client.force_login(request.getfixturevalue(who))

    answers = [
        client.post(reverse("staff:staff_create"), {"email": "x@example.com", "role": "sales"}),
        client.post(
            reverse("staff:staff_edit", args=[colleague.pk]),
            {"full_name": "Changed", "role": Role.ADMINISTRATOR},
        ),
        client.post(reverse("staff:staff_deactivate", args=[colleague.pk])),
        client.post(reverse("staff:staff_password_reset", args=[colleague.pk])),
        client.post(reverse("staff:team_create"), {"name": "Intruders"}),
    ]

    assert [a.status_code for a in answers] == [403] * 5
    colleague_now = _fresh(colleague)
    assert colleague_now.role == Role.SALES and colleague_now.is_active
    assert colleague_now.full_name == colleague.full_name
    assert colleague_now.check_password(PASSWORD)
    assert not User.objects.filter(email="x@example.com").exists()
    assert not Team.objects.filter(name="Intruders").exists()
    assert not AuditEvent.objects.exists()


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("staff:staff_list"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_settings_link_is_in_the_navigation_of_administrators_only(client, admin, manager):
    client.force_login(admin)
    admin_page = client.get(reverse("dashboard")).content.decode()
    client.force_login(manager)
    manager_page = client.get(reverse("dashboard")).content.decode()

    assert f'href="{reverse("staff:settings")}"' in admin_page
    assert f'href="{reverse("staff:settings")}"' not in manager_page


def test_the_staff_list_shows_each_account_with_its_role_team_and_status(as_admin, owner):
    UserFactory(email="gone.person@example.com", full_name="Gone Person", is_active=False)

    html = as_admin.get(reverse("staff:staff_list")).content.decode()

    assert "alice.owner@example.com" in html and "North" in html
    assert "Gone Person" in html and "Deactivated" in html
    assert "Never" in html  # nobody in the test has signed in with a password


def test_a_new_account_gets_a_password_shown_once(as_admin, team):
    response = as_admin.post(
        reverse("staff:staff_create"),
        {
            "email": "Nina.New@Example.com",
            "full_name": "Nina New",
            "role": Role.MARKETING,
            "team": team.pk,
        },
        follow=True,
    )

    html = response.content.decode()
    password = _password_on(html)
    user = User.objects.get(email="nina.new@example.com")
    assert (user.role, user.team) == (Role.MARKETING, team)
    assert user.check_password(password)
    assert "only time the password is shown" in html
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]

    reloaded = as_admin.get(reverse("staff:staff_password")).content.decode()
    assert password not in reloaded
    assert "shown only once" in reloaded


def test_a_duplicate_email_is_shown_on_the_form_and_creates_nothing(as_admin, owner):
    response = as_admin.post(
        reverse("staff:staff_create"),
        {"email": owner.email.upper(), "full_name": "Imposter", "role": Role.SALES},
    )

    assert response.status_code == 200
    assert "Already exists." in response.content.decode()
    assert User.objects.filter(email=owner.email).count() == 1
    assert not User.objects.filter(full_name="Imposter").exists()


def test_an_administrator_changes_a_role_and_team(as_admin, owner, other_team):
    response = as_admin.post(
        reverse("staff:staff_edit", args=[owner.pk]),
        {"full_name": "Alice Owner", "role": Role.MANAGER, "team": other_team.pk},
    )

    assert response.status_code == 302
    owner = _fresh(owner)
    assert (owner.role, owner.team) == (Role.MANAGER, other_team)


def test_an_administrator_is_not_offered_a_change_of_their_own_role(as_admin, admin):
    response = as_admin.post(
        reverse("staff:staff_edit", args=[admin.pk]),
        {"full_name": "Ada Lovelace Admin", "role": Role.SALES},
    )

    assert response.status_code == 302
    admin = _fresh(admin)
    assert admin.role == Role.ADMINISTRATOR
    assert admin.full_name == "Ada Lovelace Admin"


def test_deactivating_oneself_is_refused_with_a_clear_message(as_admin, admin):
    response = as_admin.post(reverse("staff:staff_deactivate", args=[admin.pk]), follow=True)

    html = response.content.decode()
    assert "You cannot deactivate your own account. Nothing was changed." in html
    assert _fresh(admin).is_active


def test_deactivating_and_reactivating_a_colleague(as_admin, owner):
    as_admin.post(reverse("staff:staff_deactivate", args=[owner.pk]))
    assert not _fresh(owner).is_active

    as_admin.post(reverse("staff:staff_reactivate", args=[owner.pk]))
    assert _fresh(owner).is_active


def test_a_deactivated_member_is_signed_out_at_their_next_request(client, admin, owner):
    client.force_login(owner)
    assert client.get(reverse("dashboard")).status_code == 200
    other = client.__class__()
    other.force_login(admin)

    other.post(reverse("staff:staff_deactivate", args=[owner.pk]))

    assert client.get(reverse("dashboard")).status_code == 302


def test_a_password_reset_is_shown_once_and_ends_the_members_sessions(client, admin, owner):
    client.force_login(owner)
    admin_client = client.__class__()
    admin_client.force_login(admin)

    response = admin_client.post(
        reverse("staff:staff_password_reset", args=[owner.pk]), follow=True
    )

    password = _password_on(response.content.decode())
    assert _fresh(owner).check_password(password)
    assert client.get(reverse("dashboard")).status_code == 302
    reloaded = admin_client.get(reverse("staff:staff_password")).content.decode()
    assert password not in reloaded


def test_resetting_ones_own_password_keeps_this_session(as_admin, admin):
    as_admin.post(reverse("staff:staff_password_reset", args=[admin.pk]))

    assert as_admin.get(reverse("staff:staff_list")).status_code == 200


def test_teams_are_added_and_renamed(as_admin):
    as_admin.post(reverse("staff:team_create"), {"name": "Key accounts"})
    team = Team.objects.get(name="Key accounts")

    as_admin.post(reverse("staff:team_edit", args=[team.pk]), {"name": "Enterprise"})

    assert Team.objects.get(pk=team.pk).name == "Enterprise"


def test_a_taken_team_name_is_refused_on_the_form(as_admin, team):
    response = as_admin.post(reverse("staff:team_create"), {"name": team.name})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert Team.objects.filter(name=team.name).count() == 1


def test_unknown_accounts_and_teams_are_404(as_admin):
    unknown = "00000000-0000-0000-0000-000000000000"

    assert as_admin.get(reverse("staff:staff_edit", args=[unknown])).status_code == 404
    assert as_admin.get(reverse("staff:team_edit", args=[unknown])).status_code == 404
