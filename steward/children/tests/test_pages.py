"""Where the child status shows: the contact page's badge, the contact list's filter, the
API's read-only field, and the settings page of the Art. 8 table (administrators only)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from steward.api.tests.conftest import ApiClient, token_for
from steward.audit.models import AuditEvent
from steward.children.choices import ChildStatus
from steward.children.models import DigitalConsentAge
from steward.children.services import contact_child_status_refresh
from steward.children.tests.factories import born_years_ago, dated_contact
from steward.contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def _child(owner, **fields):
    """A German contact born on 1 June 2015: a child (16) until 1 June 2031."""
    contact = dated_contact(owner=owner, born=datetime.date(2015, 6, 1), country="DE", **fields)
    contact_child_status_refresh(contacts=[contact])
    return contact


def _adult(owner, **fields):
    contact = dated_contact(owner=owner, born=datetime.date(1980, 6, 1), country="DE", **fields)
    contact_child_status_refresh(contacts=[contact])
    return contact


def test_a_childs_page_says_so_with_the_age_and_country_that_make_them_one(client, owner):
    child = _child(owner, given_name="Mia", family_name="Example")
    client.force_login(owner)

    page = client.get(reverse("contacts:detail", args=[child.pk])).content.decode()

    assert "Child (under 16 in DE) — consent needs a parent" in page
    assert "1 June 2031" in page


def test_a_contact_without_a_date_of_birth_shows_age_unknown(client, owner):
    contact = ContactFactory(owner=owner, team=owner.team, country="FR")
    client.force_login(owner)

    page = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()

    assert "Age unknown" in page
    assert "consent needs a parent" not in page


def test_an_adults_page_has_no_child_badge(client, owner):
    adult = _adult(owner)
    client.force_login(owner)

    page = client.get(reverse("contacts:detail", args=[adult.pk])).content.decode()

    assert "consent needs a parent" not in page
    assert "Age unknown" not in page


def test_the_children_filter_lists_only_children_the_user_may_see(client, owner, outsider):
    # Given a child and an adult of the owner's, and a child of another team's
    child = _child(owner, family_name="Childowner")
    _adult(owner, family_name="Adultowner")
    _child(outsider, family_name="Childoutsider", email="other.child@example.org")
    client.force_login(owner)

    # When the owner filters the list by children
    page = client.get(reverse("contacts:list"), {"child": "child"}).content.decode()

    # Then only their own child is listed
    assert child.family_name in page
    assert "Adultowner" not in page
    assert "Childoutsider" not in page


def test_the_api_shows_the_child_status_read_only(owner):
    child = _child(owner)
    api = ApiClient(token_for(owner))

    body = api.get(f"/contacts/{child.pk}").json()
    patched = api.patch(f"/contacts/{child.pk}", {"child_status": "adult"})

    assert body["child_status"] == "child"
    assert patched.status_code == 422
    child.refresh_from_db()
    assert child.child_status == ChildStatus.CHILD


def test_the_api_lists_contacts_by_child_status(owner):
    child = _child(owner)
    _adult(owner, email="adult@example.org")
    api = ApiClient(token_for(owner))

    body = api.get("/contacts", child_status="child").json()

    assert [item["id"] for item in body["results"]] == [str(child.pk)]


# -- the settings page


def test_the_settings_page_shows_the_table_to_an_administrator(client, admin):
    client.force_login(admin)

    response = client.get(reverse("children:consent_ages"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "France" in page and "Default" in page


@pytest.mark.parametrize("who", ["owner", "reader"])
def test_the_settings_page_is_forbidden_without_staff_manage(client, request, who):
    client.force_login(request.getfixturevalue(who))

    listed = client.get(reverse("children:consent_ages"))
    posted = client.post(
        reverse("children:consent_age_edit", args=["FR"]), {"age": 13, "source": "x"}
    )

    assert (listed.status_code, posted.status_code) == (403, 403)
    assert DigitalConsentAge.objects.get(country="FR").age == 15


def test_the_settings_page_needs_a_sign_in(client):
    response = client.get(reverse("children:consent_ages"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_an_administrator_changes_an_age_and_the_contacts_follow(client, admin, owner):
    # Given a 15-year-old in France (an adult there)
    born = born_years_ago(timezone.localdate(), 15, days_later=-30)
    teen = dated_contact(owner=owner, born=born, country="FR")
    contact_child_status_refresh(contacts=[teen])
    assert teen.child_status == ChildStatus.ADULT
    client.force_login(admin)

    # When France's age is raised to 16 on the page
    response = client.post(
        reverse("children:consent_age_edit", args=["FR"]),
        {"age": "16", "source": "Invented reform"},
        follow=True,
    )

    # Then the table and the contact follow, and the page says how many contacts moved
    assert DigitalConsentAge.objects.get(country="FR").age == 16
    teen.refresh_from_db()
    assert teen.child_status == ChildStatus.CHILD
    assert "The child status of 1 contact changed with it." in response.content.decode()


def test_an_age_out_of_range_is_shown_on_the_form_and_nothing_changes(client, admin):
    client.force_login(admin)

    response = client.post(
        reverse("children:consent_age_edit", args=["FR"]), {"age": "12", "source": ""}
    )

    assert response.status_code == 422
    assert "13 to 16" in response.content.decode()
    assert DigitalConsentAge.objects.get(country="FR").age == 15
    assert not AuditEvent.objects.filter(action__startswith="digital_consent_age").exists()


def test_a_country_gets_its_own_age_and_can_go_back_to_the_default(client, admin):
    client.force_login(admin)

    client.post(reverse("children:consent_ages"), {"country": "US", "age": "13", "source": "COPPA"})
    assert DigitalConsentAge.objects.get(country="US").age == 13

    client.post(reverse("children:consent_age_remove", args=["US"]))
    assert not DigitalConsentAge.objects.filter(country="US").exists()


def test_an_unknown_row_is_not_found(client, admin):
    client.force_login(admin)

    response = client.get(reverse("children:consent_age_edit", args=["US"]))

    assert response.status_code == 404


def test_the_settings_overview_links_to_the_table(client, admin):
    client.force_login(admin)

    page = client.get(reverse("staff:settings")).content.decode()

    assert reverse("children:consent_ages") in page
