"""Fixtures shared by every app's tests: the standing trio of an owner, a colleague in the
same team and an outsider in another team, who must see nothing of the owner's records."""

import pytest
from django.conf import settings
from django.test import override_settings

from steward.staff.roles import Role
from steward.staff.tests.factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _team_scope():
    # Tests run with team scoping whatever the environment says, so access tests mean it.
    with override_settings(STEWARD_RECORD_SCOPE="team"):
        yield


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic():
    # The manifest storage serves only what `collectstatic` wrote; pages rendered in tests
    # take their static URLs straight from the apps' static directories.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings, request):
    # Argon2id costs ~16 ms and 19 MiB by design; the standing users are created in almost
    # every test. Tests of hashing itself opt out with @pytest.mark.real_password_hashing.
    if "real_password_hashing" not in request.keywords:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _force_login_passes_the_second_factor(monkeypatch):
    # client.force_login() and client.login() stand for "this user has signed in", which for
    # an administrator or a DPO includes the second factor: mark their sessions so, as the
    # verify page does. Tests of the second-factor gate sign in through the login view.
    from django.test import Client

    from steward.staff.middleware import MFA_STATE, MFA_VERIFIED

    def passed(client):
        session = client.session
        session[MFA_STATE] = MFA_VERIFIED
        session.save()

    force_login, login = Client.force_login, Client.login

    def force_login_verified(self, user, backend=None):
        force_login(self, user, backend)
        passed(self)

    def login_verified(self, **credentials):
        signed_in = login(self, **credentials)
        if signed_in:
            passed(self)
        return signed_in

    monkeypatch.setattr(Client, "force_login", force_login_verified)
    monkeypatch.setattr(Client, "login", login_verified)


@pytest.fixture(autouse=True)
def _role_permissions_read_afresh():
    # Each process keeps the roles' permissions for a few seconds; a test must not see the
    # administrator's changes another test made (and rolled back).
    from steward.staff.role_permissions import role_permissions_forget

    role_permissions_forget()
    yield
    role_permissions_forget()


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) every mailer of the settings sends to, for one test:
    `smtp_server.messages`, `.wait_for(n)`, `.to(address)`."""
    from steward.core.testing.smtp import SmtpServer

    server = SmtpServer().start()
    settings.MAILERS = {alias: server.mailer_settings() for alias in settings.MAILERS}
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def team(db):
    return TeamFactory(name="North")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="South")


@pytest.fixture
def owner(team):
    return UserFactory(email="alice.owner@example.com", full_name="Alice Owner", team=team)


@pytest.fixture
def colleague(team):
    return UserFactory(email="bob.colleague@example.com", full_name="Bob Colleague", team=team)


@pytest.fixture
def outsider(other_team):
    return UserFactory(
        email="olga.outsider@example.com", full_name="Olga Outsider", team=other_team
    )


@pytest.fixture
def admin(db):
    return UserFactory(
        email="ada.admin@example.com", full_name="Ada Admin", role=Role.ADMINISTRATOR
    )


@pytest.fixture
def reader(team):
    return UserFactory(
        email="rita.reader@example.com", full_name="Rita Reader", role=Role.READ_ONLY, team=team
    )
