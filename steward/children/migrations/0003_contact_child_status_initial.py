"""Gives the contacts that existed before the child status its first value. Not audited:
nothing about the contact changed, the status is derived from its stored date of birth and
country; every later change is audited by the services."""

from django.db import migrations
from django.utils import timezone

from steward.children.status import child_status_for

BATCH = 1000


def initialise(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    DigitalConsentAge = apps.get_model("children", "DigitalConsentAge")
    ages = dict(DigitalConsentAge.objects.values_list("country", "age"))
    today = timezone.localdate()
    dated = Contact.objects.filter(date_of_birth__isnull=False).only(
        "pk", "date_of_birth", "country", "child_status", "child_status_changes_on"
    )
    batch = []
    for contact in dated.iterator(chunk_size=BATCH):
        result = child_status_for(contact.date_of_birth, contact.country.code, today, ages)
        contact.child_status = result.status
        contact.child_status_changes_on = result.changes_on
        batch.append(contact)
        if len(batch) == BATCH:
            Contact.objects.bulk_update(batch, ["child_status", "child_status_changes_on"])
            batch.clear()
    if batch:
        Contact.objects.bulk_update(batch, ["child_status", "child_status_changes_on"])


class Migration(migrations.Migration):
    dependencies = [
        ("children", "0002_seed_digital_consent_ages"),
        ("contacts", "0004_contact_child_status"),
    ]

    operations = [migrations.RunPython(initialise, migrations.RunPython.noop)]
