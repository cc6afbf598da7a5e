"""Master key rotation (resumable), retirement, data key renewal and the keys command."""

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from steward.activities.models import Activity
from steward.activities.tests.factories import ActivityFactory
from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.errors import Conflict
from steward.crypto.choices import DataKeyState
from steward.crypto.errors import MasterKeyError
from steward.crypto.keyring import keyring, reset_keyring
from steward.crypto.master_keys import master_keys, reset_master_keys
from steward.crypto.models import DataKey
from steward.crypto.services import (
    data_key_renew,
    master_key_retire,
    master_key_rotate,
    reencryption_run,
)

pytestmark = pytest.mark.django_db

ACTOR = SystemActor("test")


def people(count: int) -> list[Contact]:
    return [
        ContactFactory(date_of_birth=datetime.date(1980, 1, 1 + n % 28), custom={"n": str(n)})
        for n in range(count)
    ]


def fresh_process() -> None:
    """What a restarted process sees: keys read again from the file, no cached data key."""
    reset_master_keys()
    reset_keyring()


def test_rotation_rewraps_every_data_key_under_a_new_master_key(own_master_keys):
    contacts = people(5)

    outcome = master_key_rotate(actor=ACTOR)

    assert outcome.master_key_id == "mk-2" and outcome.rewrapped == 5
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"mk-2"}
    fresh_process()
    assert [Contact.objects.get(pk=c.pk).custom for c in contacts] == [
        {"n": str(n)} for n in range(5)
    ]
    assert AuditEvent.objects.filter(action="master_key.rotated", object_id="mk-2").exists()


def test_rotation_cost_grows_with_people_not_records(own_master_keys):
    contact = ContactFactory(date_of_birth=datetime.date(1970, 2, 2))
    for n in range(30):
        ActivityFactory(contact=contact, body=f"note {n}")

    outcome = master_key_rotate(actor=ACTOR)

    assert outcome.rewrapped == 1


def test_an_interrupted_rotation_is_finished_by_running_it_again(own_master_keys):
    contacts = people(7)

    def crash(done: int) -> None:
        raise KeyboardInterrupt  # the process dies after its first committed batch

    with pytest.raises(KeyboardInterrupt):
        master_key_rotate(actor=ACTOR, batch_size=3, after_batch=crash)
    by_key = sorted(DataKey.objects.values_list("master_key_id", flat=True))
    assert by_key.count("mk-2") == 3 and by_key.count("mk-1") == 4

    fresh_process()
    contact = Contact.objects.get(pk=contacts[-1].pk)
    assert contact.date_of_birth == contacts[-1].date_of_birth  # half-way: still readable
    outcome = master_key_rotate(actor=ACTOR, batch_size=3)

    assert outcome.master_key_id == "mk-2" and outcome.rewrapped == 4
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {"mk-2"}
    assert master_keys().key_ids() == ("mk-1", "mk-2")  # no third key from the resume


def test_rotation_then_removal_of_the_old_master_key_keeps_data_readable(own_master_keys):
    contacts = people(3)
    activity = ActivityFactory(contact=contacts[0], body="Allergic to penicillin")
    master_key_rotate(actor=ACTOR)

    master_key_retire(actor=ACTOR, key_id="mk-1")

    assert "mk-1" not in own_master_keys.read_text()
    fresh_process()
    assert master_keys().key_ids() == ("mk-2",)
    assert Activity.objects.get(pk=activity.pk).body == "Allergic to penicillin"
    assert Contact.objects.get(pk=contacts[2].pk).custom == {"n": "2"}


def test_an_old_master_key_still_in_use_cannot_be_retired(own_master_keys):
    people(2)
    master_keys().add_key()  # a new key, but nothing re-wrapped yet

    with pytest.raises(Conflict, match="still wrapped under mk-1"):
        master_key_retire(actor=ACTOR, key_id="mk-1")

    assert master_keys().key_ids() == ("mk-1", "mk-2")


def test_a_removed_master_key_that_data_keys_need_stops_the_first_use(own_master_keys):
    contact = people(1)[0]
    path = own_master_keys
    path.write_text(path.read_text().replace("mk-1", "mk-7"))
    os.chmod(path, 0o600)
    fresh_process()

    with pytest.raises(MasterKeyError, match="'mk-1'"):
        _ = Contact.objects.get(pk=contact.pk).date_of_birth


def test_a_wrong_master_key_stops_the_first_use(own_master_keys):
    contact = people(1)[0]
    own_master_keys.unlink()
    fresh_process()
    master_keys()  # a new, different mk-1 is generated in its place

    with pytest.raises(MasterKeyError, match="does not open"):
        _ = Contact.objects.get(pk=contact.pk).date_of_birth


def test_renewing_a_data_key_then_reencrypting_moves_values_to_the_new_key(own_master_keys):
    contact = people(1)[0]
    note = ActivityFactory(contact=contact, body="Prefers email")
    owner = f"contact:{contact.pk}"
    first = DataKey.objects.get(owner=owner)

    renewed = data_key_renew(actor=ACTOR, owner=owner)
    run = reencryption_run(actor=ACTOR, model=Activity)
    again = reencryption_run(actor=ACTOR, model=Activity)
    reencryption_run(actor=ACTOR, model=Contact)

    assert renewed.version == 2
    assert DataKey.objects.get(pk=first.pk).state == DataKeyState.RETIRED
    assert run.rewritten == 1 and again.rewritten == 0  # idempotent
    stored = Activity.objects.values_list("body", flat=True).get(pk=note.pk).stored
    from steward.crypto.cipher import key_id_of

    assert key_id_of(stored) == renewed.pk.bytes
    assert Activity.objects.get(pk=note.pk).body == "Prefers email"


def test_an_interrupted_reencryption_resumes_after_its_last_batch(own_master_keys, monkeypatch):
    contact = people(1)[0]
    for n in range(5):
        ActivityFactory(contact=contact, body=f"note {n}")
    data_key_renew(actor=ACTOR, owner=f"contact:{contact.pk}")
    from steward.crypto import services

    real = services.records_reencrypt
    calls = []

    def dies_on_second_batch(model, pks):
        calls.append(len(pks))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(model, pks)

    monkeypatch.setattr(services, "records_reencrypt", dies_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        reencryption_run(actor=ACTOR, model=Activity, batch_size=2)
    first_batch = set(Activity.objects.order_by("pk").values_list("pk", flat=True)[:2])
    seen = []

    def records(model, pks):
        seen.extend(pks)
        return real(model, pks)

    monkeypatch.setattr(services, "records_reencrypt", records)

    run = reencryption_run(actor=ACTOR, model=Activity, batch_size=2)

    assert len(seen) == 3 and not first_batch & set(seen)  # resumed after the first batch
    assert run.scanned == 5 and run.rewritten == 5
    assert sorted(a.body for a in Activity.objects.all()) == [f"note {n}" for n in range(5)]


def test_moving_an_activity_to_another_contact_moves_its_text_to_that_key(own_master_keys):
    from steward.activities.services import activity_update
    from steward.crypto.cipher import key_id_of
    from steward.staff.roles import Role
    from steward.staff.tests.factories import UserFactory

    admin = UserFactory(role=Role.ADMINISTRATOR)
    first, second = ContactFactory(), ContactFactory()
    note = ActivityFactory(contact=first, body="Moved note")

    activity_update(actor=admin, activity=note, data={"contact": second})

    stored = Activity.objects.values_list("body", flat=True).get(pk=note.pk).stored
    assert key_id_of(stored) == keyring().current_key(f"contact:{second.pk}").id_bytes
    assert Activity.objects.get(pk=note.pk).body == "Moved note"


def test_the_keys_command_shows_status_and_rotates(own_master_keys):
    people(2)
    out = io.StringIO()

    call_command("keys", "rotate", stdout=out, stderr=io.StringIO())
    call_command("keys", "status", stdout=out)

    text = out.getvalue()
    assert "wrapped under mk-2" in text
    assert "mk-2 (current): wraps 2 data key(s)" in text
    assert "mk-1: wraps 0" in text


def test_the_keys_command_refuses_to_retire_the_current_key(own_master_keys):
    with pytest.raises(CommandError, match="current master key"):
        call_command("keys", "retire", "mk-1", stdout=io.StringIO())
