import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from steward.audit.models import AuditEvent
from steward.contacts.models import Contact
from steward.contacts.tests.factories import ContactFactory
from steward.imports import services
from steward.imports.models import ImportJob

from .conftest import upload

FILE = (
    "Vorname;Nachname;E-Mail;Land;Geburtsdatum\n"
    "Jürgen;Müller;juergen@example.org;Deutschland;10.12.1985\n"
    "Hélène;Lefèvre;helene@example.org;Frankreich;01.02.1990\n"
    "Kaputt;Zeile;kein-email;Deutschland;\n"
)


def _file(text=FILE, name="kontakte.csv", encoding="cp1252"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


@pytest.fixture
def browser(client, importer):
    client.force_login(importer)
    return client


@pytest.mark.django_db
def test_the_wizard_takes_a_file_from_upload_to_imported_contacts(browser, importer):
    start = browser.get(reverse("imports:start"))
    assert start.status_code == 200
    assert b'type="file"' in start.content

    uploaded = browser.post(reverse("imports:start"), {"file": _file()})
    job = ImportJob.objects.get()
    assert uploaded.status_code == 302 and uploaded.url == reverse("imports:map", args=[job.pk])

    mapping_page = browser.get(uploaded.url)
    assert mapping_page.status_code == 200
    assert '<option value="given_name" selected>' in mapping_page.content.decode()
    assert "Jürgen" in mapping_page.content.decode()  # a sample value, decoded from cp1252

    targets = ["given_name", "family_name", "email", "country", "date_of_birth"]
    form = {f"column_{i}": target for i, target in enumerate(targets)}
    mapped = browser.post(reverse("imports:map", args=[job.pk]), {**form, "date_order": "dmy"})
    assert mapped.status_code == 302 and mapped.url == reverse("imports:review", args=[job.pk])

    review = browser.get(mapped.url).content.decode()
    assert "Hélène" in review and "Lefèvre" in review  # preview
    assert "kein-email" in review and "is not a valid email address" in review  # the report
    assert 'name="mode"' in review and 'name="on_duplicate"' in review

    ran = browser.post(
        reverse("imports:run", args=[job.pk]), {"mode": "valid_only", "on_duplicate": "skip"}
    )
    assert ran.status_code == 302 and ran.url == reverse("imports:detail", args=[job.pk])

    summary = browser.get(ran.url).content.decode()
    assert "Import finished" in summary
    assert reverse("contacts:list") in summary
    assert 'hx-trigger="every 1s"' not in summary
    assert sorted(c.email for c in Contact.objects.all()) == [
        "helene@example.org", "juergen@example.org",
    ]  # fmt: skip


@pytest.mark.django_db
def test_all_or_nothing_from_the_wizard_writes_nothing_and_explains_why(browser):
    browser.post(reverse("imports:start"), {"file": _file()})
    job = ImportJob.objects.get()
    mapping = {"column_0": "given_name", "column_1": "family_name", "column_2": "email"}
    browser.post(reverse("imports:map", args=[job.pk]), {**mapping, "date_order": "dmy"})

    browser.post(
        reverse("imports:run", args=[job.pk]), {"mode": "all_or_nothing", "on_duplicate": "skip"}
    )
    page = browser.get(reverse("imports:detail", args=[job.pk])).content.decode()

    assert "Nothing was imported" in page
    assert "kein-email" in page or "is not a valid email address" in page
    assert Contact.objects.count() == 0


@pytest.mark.django_db
def test_the_progress_fragment_polls_while_the_import_runs(browser, importer):
    job = upload(importer, "Email\nada@example.org\n")
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    job = services.import_job_check(actor=importer, job=job, inline=True)
    services.import_job_start(actor=importer, job=job, inline=False)

    fragment = browser.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"})

    assert fragment.status_code == 200
    assert 'hx-trigger="every 1s"' in fragment.content.decode()
    assert "<html" not in fragment.content.decode()


@pytest.mark.django_db
def test_the_report_downloads_as_csv_with_one_line_per_problem_and_field(browser, importer):
    job = upload(importer, "Email,Country\nbad,Narnia\nok@example.org,DE\n")
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    services.import_job_check(actor=importer, job=job, inline=True)

    response = browser.get(reverse("imports:report", args=[job.pk]))

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert [row[:3] for row in rows[1:]] == [["2", "Error", "Email"], ["2", "Error", "Country"]]


@pytest.mark.django_db
def test_a_mapping_without_name_or_email_is_refused_in_place(browser, importer):
    job = upload(importer, FILE, encoding="cp1252")

    response = browser.post(
        reverse("imports:map", args=[job.pk]), {"column_3": "country", "date_order": "dmy"}
    )

    assert response.status_code == 400
    assert "Map at least one column to a name or to the email address" in response.content.decode()
    job.refresh_from_db()
    assert job.status == "uploaded"


@pytest.mark.django_db
def test_a_file_over_the_limit_gets_a_clear_error(browser, settings):
    settings.STEWARD_IMPORT_MAX_BYTES = 50

    response = browser.post(reverse("imports:start"), {"file": _file()})

    assert response.status_code in (400, 413)
    assert "larger than the limit" in response.content.decode()
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_someone_elses_import_is_not_found(client, importer, team_mate):
    job = upload(importer, FILE, encoding="cp1252")
    client.force_login(team_mate)

    for name in ("map", "review", "detail", "report"):
        assert client.get(reverse(f"imports:{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "uploaded"


@pytest.mark.django_db
def test_a_read_only_user_sees_why_and_cannot_upload(client, reader):
    client.force_login(reader)

    page = client.get(reverse("imports:start"))
    refused = client.post(reverse("imports:start"), {"file": _file()})

    assert "may not import" in page.content.decode()
    assert b'type="file"' not in page.content
    assert refused.status_code == 403
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_the_export_downloads_the_visible_contacts_with_the_list_filters(
    browser, importer, other_importer
):
    ContactFactory(
        email="lead@example.org", lifecycle_stage="lead", owner=importer, team=importer.team
    )
    ContactFactory(
        email="buyer@example.org", lifecycle_stage="customer", owner=importer, team=importer.team
    )
    ContactFactory(
        email="hidden@example.org",
        lifecycle_stage="customer",
        owner=other_importer,
        team=other_importer.team,
    )

    response = browser.get(
        reverse("imports:export"), {"lifecycle_stage": "customer", "format": "csv", "download": "1"}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="contacts.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["Email"] for row in rows] == ["buyer@example.org"]
    assert AuditEvent.objects.filter(action="contacts.exported", actor=importer).count() == 1


@pytest.mark.django_db
def test_the_export_is_refused_to_a_role_without_the_right(client, owner):
    client.force_login(owner)

    response = client.get(reverse("imports:export"))

    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="contacts.exported").exists()


@pytest.mark.django_db
def test_pages_need_a_login(client, importer):
    job = upload(importer, FILE, encoding="cp1252")

    for url in (
        reverse("imports:start"),
        reverse("imports:map", args=[job.pk]),
        reverse("imports:export"),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response.url


@pytest.mark.django_db
def test_the_export_ignores_filter_values_that_do_not_parse(browser, importer):
    ContactFactory(
        email="ada@example.org", lifecycle_stage="customer", owner=importer, team=importer.team
    )

    response = browser.get(
        reverse("imports:export"),
        {"owner": "not-a-uuid", "stage": "vip", "sort": "evil", "download": "1"},
    )

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["Email"] for row in rows] == ["ada@example.org"]


@pytest.mark.django_db
def test_the_check_page_polls_while_rows_are_checked_then_reloads(browser, importer):
    job = upload(importer, "Email\nada@example.org\n")
    job = services.import_job_map(actor=importer, job=job, mapping=job.mapping)
    services.import_job_check(actor=importer, job=job, inline=False)
    url = reverse("imports:review", args=[job.pk])

    page = browser.get(url).content.decode()
    polled = browser.get(url, headers={"HX-Request": "true"})
    services.import_job_validate(job_id=job.pk)
    finished = browser.get(url, headers={"HX-Request": "true"})

    assert 'hx-trigger="every 1s"' in page and "Checking every row" in page
    assert 'hx-trigger="every 1s"' in polled.content.decode()
    assert finished.status_code == 204 and finished["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_the_export_page_asks_for_a_purpose_and_says_who_is_left_out(browser, importer):
    ContactFactory(
        email="buyer@example.org", lifecycle_stage="customer", owner=importer, team=importer.team
    )
    ContactFactory(
        email="lead@example.org", lifecycle_stage="lead", owner=importer, team=importer.team
    )

    page = browser.get(reverse("imports:export"), {"tag": "vip"})
    everyone = browser.get(reverse("imports:export"))
    download = browser.get(reverse("imports:export"), {"download": "1"})

    assert page.status_code == 200
    assert b'<input type="hidden" name="tag" value="vip">' in page.content
    text = everyone.content.decode()
    assert '<option value="customer-management" selected>' in text
    assert "1</strong> contact may be exported" in text
    assert "1 — no contract or open deal" in text
    assert download["X-Steward-Purpose"] == "customer-management"
    assert (download["X-Steward-Exported"], download["X-Steward-Excluded"]) == ("1", "1")
    assert AuditEvent.objects.filter(action="contacts.exported").count() == 1


@pytest.mark.django_db
def test_the_export_refuses_an_unknown_purpose(browser, importer):
    response = browser.get(reverse("imports:export"), {"purpose": "nope", "download": "1"})

    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="contacts.exported").exists()
