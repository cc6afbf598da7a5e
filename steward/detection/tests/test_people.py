"""Names, postal addresses, dates of birth and ages."""

import pytest

from steward.detection.detectors import detect


def found(text: str, category: str, language: str | None = None) -> list[str]:
    return [f.evidence for f in detect(text, language=language, categories={category})]


# --- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "name"),
    [
        ("Spoke to Mr Whitfield about the renewal.", "en", "Mr Whitfield"),
        ("Dr. Priya Raman prefers mornings.", "en", "Dr. Priya Raman"),
        ("Liam O'Connor asked for a callback.", "en", "Liam O'Connor"),
        ("Rückruf an Herrn Vogel erbeten.", "de", "Herrn Vogel"),
        ("Frau Dr. Yılmaz hat angerufen.", "de", "Frau Dr. Yılmaz"),
        ("Hans-Peter von Bergen übernimmt den Account.", "de", "Hans-Peter von Bergen"),
        ("Appel avec Mme Lefèvre ce matin.", "fr", "Mme Lefèvre"),
        ("M. Girard demande un devis.", "fr", "M. Girard"),
        ("Jean-Pierre Dubois veut résilier.", "fr", "Jean-Pierre Dubois"),
        ("Sarah told me the budget is approved.", "en", "Sarah"),
    ],
)
def test_it_finds_names_by_title_or_first_name(text, language, name):
    assert found(text, "person", language) == [name]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Grace period ends in May; Will the board agree?", "en"),
        ("Renewal for St Thomas' Hospital procurement team.", "en"),
        ("Marie Curie Hospital ordered 20 licences.", "en"),
        ("Domicile : 12 bis avenue Victor Hugo, 69006 Lyon.", "fr"),
        ("Paroisse Saint-Michel : commande de vidéoprojecteur.", "fr"),
        ("The Mercedes Benz fleet contract renews in June.", "en"),
    ],
)
def test_it_does_not_take_common_words_places_or_organisations_for_people(text, language):
    assert found(text, "person", language) == []


# --- postal addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "address"),
    [
        (
            "Delivery to 12 Baker Street, London NW1 6XE please.",
            "en",
            "12 Baker Street, London NW1 6XE",
        ),
        (
            "Ship to: 221 Maple Avenue, Springfield, IL 62704.",
            "en",
            "221 Maple Avenue, Springfield, IL 62704",
        ),
        ("Lieferadresse: Hauptstraße 5, 10115 Berlin.", "de", "Hauptstraße 5, 10115 Berlin"),
        ("Neue Anschrift: Musterweg 12a, 80331 München.", "de", "Musterweg 12a, 80331 München"),
        ("Neue Adresse: Am Lindenhof 7, 04109 Leipzig.", "de", "Am Lindenhof 7, 04109 Leipzig"),
        ("Livrer au 3 rue de la Paix, 75002 Paris.", "fr", "3 rue de la Paix, 75002 Paris"),
        (
            "Domicile : 8 impasse des Lilas, 33000 Bordeaux.",
            "fr",
            "8 impasse des Lilas, 33000 Bordeaux",
        ),
    ],
)
def test_it_finds_postal_addresses(text, language, address):
    assert found(text, "address", language) == [address]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Visited their headquarters at 1 Canada Square, London E14 5AB.", "en"),
        ("Unser Firmensitz ist in der Industriestraße 12, 70565 Stuttgart.", "de"),
        ("Le siège de la société est au 45 avenue des Champs-Élysées, 75008 Paris.", "fr"),
        ("Messe in Hannover: Stand 12, Halle 4.", "de"),
        ("Meeting moved to Room 3.14 on floor 2.", "en"),
    ],
)
def test_it_does_not_report_company_premises_or_rooms_as_a_persons_address(text, language):
    assert found(text, "address", language) == []


# --- dates of birth and ages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "evidence"),
    [
        ("Tom Hargreaves (DOB 14/02/1979) asked for his data.", "en", "14/02/1979"),
        ("Emily Clarke, born 3 June 1988, wants deletion.", "en", "3 June 1988"),
        ("Lena Hoffmann, geboren am 12.03.1985, verlangt Auskunft.", "de", "12.03.1985"),
        ("Geburtsdatum: 1961-11-03", "de", "1961-11-03"),
        ("Jean Dupont, né le 4 juillet 1972, demande l'accès.", "fr", "4 juillet 1972"),
        ("Date de naissance : 1er mars 1990", "fr", "1er mars 1990"),
        ("Herr Becker (Jg. 1956) möchte große Schrift.", "de", "Jg. 1956"),
        ("She is 67 years old and prefers letters.", "en", "67 years old"),
        ("Der Kunde ist 45 Jahre alt.", "de", "45 Jahre alt"),
        ("La cliente est âgée de 45 ans.", "fr", "âgée de 45 ans"),
    ],
)
def test_it_finds_dates_of_birth_and_ages(text, language, evidence):
    evidences = found(text, "dob", language)

    assert len(evidences) == 1
    assert evidence in evidences[0]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The software was released on 12/05/2019.", "en"),
        ("Contract signed 03.11.2024, renewal due 03.11.2025.", "de"),
        ("The company is 20 years old and has 40 staff.", "en"),
        ("Le projet a démarré il y a 10 ans.", "fr"),
        ("Seit 15 Jahren Kunde bei uns.", "de"),
    ],
)
def test_it_does_not_take_other_dates_or_ages_of_things_for_a_birth(text, language):
    assert found(text, "dob", language) == []


def test_an_age_under_eighteen_is_also_a_child():
    findings = detect("The customer is 15 years old; a parent signs.", language="en")

    assert {f.category for f in findings} >= {"dob", "child"}
