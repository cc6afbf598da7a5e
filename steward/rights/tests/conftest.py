import pytest

from steward.contacts.tests.factories import ContactFactory
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory


@pytest.fixture
def dpo(db):
    return UserFactory(email="dora.dpo@example.com", full_name="Dora Dpo", role=Role.DPO)


@pytest.fixture
def manager(team):
    return UserFactory(
        email="max.manager@example.com", full_name="Max Manager", role=Role.MANAGER, team=team
    )


@pytest.fixture
def person(owner, team):
    return ContactFactory(
        given_name="Petra",
        family_name="Quellwasser",
        email="petra.quellwasser@example.org",
        owner=owner,
        team=team,
    )


@pytest.fixture
def smtp_server(smtp_server, transactional_db):
    """Mail leaves after commit: these tests commit for real, so what arrives at the SMTP
    server is what a person would get. (pytest-django runs them after the others, so the
    flush of seeded rows cannot reach a test that reads them.)"""
    return smtp_server
