import io
import json

import pytest
from django.core.management import CommandError, call_command

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.imports.models import ImportJob

from .conftest import write_file

GOOD = "First Name,Last Name,Email\nAda,Lovelace,ada@example.org\nAlan,Turing,alan@example.org\n"
BAD = GOOD + "Bad,Row,not-an-address\n"


def _run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_contacts_imports_a_file_as_the_given_user(tmp_path, importer):
    path = write_file(tmp_path / "people.csv", GOOD)

    output = _run("import", "contacts", str(path), "--as", importer.email)

    assert "Done: 2 created" in output
    assert "First Name" in output and "-> First name" in output
    assert set(Contact.objects.values_list("owner", flat=True)) == {importer.pk}
    assert path.exists()  # the operator's own file is never deleted


@pytest.mark.django_db
def test_import_contacts_fails_and_writes_nothing_when_a_row_is_invalid(tmp_path):
    path = write_file(tmp_path / "people.csv", BAD)

    with pytest.raises(CommandError, match="Nothing was imported"):
        _run("import", "contacts", str(path))

    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_import_contacts_valid_only_imports_the_valid_rows_and_prints_the_problems(tmp_path):
    path = write_file(tmp_path / "people.csv", BAD)

    output = _run("import", "contacts", str(path), "--valid-only")

    assert "line 4: email:" in output
    assert Contact.objects.count() == 2
    assert Contact.objects.filter(owner__isnull=True).count() == 2
    assert (
        AuditEvent.objects.filter(action="contact.created", actor_label="system:cli").count() == 2
    )


@pytest.mark.django_db
def test_a_dry_run_reports_and_writes_nothing(tmp_path):
    path = write_file(tmp_path / "people.csv", BAD)

    with pytest.raises(CommandError, match="1 rows have errors"):
        _run("import", "contacts", str(path), "--dry-run")
    output = _run("import", "contacts", str(write_file(tmp_path / "ok.csv", GOOD)), "--dry-run")

    assert "Dry run: nothing was written." in output
    assert Contact.objects.count() == 0
    assert set(ImportJob.objects.values_list("status", flat=True)) == {"cancelled"}


@pytest.mark.django_db
def test_import_contacts_updates_duplicates_when_asked(tmp_path):
    ContactFactory(email="ada@example.org", family_name="Byron")
    path = write_file(tmp_path / "people.csv", GOOD)

    _run("import", "contacts", str(path), "--on-duplicate", "update")

    assert Contact.objects.with_email("ada@example.org").get().family_name == "Lovelace"


@pytest.mark.django_db
def test_import_refuses_a_user_without_the_right_and_an_unknown_user(tmp_path, reader):
    path = write_file(tmp_path / "people.csv", GOOD)

    with pytest.raises(CommandError, match="may not"):
        _run("import", "contacts", str(path), "--as", reader.email)
    with pytest.raises(CommandError, match="No active staff user"):
        _run("import", "contacts", str(path), "--as", "nobody@example.com")

    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_import_names_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        _run("import", "contacts", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_export_contacts_writes_csv_to_stdout_as_the_given_user(importer, other_importer):
    ContactFactory(
        email="mine@example.org", lifecycle_stage="customer", owner=importer, team=importer.team
    )
    ContactFactory(email="theirs@example.org", owner=other_importer, team=other_importer.team)

    output = _run("export", "contacts", "--as", importer.email)

    assert output.splitlines()[0].startswith("ID,First name,Last name,Email")
    assert "mine@example.org" in output and "theirs@example.org" not in output
    assert AuditEvent.objects.get(action="contacts.exported").changes["count"] == [None, 1]


@pytest.mark.django_db
def test_export_contacts_writes_json_to_a_file(tmp_path):
    ContactFactory(email="ada@example.org", lifecycle_stage="customer")
    ContactFactory(email="alan@example.org", lifecycle_stage="lead")
    target = tmp_path / "out.json"

    _run(
        "export",
        "contacts",
        "--format",
        "json",
        "--output",
        str(target),
        "--lifecycle-stage",
        "customer",
    )

    assert [r["email"] for r in json.loads(target.read_text())] == ["ada@example.org"]


@pytest.mark.django_db
def test_export_contacts_asks_the_gate_and_tells_who_was_left_out(tmp_path, capsys):
    ContactFactory(email="ada@example.org", lifecycle_stage="customer")
    ContactFactory(email="alan@example.org", lifecycle_stage="lead")
    target = tmp_path / "out.json"

    _run("export", "contacts", "--format", "json", "--output", str(target))

    assert [r["email"] for r in json.loads(target.read_text())] == ["ada@example.org"]
    err = capsys.readouterr().err
    assert "Exported 1 contact for customer-management" in err
    assert "1 left out: 1 no contract or open deal." in err


@pytest.mark.django_db
def test_export_contacts_refuses_an_unknown_purpose():
    with pytest.raises(CommandError, match="Unknown purpose 'nope'"):
        _run("export", "contacts", "--purpose", "nope")
