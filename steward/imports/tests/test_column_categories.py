"""Each column of an import file gets a suggested data category: a mapped column its field's
category from the data map, any other column one from its header and values."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from steward.contacts.services import custom_field_create
from steward.imports import services
from steward.imports.column_categories import target_categories
from steward.imports.tests.conftest import upload
from steward.inventory.data_map import data_map

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "columns"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
FILES = sorted(name for name in EXPECTED if not name.startswith("_"))


def _categories(job) -> dict[str, str]:
    return {h: job.column_categories[str(i)]["category"] for i, h in enumerate(job.headers)}


def test_at_least_95_percent_of_the_columns_of_realistic_exports_get_the_right_category(
    importer,
):
    right, wrong = 0, []
    for name in FILES:
        job = upload(importer, (DATA / name).read_bytes(), name=name)
        for header, category in _categories(job).items():
            expected = EXPECTED[name][header]
            if category == expected:
                right += 1
            else:
                wrong.append(f"{name}: {header!r} is {category!r}, expected {expected!r}")

    total = right + len(wrong)
    assert total >= 40
    assert right / total >= 0.95, "\n".join(wrong)


def test_the_files_hold_the_tricky_columns_of_english_german_and_french_exports():
    headers = {h for name in FILES for h in EXPECTED[name]}

    assert {
        "Notes", "Kommentar", "Remarques", "Religion", "Health notes", "Member ID", "IBAN",
        "Kontonummer", "N° sécu", "Geburtsdatum", "DOB", "IP", "Last login IP", "Company",
        "Firma", "Société", "Amount", "Order number",
    } <= headers  # fmt: skip


def test_a_mapped_column_has_the_category_its_field_has_in_the_data_map(importer):
    job = upload(importer, "Email,Geburtsdatum,Handy\nada@example.org,12.03.1975,0151 2345678\n")

    categories = _categories(job)

    annotated = {(r.model, r.field): r.category for r in data_map()}
    assert categories["Email"] == annotated[("contacts.Contact", "email")]
    assert categories["Geburtsdatum"] == annotated[("contacts.Contact", "date_of_birth")]
    # A further phone goes into ContactMethod.value ("contact"): a phone inside it.
    assert categories["Handy"] == "contact.phone"
    assert {job.column_categories[str(i)]["source"] for i in range(3)} == {"field"}


def test_a_column_mapped_to_a_custom_field_has_that_fields_category(importer, admin):
    custom_field_create(
        actor=admin, key="vat", label="VAT number", field_type="text", category="financial"
    )

    job = upload(importer, "Email,VAT number\nada@example.org,DE123456789\n")

    assert job.column_categories["1"] == {
        "category": "financial",
        "source": "field",
        "mentions": [],
    }


def test_every_import_target_has_a_category_from_the_data_map(admin):
    assert all(target_categories().values())


def test_changing_the_mapping_changes_the_category(importer):
    job = upload(importer, "Email,Notes\nada@example.org,Has asthma\n")
    assert job.column_categories["1"]["category"] == "free_text"

    job = services.import_job_map(
        actor=importer, job=job, mapping={"0": "email", "1": "extra_email"}
    )

    # A built-in field holds structured values: its category, and no reading of the text.
    assert job.column_categories["1"] == {
        "category": "contact.email",
        "source": "field",
        "mentions": [],
    }


def test_a_column_unmapped_again_is_categorised_by_its_header_and_values(importer):
    job = upload(importer, "Email,Notes\nada@example.org,Has asthma\n")
    job = services.import_job_map(
        actor=importer, job=job, mapping={"0": "email", "1": "extra_email"}
    )

    job = services.import_job_map(actor=importer, job=job, mapping={"0": "email"})

    assert job.column_categories["1"] == {
        "category": "free_text",
        "source": "header",
        "mentions": ["special.health"],
    }


def test_a_column_mapped_to_a_custom_field_keeps_what_its_values_mention(importer, admin):
    custom_field_create(
        actor=admin, key="remarks", label="Remarks", field_type="text", category="free_text"
    )
    job = upload(importer, "Email,Comments\nada@example.org,Has asthma\n")

    job = services.import_job_map(
        actor=importer, job=job, mapping={"0": "email", "1": "custom:remarks"}
    )

    assert job.column_categories["1"] == {
        "category": "free_text",
        "source": "field",
        "mentions": ["special.health"],
    }


def test_a_notes_column_says_which_special_categories_its_values_mention(importer):
    job = upload(
        importer,
        "Courriel;Prénom;Nom;Remarques\n"
        "ada@example.org;Adèle;Exemple;Diabétique\n"
        "alan@example.org;Alain;Exemple;Catholique pratiquant\n",
    )

    assert job.column_categories["3"]["category"] == "free_text"
    assert job.column_categories["3"]["mentions"] == [
        "special.health",
        "special.religious_beliefs",
    ]


def test_in_a_file_of_children_a_fact_nothing_names_is_a_childs(importer):
    header = "Nome ragazzo/a;Cognome ragazzo/a;Zzqx;Email genitore\n"
    rows = "Aurora;Locatelli;Sì;paola@example.org\nMatteo;Pezzotta;No;marco@example.org\n"

    children = upload(importer, header + rows)
    adults = upload(importer, header.replace("ragazzo/a", "") + rows)

    assert children.column_categories["2"]["category"] == "children"
    assert children.column_categories["2"]["source"] == "file"
    assert children.column_categories["3"]["category"] == "contact.email"
    assert adults.column_categories["2"]["category"] != "children"


def test_the_mapping_page_shows_each_columns_category_and_where_it_came_from(client, importer):
    job = upload(importer, "Email,Religion,Spalte 7\nada@example.org,Lutheran,x\n")
    client.force_login(importer)

    page = client.get(reverse("imports:map", args=[job.pk])).content.decode()

    assert "Email address" in page and "from the field it goes into" in page
    assert "Religious or philosophical beliefs" in page and "Special category (Art. 9)" in page
    assert "from the column name" in page
    assert "Not recognised" in page
