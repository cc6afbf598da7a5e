"""Detection on import: the free-text custom values of imported rows are scanned in bulk and
their findings stored with the new (or updated) contacts."""

import pytest

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.services import custom_field_create
from steward.detection import services as detection_services
from steward.detection.models import DetectionFailure, PersonalDataFinding
from steward.detection.selectors import contact_holds_special_data
from steward.imports.tests.conftest import run_import

pytestmark = pytest.mark.django_db

CSV = (
    "Email,First Name,Last Name,Notes,Plan\n"
    "ada@example.org,Ada,Example,Has asthma; prefers email,Gold\n"
    "alan@example.org,Alan,Example,Wants the spring catalogue,Silver\n"
    "grace@example.org,Grace,Example,Union member; call grace.home@example.com,Gold\n"
)


@pytest.fixture(autouse=True)
def custom_fields(admin):
    custom_field_create(
        actor=admin, key="notes", label="Notes", field_type="text", category="free_text"
    )
    custom_field_create(
        actor=admin,
        key="plan",
        label="Plan",
        field_type="choice",
        category="commercial.profile",
        choices=["Gold", "Silver", "Asthma"],
    )


def _findings(email: str) -> set[tuple[str, str, str]]:
    contact = Contact.objects.with_email(email).get()
    return {
        (f.field_name, f.category, f.evidence)
        for f in PersonalDataFinding.objects.filter(contact=contact)
    }


def test_imported_free_text_values_are_scanned(importer):
    job = run_import(importer, CSV)

    assert job.status == "completed"
    assert ("custom.notes", "health", "asthma") in _findings("ada@example.org")
    assert _findings("alan@example.org") == set()
    grace = _findings("grace@example.org")
    assert ("custom.notes", "trade_union", "Union member") in grace
    assert ("custom.notes", "email", "grace.home@example.com") in grace
    assert contact_holds_special_data(Contact.objects.with_email("ada@example.org").get())


def test_only_free_text_fields_are_scanned(importer):
    run_import(importer, CSV.replace("Gold\n", "Asthma\n", 1))

    assert {f[0] for f in _findings("ada@example.org")} == {"custom.notes"}


def test_each_finding_of_an_import_is_audited_in_the_import_context(importer):
    job = run_import(importer, CSV)

    events = AuditEvent.objects.filter(action="finding.suggested")
    assert events.count() == PersonalDataFinding.objects.count() > 0
    assert {e.context.get("import_job") for e in events} == {str(job.pk)}


def test_an_update_from_a_file_scans_the_changed_values_again(importer):
    run_import(importer, CSV)
    changed = CSV.replace("Has asthma; prefers email", "Prefers email").replace(
        "Wants the spring catalogue", "Recovering from a stroke"
    )

    run_import(importer, changed, on_duplicate="update")

    assert _findings("ada@example.org") == set()
    assert ("custom.notes", "health", "stroke") in _findings("alan@example.org")
    # Grace's row did not change: her findings are the same rows as before.
    assert sum(f.evidence == "Union member" for f in PersonalDataFinding.objects.all()) == 1


def test_a_detector_crash_does_not_fail_the_import(importer, monkeypatch):
    def crash(text, **kwargs):
        raise RuntimeError("a detector bug")

    monkeypatch.setattr(detection_services, "detect", crash)

    job = run_import(importer, CSV)

    assert job.status == "completed" and job.created_count == 3
    assert DetectionFailure.objects.filter(field_name="custom.notes").count() == 3
    assert not PersonalDataFinding.objects.exists()
