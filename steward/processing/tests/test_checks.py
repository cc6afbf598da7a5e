"""The register's system checks: gaps that reached the tables without the services (or that a
change of the taxonomy caused) fail `steward check --database default`."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import OperationalError

from steward.inventory.services import data_category_add
from steward.processing.checks import check_register
from steward.processing.models import Purpose
from steward.processing.tests.factories import SYSTEM

pytestmark = pytest.mark.django_db


def _ids() -> list[str]:
    return [e.id for e in check_register(databases=["default"])]


def test_the_seeded_register_passes():
    assert _ids() == []


def test_an_active_purpose_without_a_lawful_basis_is_an_error():
    Purpose.objects.filter(key="invoicing").update(lawful_basis="")

    errors = check_register(databases=["default"])

    assert [e.id for e in errors] == ["steward.E030"]
    assert "'invoicing'" in errors[0].msg


def test_legitimate_interests_without_an_assessment_is_an_error():
    Purpose.objects.filter(key="analytics").update(legitimate_interest_assessment=" ")

    assert _ids() == ["steward.E031"]


def test_special_category_data_without_a_condition_is_an_error():
    Purpose.objects.filter(key="invoicing").update(data_categories=["special.health"])

    assert _ids() == ["steward.E032"]


def test_a_special_category_added_inside_a_purposes_category_is_caught():
    # Given an operator's special category inside "commercial", which customer management
    # lists (the services cannot have refused this: the purpose was valid when saved)
    data_category_add(
        actor=SYSTEM,
        parent_key="commercial",
        name="dietary_needs",
        label="Dietary needs",
        sensitivity="special",
    )

    errors = check_register(databases=["default"])

    assert [e.id for e in errors] == ["steward.E032"]
    assert "customer-management" in errors[0].msg


def test_an_inactive_purpose_is_not_judged():
    Purpose.objects.filter(key="invoicing").update(lawful_basis="", active=False)

    assert _ids() == []


def test_the_check_runs_with_the_database_and_fails_the_command():
    Purpose.objects.filter(key="analytics").update(legitimate_interest_assessment="")

    call_command("check")  # without a database the register is not read
    with pytest.raises(SystemCheckError, match="steward.E031"):
        call_command("check", "--database", "default")


def test_a_database_without_the_tables_is_skipped_not_reported(monkeypatch):
    def missing(*args, **kwargs):
        raise OperationalError("no such table: processing_purpose")

    monkeypatch.setattr(Purpose.objects, "using", missing)

    assert _ids() == []
