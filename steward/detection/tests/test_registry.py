import pytest

from steward.detection.detectors import (
    DETECTION_CATEGORIES,
    DETECTORS,
    SPECIAL_CATEGORIES,
    TAXONOMY_KEY,
    Finding,
    detect,
    detector,
    guess_language,
    is_special,
)


def test_every_detection_category_maps_to_a_taxonomy_key():
    assert set(TAXONOMY_KEY) == set(DETECTION_CATEGORIES)
    assert TAXONOMY_KEY["credit_card"] == "financial.payment_card"
    assert TAXONOMY_KEY["child"] == "children"


def test_the_art_9_categories_are_special_and_identifiers_are_not():
    special = SPECIAL_CATEGORIES

    assert special == {
        "health", "religion", "ethnicity", "politics", "trade_union", "sexual_orientation"
    }  # fmt: skip
    assert all(TAXONOMY_KEY[c].startswith("special.") for c in SPECIAL_CATEGORIES)
    assert not is_special("email")
    assert not is_special("child")


def test_every_category_has_a_detector():
    detect("load the detectors")
    covered = set().union(*(registered.categories for registered in DETECTORS.values()))

    assert covered == set(DETECTION_CATEGORIES)


def test_it_rejects_a_detector_for_an_unknown_category():
    with pytest.raises(ValueError, match="unknown categories"):
        detector("horoscope", categories={"star_sign"})


def test_a_finding_says_what_where_how_sure_and_why():
    findings = detect("Write to mara.lindqvist@example.com today.")

    assert findings == [Finding("email", 9, 35, 0.99, "mara.lindqvist@example.com", "email")]
    assert findings[0].as_dict()["evidence"] == "mara.lindqvist@example.com"


def test_it_finds_nothing_in_an_empty_text():
    assert detect("") == []


def test_categories_narrow_what_is_returned():
    text = "Mara Lindqvist, mara@example.com, +49 30 12345678"

    findings = detect(text, categories={"phone"})

    assert {finding.category for finding in findings} == {"phone"}


def test_a_checksummed_iban_is_not_also_reported_as_a_phone_number():
    findings = detect("Refund to DE89 3704 0044 0532 0130 00 please.")

    assert [finding.category for finding in findings] == ["iban"]


def test_low_confidence_findings_are_only_returned_when_asked_for():
    # A company's own office address: kept back from reviewers by default.
    text = "Our headquarters are at 12 Baker Street, London NW1 6XE."

    assert [f for f in detect(text) if f.category == "address"] == []
    assert [f.category for f in detect(text, min_confidence=0.0) if f.category == "address"] == [
        "address"
    ]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("The customer asked for the invoice and the contract.", "en"),
        ("Der Kunde hat die Rechnung nicht bezahlt und ist verärgert.", "de"),
        ("Le client a reçu la facture et il est content.", "fr"),
        ("+49 30 12345678", "en"),
    ],
)
def test_it_guesses_the_language_of_a_note(text, language):
    assert guess_language(text) == language


def test_a_regional_language_tag_uses_its_language():
    text = "Elle est hospitalisée depuis lundi."

    assert [f.category for f in detect(text, language="fr-CH")] == ["health"]
    assert [f.category for f in detect(text, language="FR")] == ["health"]
