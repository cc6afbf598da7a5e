"""The gate on the pages: the contact page's "Why may I email this person?" and the
dashboard's note on whom its figures count."""

import pytest
from django.urls import reverse

from steward.contacts.choices import LifecycleStage
from steward.processing.services import restriction_start
from steward.processing.tests.factories_gate import (
    SYSTEM,
    gate_world,
    give,
    mark_special,
    person,
    withdraw,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return gate_world()


def test_the_contact_page_says_per_purpose_whether_and_why(client, owner, world):
    ada = person(owner=owner, team=owner.team, stage=LifecycleStage.CUSTOMER)
    give(ada, world.marketing, world.notice_v1, days_ago=3)
    withdraw(ada, world.marketing, days_ago=1)
    client.force_login(owner)

    page = client.get(reverse("contacts:detail", args=[ada.pk])).content.decode()

    assert "Why may I email this person?" in page
    assert "May not be contacted for marketing: consent withdrawn on" in page
    assert 'data-purpose="gate-marketing"' in page
    assert "Customer management" in page  # the seeded register's purposes are there too
    assert "Lifecycle stage: customer" in page  # evidence of the contract
    # marketing purposes come first
    assert page.index('data-purpose="gate-marketing"') < page.index('data-purpose="gate-contract"')


def test_the_contact_page_withholds_a_special_category_reason_from_sales(
    client, owner, admin, world
):
    ada = person(owner=owner, team=owner.team, stage=LifecycleStage.CUSTOMER)
    mark_special(ada)

    client.force_login(owner)
    for_sales = client.get(reverse("contacts:detail", args=[ada.pk])).content.decode()
    client.force_login(admin)
    for_admin = client.get(reverse("contacts:detail", args=[ada.pk])).content.decode()

    assert "special-category data (Art. 9) and the register names no Art. 9" not in for_sales
    assert "ask your data protection officer why" in for_sales
    assert "special-category data (Art. 9) and the register names no Art. 9" in for_admin


def test_the_dashboard_says_whom_its_figures_about_people_leave_out(client, owner, world):
    counted = person(owner=owner, team=owner.team)
    restricted = person(owner=owner, team=owner.team)
    restriction_start(actor=SYSTEM, contact=restricted, reason="Accuracy contested.")
    client.force_login(owner)

    page = client.get(reverse("dashboard")).content.decode()

    assert "count only those whose data may be used for analytics" in page
    assert "1 left out — 1 processing restricted (Art. 18)" in page
    assert counted.pk  # the other one is counted
