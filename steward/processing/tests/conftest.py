import pytest

from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory


@pytest.fixture
def dpo(db):
    return UserFactory(email="dora.dpo@example.com", full_name="Dora Dpo", role=Role.DPO)


@pytest.fixture
def manager(team):
    return UserFactory(
        email="mats.manager@example.com", full_name="Mats Manager", role=Role.MANAGER, team=team
    )
