import pytest

from steward.contacts.services import custom_field_create
from steward.core.actor import SystemActor
from steward.core.errors import ValidationFailed
from steward.imports.column_mapping import mapping_clean, suggest_mapping

HUBSPOT = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Company Name", "Lifecycle Stage", "Street Address", "Postal Code", "City", "State/Region",
    "Country/Region", "Job Title", "Date of birth", "Preferred language", "Create Date",
]  # fmt: skip
SALESFORCE = [
    "Id", "FirstName", "LastName", "Email", "Phone", "MobilePhone", "Account Name", "Title",
    "MailingStreet", "MailingCity", "MailingPostalCode", "MailingState", "MailingCountry",
    "Birthdate", "Lead Source", "Description",
]  # fmt: skip


def _targets(headers, samples=()):
    mapping = suggest_mapping(headers, list(samples)).mapping
    return {headers[int(column)]: target for column, target in mapping.items()}


@pytest.mark.django_db
def test_it_maps_a_hubspot_export():
    assert _targets(HUBSPOT) == {
        "First Name": "given_name",
        "Last Name": "family_name",
        "Email": "email",
        "Phone Number": "phone",
        "Mobile Phone Number": "extra_phone",
        "Company Name": "organisation",
        "Lifecycle Stage": "lifecycle_stage",
        "Street Address": "street",
        "Postal Code": "postal_code",
        "City": "city",
        "State/Region": "region",
        "Country/Region": "country",
        "Job Title": "job_title",
        "Date of birth": "date_of_birth",
        "Preferred language": "language",
    }


@pytest.mark.django_db
def test_it_maps_a_salesforce_export():
    assert _targets(SALESFORCE) == {
        "FirstName": "given_name",
        "LastName": "family_name",
        "Email": "email",
        "Phone": "phone",
        "MobilePhone": "extra_phone",
        "Account Name": "organisation",
        "Title": "job_title",
        "MailingStreet": "street",
        "MailingCity": "city",
        "MailingPostalCode": "postal_code",
        "MailingState": "region",
        "MailingCountry": "country",
        "Birthdate": "date_of_birth",
        "Lead Source": "tags",
    }


@pytest.mark.django_db
def test_it_maps_german_and_french_headers():
    german = _targets(
        [
            "Vorname",
            "Nachname",
            "E-Mail-Adresse",
            "Straße",
            "PLZ",
            "Ort",
            "Land",
            "Geburtsdatum",
            "Firma",
            "Handy",
        ]
    )
    french = _targets(
        [
            "Prénom",
            "Nom",
            "Courriel",
            "Téléphone",
            "Code postal",
            "Ville",
            "Pays",
            "Date de naissance",
            "Société",
        ]
    )

    assert german == {
        "Vorname": "given_name", "Nachname": "family_name", "E-Mail-Adresse": "email",
        "Straße": "street", "PLZ": "postal_code", "Ort": "city", "Land": "country",
        "Geburtsdatum": "date_of_birth", "Firma": "organisation", "Handy": "extra_phone",
    }  # fmt: skip
    assert french == {
        "Prénom": "given_name", "Nom": "family_name", "Courriel": "email",
        "Téléphone": "phone", "Code postal": "postal_code", "Ville": "city", "Pays": "country",
        "Date de naissance": "date_of_birth", "Société": "organisation",
    }  # fmt: skip


@pytest.mark.django_db
def test_outlooks_salutation_title_gives_way_to_its_job_title_column():
    headers = [
        "Title",
        "First Name",
        "Last Name",
        "Job Title",
        "E-mail Address",
        "E-mail 2 Address",
        "Business Phone",
    ]

    targets = _targets(headers)

    assert "Title" not in targets
    assert targets["Job Title"] == "job_title"
    assert targets["E-mail Address"] == "email"
    assert targets["E-mail 2 Address"] == "extra_email"
    assert targets["Business Phone"] == "phone"


@pytest.mark.django_db
def test_it_maps_google_contacts_and_pipedrive_and_mailchimp_headers():
    google = _targets(
        [
            "Name",
            "Given Name",
            "Family Name",
            "E-mail 1 - Value",
            "Phone 1 - Value",
            "Organization 1 - Name",
            "Group Membership",
        ]
    )
    pipedrive = _targets(
        ["Person - Name", "Person - Email", "Person - Phone", "Person - Organization"]
    )
    mailchimp = _targets(
        ["Email Address", "First Name", "Last Name", "Address", "Phone Number", "TAGS"]
    )

    assert google == {
        "Given Name": "given_name", "Family Name": "family_name", "E-mail 1 - Value": "email",
        "Phone 1 - Value": "phone", "Organization 1 - Name": "organisation",
        "Group Membership": "tags",
    }  # fmt: skip
    assert pipedrive == {
        "Person - Name": "full_name", "Person - Email": "email", "Person - Phone": "phone",
        "Person - Organization": "organisation",
    }  # fmt: skip
    assert mailchimp["Email Address"] == "email" and mailchimp["TAGS"] == "tags"


@pytest.mark.django_db
def test_a_column_named_like_a_custom_field_maps_to_it():
    custom_field_create(
        actor=SystemActor("test"),
        key="vat_id",
        label="VAT number",
        field_type="text",
        category="commercial.profile",
    )

    assert _targets(["Email", "VAT number", "Shoe size"]) == {
        "Email": "email",
        "VAT number": "custom:vat_id",
    }


@pytest.mark.django_db
def test_it_reads_the_date_order_from_the_sample_values():
    headers = ["Email", "Birthdate"]

    assert suggest_mapping(headers, [["a@example.org", "12/31/1980"]]).date_order == "mdy"
    assert suggest_mapping(headers, [["a@example.org", "31/12/1980"]]).date_order == "dmy"
    assert suggest_mapping(headers, [["a@example.org", "01/02/1980"]]).date_order == "dmy"


@pytest.mark.django_db
def test_it_refuses_two_columns_for_one_single_valued_field():
    with pytest.raises(ValidationFailed) as error:
        mapping_clean({"0": "email", "1": "email"}, ["Email", "Mail"])

    assert error.value.field_errors == {
        "column_1": ["'Email' is already imported into this field."]
    }


@pytest.mark.django_db
def test_it_accepts_several_columns_for_many_valued_fields():
    clean = mapping_clean(
        {"0": "email", "1": "tags", "2": "tags", "3": ""}, ["Email", "A", "B", "C"]
    )

    assert clean == {"0": "email", "1": "tags", "2": "tags"}


@pytest.mark.django_db
def test_it_refuses_a_mapping_without_name_or_email():
    with pytest.raises(ValidationFailed) as error:
        mapping_clean({"0": "city"}, ["City"])

    assert "mapping" in error.value.field_errors


@pytest.mark.django_db
def test_it_refuses_unknown_targets_and_columns():
    with pytest.raises(ValidationFailed) as error:
        mapping_clean({"0": "email", "1": "password", "7": "city"}, ["Email", "Secret"])

    assert set(error.value.field_errors) == {"column_1", "column_7"}
