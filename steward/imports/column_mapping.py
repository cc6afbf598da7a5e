"""Which column of an uploaded file goes into which contact field.

The header names of common exports (HubSpot, Salesforce, Pipedrive, Zoho, Mailchimp, Google
Contacts, Outlook) and German and French headers are recognised; a column whose name matches
a custom field's key or label maps to it; anything else is ignored unless a person maps it."""

import re
import unicodedata
from dataclasses import dataclass

from steward.contacts.models import CustomFieldDefinition
from steward.core.errors import ValidationFailed
from steward.imports.choices import DateOrder

IGNORE = ""
CUSTOM_PREFIX = "custom:"


@dataclass(frozen=True)
class Target:
    """A contact field a column can be imported into."""

    key: str
    label: str
    # Several columns may feed it (further emails, tags, street lines); single-valued
    # targets take one column only.
    many: bool = False


TARGETS: tuple[Target, ...] = (
    Target("given_name", "First name"),
    Target("family_name", "Last name"),
    Target("full_name", "Full name (split into first and last name)"),
    Target("email", "Email"),
    Target("extra_email", "Further email", many=True),
    Target("phone", "Phone"),
    Target("extra_phone", "Further phone (mobile, home...)", many=True),
    Target("job_title", "Job title"),
    Target("organisation", "Organisation (by name)"),
    Target("street", "Street address", many=True),
    Target("postal_code", "Postal code"),
    Target("city", "City"),
    Target("region", "State / region"),
    Target("country", "Country"),
    Target("date_of_birth", "Date of birth"),
    Target("language", "Language"),
    Target("lifecycle_stage", "Lifecycle stage"),
    Target("tags", "Tags", many=True),
)
BUILTIN_TARGETS = {t.key: t for t in TARGETS}
# Targets of which at least one must be mapped: a contact needs a name or an email.
IDENTIFYING_TARGETS = frozenset({"given_name", "family_name", "full_name", "email"})


def header_key(name: str) -> str:
    """A header reduced to comparable letters and digits: "E-Mail-Adresse" -> "emailadresse",
    "Prénom" -> "prenom", "Straße" -> "strasse"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _synonyms(weight: int, target: str, *names: str) -> dict[str, tuple[str, int]]:
    return {header_key(name): (target, weight) for name in names}


# Header -> (target, weight). When two columns suggest the same single-valued target, the
# heavier one wins and the other is left unmapped (Outlook's "Title" is a salutation when
# a "Job Title" column exists; Salesforce's "Title" is the job title).
KNOWN_HEADERS: dict[str, tuple[str, int]] = {
    **_synonyms(
        10, "given_name",
        "First Name", "FirstName", "First", "Given Name", "Forename", "Vorname", "Prénom",
        "Nombre", "Voornaam", "Nome", "Contact First Name", "Person - First name",
        "first_name", "fname", "Rufname", "FNAME",
    ),
    **_synonyms(
        10, "family_name",
        "Last Name", "LastName", "Last", "Surname", "Family Name", "Nachname", "Familienname",
        "Nom", "Nom de famille", "Apellido", "Achternaam", "Cognome", "Contact Last Name",
        "Person - Last name", "last_name", "lname", "LNAME",
    ),
    **_synonyms(
        8, "full_name",
        "Name", "Full Name", "Contact Name", "Display Name", "Person - Name", "Contact",
        "Vollständiger Name", "Nom complet", "Person", "Kontakt",
    ),
    **_synonyms(
        10, "email",
        "Email", "E-Mail", "Email Address", "E-mail Address", "Mail", "E-Mail-Adresse",
        "Emailadresse", "Courriel", "Adresse e-mail", "Adresse électronique", "Correo",
        "Primary Email", "Email 1 - Value", "E-mail 1 - Value", "Email - Work",
        "Person - Email", "Work Email", "Business Email", "Email (Work)", "EMAIL",
        "E-Mail Adresse", "Adresse courriel",
    ),
    **_synonyms(
        5, "extra_email",
        "Secondary Email", "Additional email addresses", "E-mail 2 Address",
        "E-mail 3 Address", "Email 2 - Value", "E-mail 2 - Value", "Email 3 - Value",
        "Email - Home", "Email - Other", "Other Email", "Personal Email", "Private Email",
        "E-Mail 2", "Weitere E-Mail", "Home Email", "Further emails",
    ),
    **_synonyms(
        10, "phone",
        "Phone", "Phone Number", "Telephone", "Tel", "Telefon", "Telefonnummer", "Téléphone",
        "Business Phone", "Primary Phone", "Phone 1 - Value", "Phone - Work", "Work Phone",
        "Office Phone", "Person - Phone", "Numéro de téléphone", "Telefon geschäftlich",
        "PHONE",
    ),
    **_synonyms(
        5, "extra_phone",
        "Mobile", "Mobile Phone", "MobilePhone", "Mobile Phone Number", "Cell", "Cell Phone",
        "Handy", "Mobil", "Mobiltelefon", "Mobilnummer", "Portable", "Téléphone portable",
        "Téléphone mobile", "Home Phone", "HomePhone", "Other Phone", "OtherPhone",
        "Business Phone 2", "Phone 2 - Value", "Phone 3 - Value", "Phone - Mobile",
        "Phone - Home", "Telefon privat", "Telefon (privat)", "Car Phone", "Further phones",
    ),
    **_synonyms(
        10, "job_title",
        "Job Title", "JobTitle", "Position", "Job", "Role", "Berufsbezeichnung", "Funktion",
        "Jobtitel", "Stellenbezeichnung", "Poste", "Fonction", "Intitulé du poste",
        "Organization 1 - Title", "Person - Job title",
    ),
    **_synonyms(3, "job_title", "Title", "Titel"),
    **_synonyms(
        10, "organisation",
        "Company", "Company Name", "Account Name", "Account", "Organisation", "Organization",
        "Organisation Name", "Organization Name", "Organization 1 - Name", "Firma",
        "Firmenname", "Unternehmen", "Entreprise", "Société", "Nom de l'entreprise",
        "Employer", "Person - Organization", "Organization - Name", "COMPANY",
    ),
    **_synonyms(
        10, "street",
        "Street", "Street Address", "Street Address 2", "Address", "Address 1", "Address 2",
        "Address Line 1", "Address Line 2", "MailingStreet", "Mailing Street",
        "Business Street", "Business Street 2", "Address 1 - Street", "Straße", "Strasse",
        "Straße und Hausnummer", "Adresse", "Rue", "Adresse postale", "Home Street",
        "ADDRESS",
    ),
    **_synonyms(
        10, "postal_code",
        "Postal Code", "PostalCode", "Zip", "Zip Code", "ZIP/Postal Code", "Postcode",
        "Post Code", "PLZ", "Postleitzahl", "Code postal", "MailingPostalCode",
        "Mailing Zip/Postal Code", "Business Postal Code", "Address 1 - Postal Code",
        "Home Postal Code", "CP",
    ),
    **_synonyms(
        10, "city",
        "City", "Town", "Ort", "Stadt", "Wohnort", "Ville", "Localité", "MailingCity",
        "Mailing City", "Business City", "Address 1 - City", "Home City",
    ),
    **_synonyms(
        10, "region",
        "State", "Region", "State/Region", "State/Province", "Province", "County",
        "Bundesland", "Kanton", "Département", "MailingState", "Mailing State/Province",
        "Business State", "Address 1 - Region", "Home State",
    ),
    **_synonyms(
        10, "country",
        "Country", "Country/Region", "Country Code", "Land", "Pays", "Nation",
        "MailingCountry", "Mailing Country", "Business Country/Region", "Address 1 - Country",
        "Home Country/Region", "Staat",
    ),
    **_synonyms(
        10, "date_of_birth",
        "Date of birth", "Birthdate", "Birthday", "Birth Date", "DOB", "Geburtsdatum",
        "Geburtstag", "Date de naissance", "Anniversaire", "Fecha de nacimiento",
    ),
    **_synonyms(
        10, "language",
        "Language", "Preferred Language", "Sprache", "Langue", "Language Preference",
    ),
    **_synonyms(
        10, "lifecycle_stage",
        "Lifecycle Stage", "Lifecycle", "Stage", "Contact Stage", "Lebenszyklusphase",
        "Phase du cycle de vie",
    ),
    **_synonyms(
        10, "tags",
        "Tags", "Tag", "Labels", "Label", "Categories", "Group Membership", "Groups",
        "Schlagwörter", "Stichwörter", "Étiquettes", "Segments", "Lists",
    ),
    **_synonyms(4, "tags", "Lead Source", "LeadSource", "Original Source"),
}  # fmt: skip


@dataclass(frozen=True)
class Suggestion:
    """A suggested mapping and the date order read from the file's sample values."""

    mapping: dict[str, str]
    date_order: str


def available_targets() -> list[tuple[str, str]]:
    """(key, label) of every target, the custom fields included, for choice lists."""
    custom = [
        (f"{CUSTOM_PREFIX}{d.key}", f"Custom field: {d.label}")
        for d in CustomFieldDefinition.objects.order_by("position", "label")
    ]
    return [(IGNORE, "Ignore this column"), *((t.key, t.label) for t in TARGETS), *custom]


def suggest_mapping(headers: list[str], samples: list[list[str]]) -> Suggestion:
    """The mapping a person would most likely choose for these headers."""
    custom = {}
    for definition in CustomFieldDefinition.objects.all():
        custom[header_key(definition.key)] = f"{CUSTOM_PREFIX}{definition.key}"
        custom[header_key(definition.label)] = f"{CUSTOM_PREFIX}{definition.key}"
    chosen: dict[str, tuple[int, int]] = {}  # single-valued target -> (weight, column)
    mapping: dict[str, str] = {}
    for column, name in enumerate(headers):
        key = header_key(name)
        if key in custom:
            mapping[str(column)] = custom[key]
            continue
        target, weight = KNOWN_HEADERS.get(key, (IGNORE, 0))
        if not target:
            continue
        if not BUILTIN_TARGETS[target].many:
            if target in chosen and chosen[target][0] >= weight:
                continue
            if target in chosen:
                del mapping[str(chosen[target][1])]
            chosen[target] = (weight, column)
        mapping[str(column)] = target
    # A full-name column is only needed when the name is not already split.
    if "given_name" in chosen or "family_name" in chosen:
        mapping = {col: t for col, t in mapping.items() if t != "full_name"}
    dob_columns = [int(col) for col, t in mapping.items() if t == "date_of_birth"]
    return Suggestion(mapping, guess_date_order(samples, dob_columns))


def guess_date_order(samples: list[list[str]], columns: list[int]) -> str:
    """Month first only when a sample date proves it (12/31/1980); day first otherwise."""
    for row in samples:
        for column in columns:
            value = row[column].strip() if column < len(row) else ""
            match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}", value.split(" ")[0])
            if not match:
                continue
            first, second = int(match[1]), int(match[2])
            if first > 12:
                return DateOrder.DAY_FIRST
            if second > 12:
                return DateOrder.MONTH_FIRST
    return DateOrder.DAY_FIRST


def mapping_clean(mapping: dict[str, str], headers: list[str]) -> dict[str, str]:
    """Checks a mapping chosen by a person; returns it without ignored columns. Raises
    ValidationFailed naming each column that cannot be mapped as asked."""
    valid_targets = {key for key, _ in available_targets()}
    errors: dict[str, list[str]] = {}
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    for column, target in mapping.items():
        if not column.isdigit() or int(column) >= len(headers):
            errors[f"column_{column}"] = ["No such column in the file."]
            continue
        if not target:
            continue
        if target not in valid_targets:
            errors[f"column_{column}"] = [f"Unknown field {target!r}."]
            continue
        single = target.startswith(CUSTOM_PREFIX) or not BUILTIN_TARGETS[target].many
        if single and target in used:
            errors[f"column_{column}"] = [
                f"{headers[int(used[target])]!r} is already imported into this field."
            ]
            continue
        used[target] = column
        clean[column] = target
    if not errors and not IDENTIFYING_TARGETS & set(clean.values()):
        errors["mapping"] = ["Map at least one column to a name or to the email address."]
    if errors:
        summary = "; ".join(msg for msgs in errors.values() for msg in msgs)
        raise ValidationFailed(f"The column mapping cannot be used: {summary}", field_errors=errors)
    return clean
