"""Every path that writes a contact's date of birth or country computes its child status at
once: the contact services, the import (new and updated rows), and demo data."""

import datetime

import pytest
from django.utils import timezone

from steward.audit.models import AuditEvent
from steward.children.choices import ChildStatus
from steward.children.status import birthday_of_age
from steward.children.tests.factories import born_years_ago
from steward.contacts.models import Contact
from steward.contacts.services import contact_create, contact_update
from steward.contacts.tests.factories import ContactFactory
from steward.core.errors import ValidationFailed
from steward.demo.generator import demo_data_load
from steward.imports.tests.conftest import run_import
from steward.staff.roles import Role
from steward.staff.tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()


@pytest.fixture
def importer(team):
    return UserFactory(
        email="ines.importer@example.com", full_name="Ines Importer", role=Role.MARKETING, team=team
    )


def _today() -> datetime.date:
    return timezone.localdate()


def test_a_contact_created_with_a_date_of_birth_gets_its_status_and_an_audit_event(owner):
    # Given a German who turns 16 in ten days
    born = born_years_ago(_today(), 16, days_later=10)

    # When the contact is created
    contact = contact_create(
        actor=owner,
        data={
            "given_name": "Mia",
            "family_name": "Example",
            "country": "DE",
            "date_of_birth": born,
        },
    )

    # Then it is stored as a child until that birthday, and the change is in the trail
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.child_status == ChildStatus.CHILD
    assert stored.child_status_changes_on == birthday_of_age(born, 16)
    event = AuditEvent.objects.get(action="contact.child_status_changed", object_id=str(contact.pk))
    assert event.changes["child_status"] == ["unknown", "child"]
    assert event.actor == owner


def test_a_contact_created_without_a_date_of_birth_is_of_unknown_age(owner):
    contact = contact_create(actor=owner, data={"given_name": "Noa", "country": "FR"})

    assert Contact.objects.get(pk=contact.pk).child_status == ChildStatus.UNKNOWN
    assert not AuditEvent.objects.filter(action="contact.child_status_changed").exists()


def test_moving_a_15_year_old_from_france_to_germany_makes_them_a_child_at_once(owner):
    # Given a 15-year-old in France: an adult for Art. 8 there
    born = born_years_ago(_today(), 15, days_later=-30)
    contact = contact_create(
        actor=owner, data={"given_name": "Lou", "country": "FR", "date_of_birth": born}
    )
    assert Contact.objects.get(pk=contact.pk).child_status == ChildStatus.ADULT

    # When their country becomes Germany
    contact_update(actor=owner, contact=contact, data={"country": "DE"})

    # Then they are a child until their 16th birthday
    stored = Contact.objects.get(pk=contact.pk)
    assert stored.child_status == ChildStatus.CHILD
    assert stored.child_status_changes_on == birthday_of_age(born, 16)


def test_removing_the_date_of_birth_makes_the_age_unknown(owner):
    contact = contact_create(
        actor=owner,
        data={"given_name": "Ben", "country": "DE", "date_of_birth": datetime.date(1980, 1, 2)},
    )

    contact_update(actor=owner, contact=contact, data={"date_of_birth": None})

    stored = Contact.objects.get(pk=contact.pk)
    assert stored.child_status == ChildStatus.UNKNOWN
    assert stored.child_status_changes_on is None


def test_an_update_that_leaves_birth_and_country_alone_writes_no_status_event(owner):
    contact = contact_create(
        actor=owner,
        data={"given_name": "Ben", "country": "DE", "date_of_birth": datetime.date(1980, 1, 2)},
    )
    events = AuditEvent.objects.filter(action="contact.child_status_changed").count()

    contact_update(actor=owner, contact=contact, data={"job_title": "Editor"})

    assert AuditEvent.objects.filter(action="contact.child_status_changed").count() == events


def test_a_refused_update_leaves_the_status_as_it_was(owner):
    contact = contact_create(
        actor=owner,
        data={"given_name": "Ben", "country": "FR", "date_of_birth": datetime.date(1980, 1, 2)},
    )

    with pytest.raises(ValidationFailed):
        contact_update(
            actor=owner,
            contact=contact,
            data={"date_of_birth": born_years_ago(_today(), 10), "email": "not an address"},
        )

    stored = Contact.objects.get(pk=contact.pk)
    assert (stored.child_status, stored.date_of_birth) == (ChildStatus.ADULT, contact.date_of_birth)


def test_an_import_computes_the_status_of_each_new_row(importer):
    # Given a file with a 14-year-old in Austria (14: adult), one in Germany (16: child),
    # and a row without a date of birth
    born = born_years_ago(_today(), 14, days_later=-5).isoformat()
    text = (
        "First Name,Email,Country,Date of birth\n"
        f"Anna,anna@example.org,Austria,{born}\n"
        f"Jonas,jonas@example.org,Germany,{born}\n"
        "Kim,kim@example.org,Germany,\n"
    )

    job = run_import(importer, text)

    assert job.status == "completed", job.message
    statuses = {c.email: c.child_status for c in Contact.objects.all()}
    assert statuses == {
        "anna@example.org": ChildStatus.ADULT,
        "jonas@example.org": ChildStatus.CHILD,
        "kim@example.org": ChildStatus.UNKNOWN,
    }
    jonas = Contact.objects.with_email("jonas@example.org").get()
    assert jonas.child_status_changes_on == birthday_of_age(jonas.date_of_birth, 16)


def test_an_import_that_updates_a_country_recomputes_and_audits_the_status(importer):
    # Given a 15-year-old in France, an adult there
    born = born_years_ago(_today(), 15, days_later=-5)
    existing = ContactFactory(
        email="lou@example.org",
        country="FR",
        date_of_birth=born,
        child_status=ChildStatus.ADULT,
        owner=importer,
        team=importer.team,
    )

    # When an import updates their country to Germany
    job = run_import(importer, "Email,Country\nlou@example.org,Germany\n", on_duplicate="update")

    # Then they are a child, in the same audited update as the country
    assert job.updated_count == 1
    existing.refresh_from_db()
    assert existing.child_status == ChildStatus.CHILD
    event = AuditEvent.objects.get(action="contact.updated", object_id=str(existing.pk))
    assert event.changes["child_status"] == ["adult", "child"]
    assert event.changes["country"] == ["FR", "DE"]


def test_demo_contacts_with_a_date_of_birth_have_their_status_computed(db):
    demo_data_load(contacts=400, seed=3)

    today = _today()
    dated = Contact.objects.filter(date_of_birth__isnull=False)
    assert dated.exists()
    assert not dated.filter(child_status=ChildStatus.UNKNOWN).exists()
    assert not Contact.objects.filter(
        date_of_birth__isnull=True, child_status__in=[ChildStatus.CHILD, ChildStatus.ADULT]
    ).exists()
    for contact in dated.filter(child_status=ChildStatus.CHILD):
        assert contact.child_status_changes_on > today
