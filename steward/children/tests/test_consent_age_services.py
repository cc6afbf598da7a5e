"""The Art. 8 table as data: changing, adding and removing an age, validated and audited,
and the contacts it governs recomputed in the same transaction."""

import datetime

import pytest

from steward.audit.models import AuditEvent
from steward.children import services
from steward.children.choices import ChildStatus
from steward.children.models import DigitalConsentAge
from steward.children.selectors import consent_ages
from steward.children.services import (
    consent_age_remove,
    consent_age_set,
    contact_child_status_refresh,
)
from steward.children.tests.factories import dated_contact
from steward.contacts.models import Contact
from steward.core.errors import NotFound, PermissionDenied, ValidationFailed

TODAY = datetime.date(2026, 6, 1)


def test_the_table_is_seeded_with_the_art_8_ages_and_a_default_of_16(db):
    ages = consent_ages()

    assert ages[""] == 16
    assert {code for code, age in ages.items() if age == 13} == {
        "BE", "DK", "EE", "FI", "LV", "MT", "PT", "SE", "GB",
    }  # fmt: skip
    assert {code for code, age in ages.items() if age == 14} == {
        "AT", "BG", "CY", "ES", "IT", "LT",
    }  # fmt: skip
    assert {code for code, age in ages.items() if age == 15} == {"CZ", "FR", "GR", "SI"}
    assert {"DE", "HR", "HU", "IE", "LU", "NL", "PL", "RO", "SK"} <= {
        code for code, age in ages.items() if age == 16
    }


def test_an_administrator_changes_an_age_and_the_trail_holds_old_and_new(admin):
    # When an administrator lowers France's age to 14 (an invented reform)
    change = consent_age_set(actor=admin, country="fr", age=14, source="Loi 2031-1", today=TODAY)

    # Then the row holds it, names who changed it, and the trail has old and new values
    row = DigitalConsentAge.objects.get(country="FR")
    assert (row.age, row.source, row.updated_by) == (14, "Loi 2031-1", admin)
    event = AuditEvent.objects.get(action="digital_consent_age.updated", object_id=str(row.pk))
    assert event.changes["age"] == [15, 14]
    assert event.actor == admin
    assert change.row == row


@pytest.mark.parametrize("age", [12, 17, 0, -1, "sixteen", "", None, "14.5"])
def test_an_age_outside_13_to_16_is_refused_naming_the_field_and_nothing_changes(admin, age):
    before = list(DigitalConsentAge.objects.values_list("country", "age", "source"))

    with pytest.raises(ValidationFailed) as error:
        consent_age_set(actor=admin, country="FR", age=age)

    assert "13 to 16" in error.value.field_errors["age"][0]
    assert list(DigitalConsentAge.objects.values_list("country", "age", "source")) == before
    assert not AuditEvent.objects.filter(action__startswith="digital_consent_age").exists()


def test_an_unknown_country_code_is_refused_naming_the_field(admin):
    with pytest.raises(ValidationFailed) as error:
        consent_age_set(actor=admin, country="XX", age=14)

    assert "country" in error.value.field_errors
    assert not DigitalConsentAge.objects.filter(country="XX").exists()


def test_a_role_without_staff_manage_cannot_change_the_table(owner):
    with pytest.raises(PermissionDenied):
        consent_age_set(actor=owner, country="DE", age=13)

    assert DigitalConsentAge.objects.get(country="DE").age == 16
    assert not AuditEvent.objects.filter(action__startswith="digital_consent_age").exists()


def test_setting_the_age_a_row_already_has_writes_nothing(admin):
    change = consent_age_set(actor=admin, country="FR", age=15)

    assert change.contacts_changed == 0
    assert DigitalConsentAge.objects.get(country="FR").updated_by is None
    assert not AuditEvent.objects.filter(action__startswith="digital_consent_age").exists()


def test_a_country_without_a_row_gets_one_and_its_contacts_follow_it(admin, owner):
    # Given a 14-year-old in the United States, a child under the default of 16
    teen = dated_contact(owner=owner, born=datetime.date(2012, 1, 15), country="US")
    contact_child_status_refresh(contacts=[teen], today=TODAY)
    assert teen.child_status == ChildStatus.CHILD

    # When the United States gets its own age of 13
    change = consent_age_set(actor=admin, country="US", age=13, source="COPPA", today=TODAY)

    # Then the row exists (audited as created) and the teenager is an adult at once
    assert DigitalConsentAge.objects.get(country="US").age == 13
    assert AuditEvent.objects.filter(action="digital_consent_age.created").count() == 1
    teen.refresh_from_db()
    assert teen.child_status == ChildStatus.ADULT
    assert change.contacts_changed == 1


def test_raising_an_age_makes_the_countrys_contacts_children_again_and_audits_each(admin, owner):
    # Given two 15-year-olds in France (adults there) and one in Germany (a child)
    born = datetime.date(2011, 3, 10)
    french = [
        dated_contact(owner=owner, born=born, country="FR", email=f"fr{i}@example.org")
        for i in range(2)
    ]
    german = dated_contact(owner=owner, born=born, country="DE")
    contact_child_status_refresh(contacts=[*french, german], today=TODAY)

    # When France's age is raised to 16
    change = consent_age_set(actor=admin, country="FR", age=16, today=TODAY)

    # Then both French contacts are children until their 16th birthday, each change audited
    # as the administrator's; the German contact is untouched
    assert change.contacts_changed == 2
    for contact in french:
        contact.refresh_from_db()
        assert contact.child_status == ChildStatus.CHILD
        assert contact.child_status_changes_on == datetime.date(2027, 3, 10)
        event = AuditEvent.objects.get(
            action="contact.child_status_changed", object_id=str(contact.pk), actor=admin
        )
        assert event.changes["child_status"] == ["adult", "child"]
    assert not AuditEvent.objects.filter(
        action="contact.child_status_changed", object_id=str(german.pk), actor=admin
    ).exists()


def test_changing_the_default_recomputes_only_countries_without_their_own_row(admin, owner):
    # Given 14-year-olds in the United States, without a country, and in Germany (own row)
    born = datetime.date(2012, 1, 15)
    american = dated_contact(owner=owner, born=born, country="US", email="us@example.org")
    nowhere = dated_contact(owner=owner, born=born, country="", email="none@example.org")
    german = dated_contact(owner=owner, born=born, country="DE", email="de@example.org")
    contact_child_status_refresh(contacts=[american, nowhere, german], today=TODAY)

    # When the default is lowered to 14
    consent_age_set(actor=admin, country="", age=14, today=TODAY)

    # Then the default's contacts are adults, and Germany's 16 still holds
    for contact in (american, nowhere, german):
        contact.refresh_from_db()
    assert american.child_status == ChildStatus.ADULT
    assert nowhere.child_status == ChildStatus.ADULT
    assert german.child_status == ChildStatus.CHILD


def test_removing_a_countrys_row_sends_its_contacts_to_the_default(admin, owner):
    # Given a 13-year-old in Sweden (13: an adult for Art. 8 there)
    swede = dated_contact(owner=owner, born=datetime.date(2013, 1, 15), country="SE")
    contact_child_status_refresh(contacts=[swede], today=TODAY)
    assert swede.child_status == ChildStatus.ADULT

    # When Sweden's row is removed
    consent_age_remove(actor=admin, country="SE", today=TODAY)

    # Then the default of 16 applies to them, and the removal is in the trail
    swede.refresh_from_db()
    assert swede.child_status == ChildStatus.CHILD
    assert not DigitalConsentAge.objects.filter(country="SE").exists()
    event = AuditEvent.objects.get(action="digital_consent_age.deleted")
    assert event.changes["age"] == [13, None]


def test_the_default_row_cannot_be_removed(admin):
    with pytest.raises(ValidationFailed) as error:
        consent_age_remove(actor=admin, country="")

    assert "country" in error.value.field_errors
    assert DigitalConsentAge.objects.filter(country="").exists()


def test_removing_a_row_that_does_not_exist_is_not_found(admin):
    with pytest.raises(NotFound):
        consent_age_remove(actor=admin, country="US")


def test_a_table_change_reaches_every_contact_it_governs_batch_after_batch(
    admin, owner, monkeypatch
):
    # Given five 15-year-olds in France, recomputed in batches of two
    monkeypatch.setattr(services, "REFRESH_BATCH", 2)
    teens = [
        dated_contact(
            owner=owner, born=datetime.date(2011, 3, 10), country="FR", email=f"t{i}@example.org"
        )
        for i in range(5)
    ]
    contact_child_status_refresh(contacts=teens, today=TODAY)

    change = consent_age_set(actor=admin, country="FR", age=16, today=TODAY)

    assert change.contacts_changed == 5
    assert set(
        Contact.objects.filter(pk__in=[t.pk for t in teens]).values_list("child_status", flat=True)
    ) == {ChildStatus.CHILD}
