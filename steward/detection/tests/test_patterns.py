"""Detectors for identifiers with a shape and, where one exists, a checksum."""

import pytest

from steward.detection.detectors import detect


def found(text: str, category: str, language: str | None = None) -> list[str]:
    return [f.evidence for f in detect(text, language=language, categories={category})]


# --- email ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Send it to mara.lindqvist@example.com please.",
        "Bitte an j.weber+crm@example.de schicken.",
        "Écrire à claire.morel@example.fr avant lundi.",
        "Contact: <o.brennan@mail.example.co.uk>",
    ],
)
def test_it_finds_email_addresses(text):
    assert len(found(text, "email")) == 1


@pytest.mark.parametrize(
    "text",
    [
        "Use the logo@2x.png asset on the landing page.",
        "Installed left-pad@1.3.0 and react@18.2.0 in the build.",
        "Ping the user@localhost account on the test box.",
        "Decorate it with @property and @staticmethod.",
        "Meet @ 10:30 in the lobby.",
    ],
)
def test_it_does_not_mistake_code_or_versions_for_email_addresses(text):
    assert found(text, "email") == []


# --- phone ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "number"),
    [
        ("Please call her back on 020 7946 0018 after 2pm.", "en", "020 7946 0018"),
        ("He phoned from (202) 555-0143 about the renewal.", "en", "(202) 555-0143"),
        ("Reach him on +44 161 496 0000.", "en", "+44 161 496 0000"),
        ("Rückruf unter 030 12345678 erbeten.", "de", "030 12345678"),
        ("Handy: 0171 2345678", "de", "0171 2345678"),
        ("Neue Nummer in Wien: 0664 1234567", "de", "0664 1234567"),
        ("Rappeler au 06 12 34 56 78 demain.", "fr", "06 12 34 56 78"),
        ("Appel du +33 6 12 34 56 78 ce matin.", "fr", "+33 6 12 34 56 78"),
        ("Numéro belge : +32 2 555 12 34", "fr", "+32 2 555 12 34"),
    ],
)
def test_it_finds_phone_numbers_of_the_regions_of_the_language(text, language, number):
    assert found(text, "phone", language) == [number]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Order #4481-2291 shipped on 12/03/2024.", "en"),
        ("Invoice total £1,249.00, due 2024-03-12.", "en"),
        ("Ticket 5512-883-221 closed.", "en"),
        ("Revenue was 1.234.567 this quarter.", "en"),
        ("Rechnung Nr. 2024-0815 über 1.250,00 € am 12.03.2024.", "de"),
        ("Bestellung 100234567 storniert.", "de"),
        ("Facture n° 2024-311 de 1 250,00 € envoyée le 12/03/2024.", "fr"),
        ("Numéro de TVA FR 40 303 265 045 pour la facturation.", "fr"),
        ("We shipped 12500000 units last year.", "en"),
    ],
)
def test_it_rejects_dates_prices_quantities_and_references_as_phone_numbers(text, language):
    assert found(text, "phone", language) == []


# --- IBAN ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "iban",
    [
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
        "FR14 2004 1010 0505 0001 3M02 606",
        "NL91ABNA0417164300",
        "AT61 1904 3002 3457 3201",
    ],
)
def test_it_finds_ibans_with_a_valid_checksum(iban):
    assert found(f"Refund to {iban} BIC unknown.", "iban") == [iban]


def test_it_rejects_an_iban_with_one_wrong_digit():
    assert found("Refund to DE89 3704 0044 0532 0130 01 please.", "iban") == []


# --- payment cards -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "card",
    ["4111 1111 1111 1111", "5555-5555-5555-4444", "3782 822463 10005", "4012888888881881"],
)
def test_it_finds_payment_cards_that_pass_luhn(card):
    assert found(f"Card on file: {card}, exp 09/27.", "credit_card") == [card]


@pytest.mark.parametrize(
    "text",
    [
        "Card 4111 1111 1111 1112 was declined.",  # fails Luhn
        "Serial 1234 5678 9012 3452 on the router.",  # Luhn-valid, no card scheme starts so
        "Order number 4111111111111111 shipped.",  # a reference, whatever it looks like
        "Tracking 4111 1111 11 111111 in the system.",  # not grouped like a card
    ],
)
def test_it_rejects_numbers_that_are_not_payment_cards(text):
    assert found(text, "credit_card") == []


# --- national IDs --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("Numéro de sécurité sociale 2 84 05 75 123 456 72 reçu.", "2 84 05 75 123 456 72"),
        ("AHV-Nummer 756.9217.0769.85 für die Lohnabrechnung.", "756.9217.0769.85"),
        ("Rijksregisternummer 85.07.30-033.28", "85.07.30-033.28"),
        ("Seine Steuer-ID lautet 44098256348.", "44098256348"),
        ("BSN 265347178 staat in het dossier.", "265347178"),
        ("DNI 12345678Z escaneado.", "12345678Z"),
        ("Codice fiscale RSSMRA85T10A562S.", "RSSMRA85T10A562S"),
        ("National insurance number JG 10 37 42 A for payroll.", "JG 10 37 42 A"),
        ("SSN 536-22-1234 was pasted by mistake.", "536-22-1234"),
    ],
)
def test_it_finds_national_identifiers(text, evidence):
    assert found(text, "national_id") == [evidence]


@pytest.mark.parametrize(
    "text",
    [
        "Numéro 2 84 05 75 123 456 73 (clé fausse).",  # NIR with a wrong key
        "Order 44098256348 was split in two.",  # a valid tax-ID checksum, but an order
        "Reference 265347178 is on the parcel.",  # passes the BSN 11-test, no context
        "DNI 12345678A escaneado.",  # wrong control letter
    ],
)
def test_it_rejects_numbers_that_are_not_national_identifiers(text):
    assert found(text, "national_id") == []


# --- IP addresses --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Login attempts from 203.0.113.45 were blocked.", "203.0.113.45"),
        ("Zugriff von 192.0.2.77 gesperrt.", "192.0.2.77"),
        ("Connexion depuis 198.51.100.23 ce matin.", "198.51.100.23"),
        ("Last login from 2001:db8:85a3::8a2e:370:7334 (home).", "2001:db8:85a3::8a2e:370:7334"),
    ],
)
def test_it_finds_ip_addresses(text, address):
    assert found(text, "ip_address") == [address]


@pytest.mark.parametrize(
    "text",
    [
        "Customer upgraded to version 10.2.3.4 of the client.",
        "Update auf Version 3.1.4.2 eingespielt.",
        "La version 2.0.1.4 corrige le bug.",
        "Upgrade to 3.2.1.5 fixed the export.",
        "Their allowlist is 198.51.100.0/24.",
        "The service listens on 127.0.0.1 only.",
        "Meeting at 10:30:00 sharp.",
    ],
)
def test_it_does_not_mistake_versions_networks_or_times_for_ip_addresses(text):
    assert found(text, "ip_address") == []
