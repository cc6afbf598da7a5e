"""A column's category from its header (multilingual lexicon) and its sample values."""

from datetime import date

import pytest

from steward.detection.columns import (
    categorise_column,
    categorise_column_by_rules,
    category_from_header,
    category_from_values,
    file_language,
    normalise_header,
    value_shape,
)

_YEAR = date.today().year


def test_headers_are_compared_as_plain_words():
    assert normalise_header("LastLoginIP") == " last login ip "
    assert normalise_header("N° sécu") == " n secu "
    assert normalise_header("Straße_und Hausnummer") == " strasse und hausnummer "


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ("Health notes", "special.health"),
        ("Gesundheitsdaten", "special.health"),
        ("Santé", "special.health"),
        ("Konfession", "special.religious_beliefs"),
        ("He leído y acepto la política de privacidad", "commercial.profile"),
        ("Partito politico", "special.political_opinions"),
        ("Kd.-Nr.", "commercial.profile"),
        ("Liberatoria foto", "commercial.profile"),
        ("Haus-Nr.", "contact.address"),
        ("Konto-Nr.", "financial.iban"),
        ("Tel.-Nr.", "contact.phone"),
        ("Gewerkschaftsmitglied", "special.trade_union_membership"),
        ("Last login IP", "online.ip_address"),
        ("Adresse IP", "online.ip_address"),
        ("Letzte Anmeldung", "online.credentials"),
        ("N° sécu", "identity.national_id"),
        ("Passport number", "identity.national_id"),
        ("Kontonummer", "financial.iban"),
        ("Credit Card Number", "financial.payment_card"),
        ("Geburtsdatum", "identity.date_of_birth"),
        ("Company name", "professional.employer"),
        ("Order number", "commercial.deals"),
        ("Member ID", "commercial.profile"),
        ("Staatsangehörigkeit", "demographic"),
        ("Notfallkontakt", "contact"),
        ("Kommentar", "free_text"),
        ("Remarques", "free_text"),
    ],
)
def test_the_header_lexicon_knows_english_german_and_french_headers(header, category):
    assert category_from_header(header) == category


def test_an_unknown_header_gives_no_category():
    assert category_from_header("Spalte 7") == ""


@pytest.mark.parametrize(
    ("values", "category"),
    [
        (["ada@example.org", "alan@example.com", ""], "contact.email"),
        (["DE89 3704 0044 0532 0130 00", "DE02 1203 0000 0000 2020 51"], "financial.iban"),
        (["203.0.113.5", "198.51.100.23", "192.0.2.9"], "online.ip_address"),
        (["+49 30 1234567", "+33 1 44 55 66 77"], "contact.phone"),
        (["GB", "DE", "fr"], "demographic.country"),
    ],
)
def test_most_values_being_one_thing_name_the_column(values, category):
    assert category_from_values(values).category == category
    assert category_from_values(values).source == "values"


def test_bare_numbers_are_identifiers_not_phone_numbers():
    assert category_from_values(["123456789", "123456790", "123456791"]).category == ""


def test_dates_decades_back_are_dates_of_birth_and_recent_ones_are_not():
    today = date(2026, 6, 1)

    births = category_from_values(["12.03.1975", "01.09.1988", "1964-02-29"], today=today)
    signups = category_from_values(["2024-02-11", "2025-01-03", "2023-12-24"], today=today)

    assert births.category == "identity.date_of_birth"
    assert signups.category == ""


def test_sentences_are_free_text_and_say_what_they_mention():
    notes = category_from_values(
        ["Met at the fair, wants a demo in the autumn.", "Her diabetes makes mornings hard."]
    )

    assert notes.category == "free_text"
    assert notes.mentions == ("special.health",)


def test_a_known_header_wins_over_the_values_and_keeps_their_mentions():
    column = categorise_column("Notes", ["She is a union member.", "Call on Monday please."])

    assert (column.category, column.source) == ("free_text", "header")
    assert column.mentions == ("special.trade_union_membership",)


def test_an_empty_column_with_an_unknown_header_has_no_category():
    column = categorise_column("Spalte 7", ["", " "])

    assert (column.category, column.source) == ("", "none")


def test_short_cells_take_the_language_of_the_file_from_its_headers():
    headers = ["Courriel", "Prénom", "Remarques"]

    assert file_language(headers, [["ada@example.org", "Adèle", "Diabétique"]]) == "fr"
    assert file_language(["Vorname", "Nachname"], [["Ada", "Beispiel"]]) == "de"
    assert file_language(["Email"], [["Elle est là pour le rendez-vous."]]) == "fr"


@pytest.mark.parametrize(
    ("header", "category"),
    [
        ("Apellidos", "identity.name"),
        ("Código postal", "contact.address"),
        ("Forma de pago", "financial"),
        ("NIF/DNI", "identity.national_id"),
        ("Tussenvoegsel", "identity.name"),
        ("Woonplaats", "contact.address"),
        ("BSN", "identity.national_id"),
        ("Ragione sociale", "professional.employer"),
        ("Codice fiscale", "identity.national_id"),
        ("Luogo di nascita", "identity"),
        ("Data di nascita", "identity.date_of_birth"),
        ("Vorname Kind", "children"),
        ("Emergency contact phone", "contact"),
        ("Date du paiement", "commercial.deals"),
        ("Nom adhérent", "identity.name"),
        ("Opted in", "commercial.profile"),
    ],
)
def test_spanish_dutch_and_italian_headers_and_composite_ones_get_their_category(header, category):
    assert category_from_header(header) == category


def test_a_title_column_of_forms_of_address_is_part_of_a_name_not_a_job():
    assert categorise_column("Title", ["Mr", "Dr", "Mrs"]).category == "identity.name"
    assert categorise_column("Title", ["CFO", "Buyer"]).category == "professional.job_title"


def test_a_filled_column_no_rule_names_is_a_fact_kept_about_the_person_on_its_row():
    found = categorise_column_by_rules("Zoekgebied", ["Utrecht-Oost", "Zeist"])

    assert (found.category, found.source) == ("commercial.profile", "none")


def test_a_nameless_or_empty_column_gets_no_category():
    assert categorise_column("Spalte 7", ["x"]).category == ""
    assert categorise_column("Zoekgebied", ["", " "]).category == ""


def test_a_business_vat_number_column_is_not_given_a_personal_category():
    assert categorise_column("Partita IVA", ["01234567890"]).category == ""
    assert categorise_column("VAT number", ["DE123456789"]).category == ""


def test_a_yes_no_column_is_a_flag_not_a_column_of_countries_like_norway():
    found = categorise_column("Certificato rilasciato", ["sì", "no", "no"])

    assert found.category == "commercial.profile"


@pytest.mark.parametrize(
    ("header", "values", "category"),
    [
        # A child's data, whatever field of the child it is (Art. 8).
        ("Camper DOB", ["2015-04-02", "2016-11-20"], "children"),
        ("Nom de l'élève", ["Martin", "Bernard"], "children"),
        ("Leerlingnummer", ["1041", "1042"], "children"),
        ("Barnets fornavn", ["Anton", "Freja"], "children"),
        ("Cognome ragazzo/a", ["LOCATELLI", "PEZZOTTA"], "children"),
        # Dates of birth of the last few years are a child's, whatever the header says.
        ("Geburtsdatum", [f"27-02-{_YEAR - 9}", f"03-05-{_YEAR - 8}"], "children"),
        ("Geburtsdatum", [f"27-02-{_YEAR - 49}", f"03-05-{_YEAR - 38}"], "identity.date_of_birth"),
        # The parent's name is an adult's.
        ("Parent/Guardian Name", ["Ada Miller", "Jon Park"], "identity.name"),
        ("Erziehungsberechtigte/r", ["Eva Schmidt", "Jonas Weber"], "identity.name"),
    ],
)
def test_whose_data_a_column_holds_decides_between_a_child_and_an_adult(header, values, category):
    assert categorise_column(header, values).category == category


def test_a_yes_no_column_named_after_an_address_is_a_preference_about_the_person():
    column = categorise_column("Accepts Email Marketing", ["yes", "no", "yes", "no"])

    assert (column.category, column.source) == ("commercial.profile", "values")


def test_a_date_column_looking_back_or_ahead_records_dealings_with_the_person():
    assert (
        categorise_column("Nächste HU", ["03/2026", "11/2025", "07/2026"]).category
        == "commercial.interactions"
    )
    assert (
        categorise_column("Last Click Date", ["2026-10-02", "2026-09-14"]).category
        == "commercial.interactions"
    )


def test_an_unnamed_column_of_amounts_is_a_deal_and_a_pets_breed_is_no_ethnicity():
    assert categorise_column("Arbeidsloon", ["45,00", "€ 120,50", "60,00"]).category == (
        "commercial.deals"
    )
    assert categorise_column("Raza", ["Pastor alemán", "Labrador"]).category == (
        "commercial.profile"
    )


@pytest.mark.parametrize(
    ("values", "shape"),
    [
        (["ja", "nein", "ja"], "yes_no"),
        (["0", "1", "1"], "yes_no"),
        (["2026-01-02", "2025-12-31 10:15"], "date"),
        (["12.03.2026", "01/2026"], "date"),
        (["12,50", "€ 7", "1.299,00"], "money"),
        (["Anna", "Ben"], ""),
        ([], ""),
    ],
)
def test_the_shape_of_a_columns_values(values, shape):
    assert value_shape(values) == shape


def test_a_yes_no_column_takes_a_special_category_only_from_a_near_labelled_column():
    from steward.detection.column_model import Suggestion
    from steward.detection.columns import ColumnCategory, _founded

    fallback = ColumnCategory("commercial.profile", "none")
    far = Suggestion("special.health", 0.43, "hälsotillstånd")
    near = Suggestion("special.health", 0.8, "Allergies")

    assert _founded(far, ["Ja", "Nej", "Ja"], fallback) is None
    assert _founded(near, ["Ja", "Nej", "Ja"], fallback) == near
    assert _founded(far, ["Diabetes", "Asthma"], fallback) == far
    assert _founded(Suggestion("commercial.deals", 0.4, "Paid"), ["yes", "no"], fallback)


def test_a_check_in_date_is_a_booking_and_a_change_date_is_record_metadata():
    assert categorise_column("Check-in", ["01/07/2025", "05/07/2025"]).category == (
        "commercial.deals"
    )
    assert categorise_column("Checked In", ["Yes", "No"]).category != "commercial.deals"
    assert categorise_column_by_rules("Last changed", ["2026-05-19"]).category == (
        "commercial.profile"
    )
    assert categorise_column_by_rules("Last visit", ["2026-05-19"]).category == (
        "commercial.interactions"
    )


def test_dates_of_the_last_year_are_no_dates_of_birth_even_when_the_model_says_so():
    from steward.detection.column_model import Suggestion
    from steward.detection.columns import ColumnCategory, _founded

    fallback = ColumnCategory("commercial.profile", "none")
    birth = Suggestion("identity.date_of_birth", 0.69, "Geboortedatum")
    recent = [(date.today().replace(day=1)).strftime("%Y-%m-%d")] * 3

    assert _founded(birth, recent, fallback) is None
    assert _founded(birth, [f"14.03.{_YEAR - 40}", f"02.11.{_YEAR - 52}"], fallback) == birth
    assert categorise_column("Geburtsdatum", recent).category == "identity.date_of_birth"


def test_a_column_named_after_an_address_or_number_but_holding_none_is_about_it():
    by_rules = categorise_column_by_rules(
        "Email Subscription Status", ["subscribed", "unsubscribed", "not_set"]
    )

    assert by_rules.category != "contact.email"
    assert categorise_column_by_rules("E-mail", ["ada@example.com", "", "x"]).category == (
        "contact.email"
    )
    assert categorise_column_by_rules("Phone opt-in", ["granted", "refused"]).category != (
        "contact.phone"
    )
    assert categorise_column("EMAIL_BLACKLISTED", ["No", "No", "Yes"]).category == (
        "commercial.profile"
    )


def test_a_column_of_sentences_is_not_a_job_title_whatever_a_word_of_its_header_names():
    sentences = ["Vacaciones del 01/08 al 31/08 - suspender", "Timbre no funciona, llamar"]

    assert categorise_column_by_rules("Observaciones reparto", sentences).category == ("free_text")
    assert categorise_column_by_rules("Reparto", ["Ventas", "Logística"]).category == (
        "professional.job_title"
    )


def test_numbers_under_a_header_naming_a_currency_are_amounts():
    assert categorise_column_by_rules("Kontingent (kr.)", ["650", "650", "780"]).category == (
        "commercial.deals"
    )
    assert categorise_column_by_rules("Kontingent", ["650", "650", "780"]).category != (
        "commercial.deals"
    )
