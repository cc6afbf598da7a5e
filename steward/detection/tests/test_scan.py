"""`steward scan`: detection over stored free text, with progress, idempotent and resumable."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from steward.activities.models import Activity
from steward.activities.tests.factories import ActivityFactory
from steward.contacts.services import custom_field_create
from steward.contacts.tests.factories import ContactFactory
from steward.detection import services
from steward.detection.choices import ScanStatus
from steward.detection.models import PersonalDataFinding, ScanRun
from steward.detection.tasks import findings_scan_task

pytestmark = pytest.mark.django_db

NOTES = [
    "Her asthma is worse in winter; call after ten.",
    "Asked for the price list again.",
    "He is a union member and wants the works-council offer.",
    "Send the contract to finance@example.org before Friday.",
    "Nothing to report.",
]


@pytest.fixture
def notes(owner):
    # Written straight to the table (a restore, text from before detection existed):
    # nothing has been scanned yet.
    contact = ContactFactory(owner=owner, team=owner.team)
    return [ActivityFactory(contact=contact, body=body, team=owner.team) for body in NOTES]


def _scan(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("scan", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_finds_personal_data_in_text_stored_before_detection(notes):
    assert not PersonalDataFinding.objects.exists()

    out, _ = _scan("--model", "activities.activity")

    found = {(str(f.record_id), f.category) for f in PersonalDataFinding.objects.all()}
    assert (str(notes[0].pk), "health") in found
    assert (str(notes[2].pk), "trade_union") in found
    assert (str(notes[3].pk), "email") in found
    assert "Scanned 5 records" in out


def test_it_reports_progress_on_standard_error(notes):
    _, err = _scan("--model", "activities.activity", "--batch-size", "2")

    last = err.strip().splitlines()[-1]
    assert last.startswith("activities.activity: 5/5 (100%)")
    assert "rows/s" in last and last.endswith("done")


def test_progress_lines_give_an_estimate_of_the_time_left(notes, monkeypatch):
    monkeypatch.setattr("steward.detection.management.commands.scan.PROGRESS_EVERY", 0)

    _, err = _scan("--model", "activities.activity", "--batch-size", "2")

    lines = err.strip().splitlines()
    assert lines[0].startswith("activities.activity: 2/5 (40%)")
    assert "ETA " in lines[0]


def test_a_second_scan_changes_nothing(notes):
    _scan()
    before = sorted(PersonalDataFinding.objects.values_list("id", "status"))

    out, _ = _scan()

    assert sorted(PersonalDataFinding.objects.values_list("id", "status")) == before
    assert "0 new findings" in out


def test_an_interrupted_scan_resumes_after_its_last_committed_batch(notes, monkeypatch):
    real_refresh = services.findings_refresh
    detected: list[str] = []

    def refresh_then_die(*, actor, texts, **kwargs):
        detected.extend(str(t.record_id) for t in texts)
        if len(set(detected)) > 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a crash
        return real_refresh(actor=actor, texts=texts, **kwargs)

    monkeypatch.setattr(services, "findings_refresh", refresh_then_die)
    with pytest.raises(KeyboardInterrupt):
        _scan("--model", "activities.activity", "--batch-size", "2")
    run = ScanRun.objects.get()
    assert (run.status, run.scanned) == (ScanStatus.RUNNING, 2)

    detected.clear()
    monkeypatch.setattr(services, "findings_refresh", _counting(real_refresh, detected))
    _scan("--model", "activities.activity", "--batch-size", "2")

    run.refresh_from_db()
    assert (run.status, run.scanned) == (ScanStatus.FINISHED, 5)
    first_batch = sorted(str(a.pk) for a in notes)[:2]
    assert not set(first_batch) & set(detected)
    assert len(set(detected)) == 3


def _counting(refresh, seen):
    def wrapper(*, actor, texts, **kwargs):
        seen.extend(str(t.record_id) for t in texts)
        return refresh(actor=actor, texts=texts, **kwargs)

    return wrapper


def test_since_scans_only_what_changed_from_that_day(notes):
    old = timezone.now() - datetime.timedelta(days=30)
    Activity.objects.exclude(pk=notes[0].pk).update(updated_at=old)

    out, _ = _scan("--since", (timezone.localdate() - datetime.timedelta(days=1)).isoformat())

    assert set(PersonalDataFinding.objects.values_list("record_id", flat=True)) == {notes[0].pk}
    assert "Scanned 1 record:" in out


def test_it_scans_free_text_custom_fields(admin, owner):
    custom_field_create(
        actor=admin, key="notes", label="Notes", field_type="text", category="free_text"
    )
    contact = ContactFactory(owner=owner, custom={"notes": "Recovering from a stroke."})

    _scan("--model", "contacts.contact")

    (finding,) = [
        f for f in PersonalDataFinding.objects.filter(category="health") if f.evidence == "stroke"
    ]
    assert (finding.record_type, finding.field_name, finding.contact_id) == (
        "contacts.contact",
        "custom.notes",
        contact.pk,
    )


def test_it_refuses_a_model_without_free_text_and_changes_nothing(notes):
    with pytest.raises(CommandError, match="activities.activity"):
        _scan("--model", "deals.deal")

    assert not ScanRun.objects.exists()
    assert not PersonalDataFinding.objects.exists()


def test_it_refuses_a_date_it_cannot_read(notes):
    with pytest.raises(CommandError, match="2026-01-31"):
        _scan("--since", "yesterday")


def test_the_periodic_task_scans_like_the_command(notes):
    added = findings_scan_task.call()

    assert added == PersonalDataFinding.objects.count() > 0
