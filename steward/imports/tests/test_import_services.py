import pytest

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact, ContactMethod, Organisation, Tag
from steward.contacts.services import custom_field_create
from steward.contacts.tests.factories import ContactFactory
from steward.core.actor import SystemActor
from steward.core.errors import Conflict, PermissionDenied, ValidationFailed
from steward.imports import services
from steward.imports.models import ImportJob
from steward.imports.selectors import import_report

from .conftest import run_import, upload

GOOD = (
    "First Name,Last Name,Email,Phone Number,Company Name,Country/Region,Tags\n"
    "Ada,Lovelace,ada@example.org,+44 20 7946 0018,Analytical Engines,United Kingdom,vip;engines\n"
    "Alan,Turing,alan@example.org,,Bletchley Circle,UK,engines\n"
    "Grace,Hopper,grace@example.org,,Analytical Engines,USA,\n"
)
WITH_ERRORS = GOOD + (
    "Bad,Email,not-an-address,,,,\n"
    ",,,+44 20 7946 0019,,,\n"
    "Bad,Date,bad.date@example.org,,,Narnia,\n"
)


def _contact_audit_count() -> int:
    return AuditEvent.objects.filter(object_type="contacts.contact").count()


@pytest.mark.django_db
def test_it_imports_a_clean_file_with_organisations_tags_and_audit(importer):
    job = run_import(importer, GOOD)

    assert job.status == "completed"
    assert (job.total_rows, job.created_count, job.skipped_count) == (3, 3, 0)
    ada = Contact.objects.with_email("ada@example.org").get()
    assert (ada.given_name, ada.family_name, ada.phone, ada.country.code) == (
        "Ada", "Lovelace", "+442079460018", "GB",
    )  # fmt: skip
    assert (ada.source, ada.owner, ada.team) == ("import", importer, importer.team)
    assert sorted(ada.tags.values_list("name", flat=True)) == ["engines", "vip"]
    assert Organisation.objects.filter(name="Analytical Engines").count() == 1
    assert ada.organisation == Contact.objects.with_email("grace@example.org").get().organisation
    created = AuditEvent.objects.filter(action="contact.created", actor=importer)
    assert sorted(created.values_list("object_id", flat=True)) == sorted(
        str(pk) for pk in Contact.objects.values_list("pk", flat=True)
    )
    assert created.first().context["import_job"] == str(job.pk)
    assert AuditEvent.objects.filter(action="import.completed", object_id=str(job.pk)).count() == 1


@pytest.mark.django_db
def test_all_or_nothing_writes_nothing_when_a_row_is_invalid_and_reports_each_row(importer):
    audit_before = AuditEvent.objects.count()

    job = run_import(importer, WITH_ERRORS)

    assert job.status == "failed"
    assert "Nothing was imported" in job.message
    assert Contact.objects.count() == 0
    assert Organisation.objects.count() == 0
    assert Tag.objects.count() == 0
    assert list(AuditEvent.objects.values_list("action", flat=True)[audit_before:]) == [
        "import.failed"
    ]
    report = {entry["line"]: entry for entry in import_report(job)}
    assert set(report) == {5, 6, 7}
    assert "email" in report[5]["errors"]
    assert report[6]["errors"] == {"row": ["A contact needs a name or an email address."]}
    assert "country" in report[7]["errors"]
    assert report[5]["values"]["Email"] == "not-an-address"


@pytest.mark.django_db
def test_valid_rows_only_writes_the_valid_rows(importer):
    job = run_import(importer, WITH_ERRORS, mode="valid_only")

    assert job.status == "completed"
    assert (job.total_rows, job.invalid_rows, job.created_count) == (6, 3, 3)
    assert sorted(c.email for c in Contact.objects.all()) == [
        "ada@example.org", "alan@example.org", "grace@example.org",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_repeated_address_in_the_file_is_imported_once(importer):
    text = GOOD + "Ada,Byron,ADA@example.org,,,,\n"

    job = run_import(importer, text)

    assert job.status == "completed"
    assert (job.created_count, job.duplicate_rows, job.skipped_count) == (3, 1, 1)
    assert Contact.objects.with_email("ada@example.org").get().family_name == "Lovelace"
    [entry] = import_report(job)
    assert entry["status"] == "duplicate"
    assert entry["errors"] == {"email": ["Same email address as line 2."]}


@pytest.mark.django_db
def test_an_existing_contact_is_skipped_by_default(importer):
    existing = ContactFactory(
        email="ada@example.org", family_name="Byron", owner=importer, team=importer.team
    )

    job = run_import(importer, GOOD)

    existing.refresh_from_db()
    assert existing.family_name == "Byron"
    assert (job.created_count, job.skipped_count, job.duplicate_rows) == (2, 1, 1)


@pytest.mark.django_db
def test_update_policy_fills_the_existing_contact_and_audits_old_and_new_values(importer):
    existing = ContactFactory(
        email="ada@example.org",
        family_name="Byron",
        job_title="Countess",
        owner=importer,
        team=importer.team,
    )

    job = run_import(importer, GOOD, on_duplicate="update")

    existing.refresh_from_db()
    assert job.updated_count == 1
    assert existing.family_name == "Lovelace"
    assert existing.job_title == "Countess"  # not in the file: left as it was
    assert existing.organisation.name == "Analytical Engines"
    assert sorted(existing.tags.values_list("name", flat=True)) == ["engines", "vip"]
    event = AuditEvent.objects.get(action="contact.updated", object_id=str(existing.pk))
    assert event.changes["family_name"] == ["Byron", "Lovelace"]


@pytest.mark.django_db
def test_update_policy_never_touches_a_contact_the_importer_may_not_see(importer, other_importer):
    hidden = ContactFactory(
        email="ada@example.org", family_name="Byron", owner=other_importer, team=other_importer.team
    )

    job = run_import(importer, GOOD, on_duplicate="update")

    hidden.refresh_from_db()
    assert hidden.family_name == "Byron"
    assert (job.created_count, job.updated_count, job.skipped_count) == (2, 0, 1)


@pytest.mark.parametrize("policy", ["skip", "update"])
@pytest.mark.django_db
def test_importing_the_same_file_again_changes_nothing(importer, policy):
    text = (
        "First Name,Last Name,Email,Company Name,Date of birth,Tags,Mobile\n"
        "Ada,Lovelace,ada@example.org,Analytical Engines,10.12.1985,vip;engines,+44 7700 900123\n"
        "Alan,Turing,alan@example.org,Bletchley Circle,,engines,\n"
        "Grace,Hopper,grace@example.org,Analytical Engines,,,\n"
    )
    first = run_import(importer, text, on_duplicate=policy)
    assert first.status == "completed", first.message
    snapshot = list(Contact.objects.order_by("email").values())
    methods = ContactMethod.objects.count()
    contact_events = _contact_audit_count()

    second = run_import(importer, text, on_duplicate=policy)

    assert second.status == "completed"
    assert (second.created_count, second.updated_count, second.skipped_count) == (0, 0, 3)
    assert list(Contact.objects.order_by("email").values()) == snapshot
    assert ContactMethod.objects.count() == methods == 1
    assert _contact_audit_count() == contact_events


@pytest.mark.django_db
def test_extra_columns_are_ignored_and_named_in_the_report(importer):
    text = "Email,Shoe size,First Name\nada@example.org,38,Ada\n"

    job = upload(importer, text)

    assert job.mapping == {"0": "email", "2": "given_name"}
    job = run_import(importer, text)
    assert Contact.objects.get().custom == {}


@pytest.mark.django_db
def test_a_custom_field_column_is_imported_into_the_custom_values(importer):
    custom_field_create(
        actor=SystemActor("test"),
        key="newsletter",
        label="Newsletter",
        field_type="boolean",
        category="commercial.profile",
    )

    run_import(importer, "Email,Newsletter\nada@example.org,ja\nalan@example.org,no\n")

    assert Contact.objects.with_email("ada@example.org").get().custom == {"newsletter": True}
    assert Contact.objects.with_email("alan@example.org").get().custom == {"newsletter": False}


@pytest.mark.django_db
def test_rows_with_missing_columns_are_reported(importer):
    job = run_import(
        importer, "First Name,Last Name,Email\nAda,Lovelace\nAlan,Turing,alan@example.org\n"
    )

    assert job.status == "failed"
    [entry] = import_report(job)
    assert entry["line"] == 2 and "row" in entry["errors"]
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_a_read_only_user_cannot_import_and_nothing_is_stored(reader, settings):
    with pytest.raises(PermissionDenied):
        upload(reader, GOOD)

    assert ImportJob.objects.count() == 0
    assert not (settings.DATA_DIR / "imports").exists() or not any(
        (settings.DATA_DIR / "imports").iterdir()
    )


@pytest.mark.django_db
def test_an_import_whose_owner_lost_the_right_fails_without_writing(importer):
    job = upload(importer, GOOD)
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    job = services.import_job_check(actor=importer, job=job, inline=True)
    job = services.import_job_start(actor=importer, job=job, inline=False)
    importer.role = "read_only"
    importer.save()

    job = services.import_job_run(job_id=job.pk)

    assert job.status == "failed"
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_someone_else_cannot_map_or_start_my_import(importer, team_mate):
    job = upload(importer, GOOD)

    with pytest.raises(PermissionDenied):
        services.import_job_map(actor=team_mate, job=job, mapping=job.mapping)

    job.refresh_from_db()
    assert job.status == "uploaded"


@pytest.mark.django_db
def test_the_uploaded_file_is_deleted_when_the_import_ends(importer):
    job = run_import(importer, GOOD)

    assert not job.source_path.exists()
    assert not job.staging_path.exists()
    assert job.report_path.exists()


@pytest.mark.django_db
def test_the_files_of_old_imports_are_purged_after_the_retention_period(importer):
    finished = run_import(importer, WITH_ERRORS)
    abandoned = upload(importer, GOOD)
    ImportJob.objects.update(updated_at="2000-01-01T00:00:00Z")

    purged = services.import_files_purge_expired()

    assert purged == 2
    finished.refresh_from_db()
    abandoned.refresh_from_db()
    assert not finished.directory.exists() and finished.files_deleted_at
    assert abandoned.status == "cancelled" and not abandoned.directory.exists()


@pytest.mark.django_db
def test_a_job_cannot_skip_steps_of_the_workflow(importer):
    job = upload(importer, GOOD)

    with pytest.raises(Conflict):
        services.import_job_start(actor=importer, job=job, inline=True)

    job.refresh_from_db()
    assert job.status == "uploaded"


@pytest.mark.django_db
def test_a_cancelled_job_deletes_its_files_and_cannot_run(importer):
    job = upload(importer, GOOD)

    services.import_job_cancel(actor=importer, job=job)

    assert not job.directory.exists()
    with pytest.raises(Conflict):
        services.import_job_map(actor=importer, job=job, mapping={"2": "email"})


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(importer, settings):
    settings.STEWARD_IMPORT_MAX_BYTES = 100

    with pytest.raises(ValidationFailed) as error:
        upload(importer, GOOD)

    assert "file" in error.value.field_errors
    assert ImportJob.objects.count() == 0


def _people(count: int, start: int = 0) -> str:
    lines = ["First Name;Last Name;E-Mail;Firma;Land;Tags"]
    for i in range(start, start + count):
        lines.append(f"Person{i};Example;person{i}@example.org;Firma {i % 37};Deutschland;t{i % 5}")
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_a_large_file_is_written_in_chunks_with_progress(importer):
    job = upload(importer, _people(20_000))
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    job = services.import_job_check(actor=importer, job=job, inline=True)
    job = services.import_job_start(actor=importer, job=job, inline=False)
    progress = []

    job = services.import_job_run(
        job_id=job.pk, chunk_rows=3_000, on_progress=lambda j: progress.append(j.processed_rows)
    )

    assert job.status == "completed"
    assert job.created_count == Contact.objects.count() == 20_000
    assert progress == [3_000, 6_000, 9_000, 12_000, 15_000, 18_000, 20_000]
    assert Organisation.objects.count() == 37
    assert Tag.objects.count() == 5
    assert AuditEvent.objects.filter(action="contact.created").count() == 20_000


@pytest.mark.django_db
def test_a_run_that_crashed_midway_resumes_without_duplicates(importer, monkeypatch):
    job = upload(importer, _people(5_000))
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    job = services.import_job_check(actor=importer, job=job, inline=True)
    job = services.import_job_start(actor=importer, job=job, inline=False)
    original = services._ChunkWriter._create_contacts
    calls = {"n": 0}

    def crash_on_third_chunk(self, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return original(self, rows)

    monkeypatch.setattr(services._ChunkWriter, "_create_contacts", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        services.import_job_run(job_id=job.pk, chunk_rows=1_000)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, Contact.objects.count()) == ("importing", 2_000, 2_000)
    monkeypatch.setattr(services._ChunkWriter, "_create_contacts", original)

    job = services.import_job_run(job_id=job.pk, chunk_rows=1_000)
    again = services.import_job_run(job_id=job.pk)

    assert job.status == again.status == "completed"
    assert job.created_count == Contact.objects.count() == 5_000
    assert AuditEvent.objects.filter(action="contact.created").count() == 5_000
    assert AuditEvent.objects.filter(action="import.completed").count() == 1


@pytest.mark.django_db
def test_the_report_lists_problems_in_file_order(importer):
    ContactFactory(email="alan@example.org")
    text = GOOD + "Bad,Email,not-an-address,,,,\nAda,Again,ada@example.org,,,,\n"

    job = run_import(importer, text, mode="valid_only")

    assert [(e["line"], e["status"]) for e in import_report(job)] == [
        (3, "exists"), (5, "invalid"), (6, "duplicate"),
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_large_file_is_checked_and_imported_by_the_worker_after_commit(
    importer, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    job = upload(importer, _people(services.INLINE_ROWS + 500))
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)

    with django_capture_on_commit_callbacks(execute=True) as checks:
        job = services.import_job_check(actor=importer, job=job)
    assert job.status == "validating" and len(checks) == 1  # not inline: too many rows
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True) as runs:
        services.import_job_start(actor=importer, job=job)
    job.refresh_from_db()

    # One run enqueued (the rest are the new data keys cached once their rows commit).
    assert [r.__qualname__ for r in runs if "import_job" in r.__qualname__] == [
        "import_job_start.<locals>.<lambda>"
    ]
    assert job.status == "completed"
    assert Contact.objects.count() == services.INLINE_ROWS + 500


@pytest.mark.django_db
def test_the_tasks_are_enqueued_in_the_database_queue_only_after_commit(
    importer, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    job = upload(importer, _people(services.INLINE_ROWS + 10))
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.import_job_check(actor=importer, job=job)
        assert DBTaskResult.objects.count() == 0
    for callback in callbacks:
        callback()

    [result] = DBTaskResult.objects.all()
    assert result.task_path == "steward.imports.tasks.import_job_validate_task"
    assert result.args_kwargs["args"] == [str(job.pk)]


@pytest.mark.django_db
def test_an_import_whose_worker_died_is_resumed_by_the_periodic_check(
    importer, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    job = upload(importer, _people(3_000))
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    job = services.import_job_check(actor=importer, job=job, inline=True)
    job = services.import_job_start(actor=importer, job=job, inline=False)
    original = services._ChunkWriter._create_contacts
    monkeypatch.setattr(services._ChunkWriter, "_create_contacts", lambda self, rows: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        services.import_job_run(job_id=job.pk, chunk_rows=1_000)
    monkeypatch.setattr(services._ChunkWriter, "_create_contacts", original)
    fresh = services.import_jobs_resume_stalled()
    ImportJob.objects.filter(pk=job.pk).update(updated_at="2000-01-01T00:00:00Z")

    with django_capture_on_commit_callbacks(execute=True):
        resumed = services.import_jobs_resume_stalled()
    job.refresh_from_db()

    assert (fresh, resumed) == (0, 1)
    assert job.status == "completed"
    assert Contact.objects.count() == 3_000


@pytest.mark.django_db
def test_a_file_broken_by_a_stray_quote_fails_with_the_line_and_writes_nothing(importer):
    good = "".join(f"Person{i},person{i}@example.org\n" for i in range(30))
    text = "First Name,Email\n" + good + '"Alan,alan@example.org\n' + "x" * 1_100_000 + "\n"

    job = run_import(importer, text)

    assert job.status == "failed"
    assert "Line 32 cannot be read as CSV" in job.message
    assert Contact.objects.count() == 0
    assert not job.source_path.exists()


@pytest.mark.django_db
def test_a_file_broken_in_its_first_rows_is_refused_at_upload(importer):
    text = 'First Name,Email\n"Alan,alan@example.org\n' + "x" * 1_100_000 + "\n"

    with pytest.raises(ValidationFailed, match="cannot be read as CSV"):
        upload(importer, text)

    assert ImportJob.objects.count() == 0
