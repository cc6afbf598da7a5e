"""The special categories of Art. 9 and children's data: keyword lexicons, and business
mentions that are not personal data."""

import pytest

from steward.detection.detectors import detect


def categories(text: str, language: str) -> set[str]:
    special = {"health", "religion", "ethnicity", "politics", "trade_union",
               "sexual_orientation", "child"}  # fmt: skip
    return {f.category for f in detect(text, language=language)} & special


@pytest.mark.parametrize(
    ("text", "language", "category"),
    [
        ("He is off work after knee surgery.", "en", "health"),
        ("Please don't call before 10, she is undergoing chemotherapy.", "en", "health"),
        ("Sie ist nach einer Hüftoperation in der Reha.", "de", "health"),
        ("Der Kunde ist seit drei Wochen krankgeschrieben.", "de", "health"),
        ("Elle est hospitalisée depuis lundi.", "fr", "health"),
        ("Le client est en arrêt maladie (burn-out).", "fr", "health"),
        ("He is a practising Catholic and asked to move the Sunday event.", "en", "religion"),
        ("Er ist Muslim und bittet um Halal-Catering.", "de", "religion"),
        ("M. Roussel est pratiquant juif.", "fr", "religion"),
        ("She described herself as British Pakistani.", "en", "ethnicity"),
        ("Er erwähnte seinen Migrationshintergrund.", "de", "ethnicity"),
        ("Il a évoqué ses origines algériennes.", "fr", "ethnicity"),
        ("He is a Labour party councillor.", "en", "politics"),
        ("Er ist Mitglied der AfD und lehnt den Newsletter ab.", "de", "politics"),
        ("Il milite au Rassemblement national.", "fr", "politics"),
        ("He is a member of Unite the union.", "en", "trade_union"),
        ("Herr Wagner ist Mitglied der IG Metall.", "de", "trade_union"),
        ("M. Girard est délégué CGT.", "fr", "trade_union"),
        ("Mark is gay and mentioned his husband.", "en", "sexual_orientation"),
        ("Sie lebt mit ihrer Ehefrau zusammen.", "de", "sexual_orientation"),
        ("Elle vit avec sa compagne à Nantes.", "fr", "sexual_orientation"),
        ("Her daughter is starting school in September.", "en", "child"),
        ("Petra hat zwei Kinder im Grundschulalter.", "de", "child"),
        ("Isabelle a trois enfants dont un en bas âge.", "fr", "child"),
    ],
)
def test_it_finds_special_categories_and_children(text, language, category):
    assert category in categories(text, language)


def test_matching_ignores_case_and_missing_accents():
    assert "health" in categories("Sie ist SCHWANGER.", "de")
    assert "health" in categories("Il est hospitalise depuis lundi.", "fr")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Our client Northwind Health Insurance Ltd renewed 200 seats.", "en"),
        ("The credit union in Leeds wants a demo.", "en"),
        ("Sponsorship request from the European Union trade fair.", "en"),
        ("Account opened for a child account product range.", "en"),
        ("Prospect runs a party supplies shop.", "en"),
        ("Customer asked to switch to the Green energy tariff.", "en"),
        ("Labour costs came in 12% over budget.", "en"),
        ("Server health check failed at 02:00.", "en"),
        ("Church renovation project: the supplier needs 300 m² of oak.", "en"),
        ("The prospect sells hearing aids to clinics.", "en"),
        ("He asked about the mental health first-aid training we offer.", "en"),
        ("Die Krankenkasse AOK ist seit 2019 Kunde.", "de"),
        ("Kunde möchte ein Kinderkonto für die Filiale bewerben.", "de"),
        ("Die Tochtergesellschaft in Wien übernimmt die Abrechnung.", "de"),
        ("Die Gewerkschaft ver.di ist Kunde unseres Druckdienstes.", "de"),
        ("Ein Sanitätshaus bestellt 40 Rollstühle für seinen Shop.", "de"),
        ("Die Europäische Union fördert das Projekt.", "de"),
        ("La mutuelle Harmonie est cliente depuis 2020.", "fr"),
        ("Le client veut promouvoir un compte enfant dans ses agences.", "fr"),
        ("L'Union européenne cofinance le projet.", "fr"),
        ("Le syndicat CFDT est client de notre service d'impression.", "fr"),
        ("Notre client, une clinique vétérinaire à Lyon, commande 12 postes.", "fr"),
        ("Le rayon jouets pour enfants est en promotion.", "fr"),
        ("Nous livrons deux enceintes Bluetooth au client.", "fr"),
    ],
)
def test_business_mentions_are_not_personal_data(text, language):
    assert categories(text, language) == set()


def test_evidence_is_the_matched_text_in_the_original_spelling():
    [finding] = detect("Frau Berger ist in der Reha.", language="de", categories={"health"})

    assert finding.evidence == "Reha"
    assert finding.detector == "special_categories"
