"""Detectors for identifiers with a shape: email addresses, phone numbers, IBANs, payment
cards, national IDs and IP addresses. Each starts with a cheap prefilter (a character that
must be present) so that most notes cost one scan per detector; checksums decide where
they exist."""

import ipaddress
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import phonenumbers
from stdnum import iban as stdnum_iban
from stdnum import luhn
from stdnum.at import vnr as at_vnr
from stdnum.be import nn as be_nn
from stdnum.ch import ssn as ch_ssn
from stdnum.de import idnr as de_idnr
from stdnum.es import dni as es_dni
from stdnum.es import nie as es_nie
from stdnum.fr import nir as fr_nir
from stdnum.it import codicefiscale as it_codicefiscale
from stdnum.nl import bsn as nl_bsn
from stdnum.pl import pesel as pl_pesel
from stdnum.us import ssn as us_ssn

from steward.detection.detectors.context import (
    REFERENCE_WORDS,
    after,
    before,
    last_match_end,
    words_regex,
)
from steward.detection.detectors.registry import Finding, detector
from steward.detection.detectors.wordlists import words

_DIGIT = re.compile(r"\d")

# --- email -------------------------------------------------------------------------------

_EMAIL = re.compile(
    r"(?<![\w.+%-])"
    r"([A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,62}[A-Za-z0-9_%+-])?)"
    r"@"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,24}))"
    r"(?![\w-]|\.[A-Za-z0-9])"
)
# "logo@2x.png" and "icon@3x.svg" are image names; "pkg@1.2" has no alphabetic TLD anyway.
_FILE_EXTENSIONS = words(
    "png jpg jpeg gif svg webp css js ts py rb go rs java json yaml yml xml txt md pdf "
    "zip gz tar html htm php sh exe dll log ico bmp"
)


@detector("email", categories={"email"})
def find_emails(text: str, language: str) -> Iterator[Finding]:
    if "@" not in text:
        return
    for match in _EMAIL.finditer(text):
        local, tld = match.group(1), match.group(3).lower()
        if tld in _FILE_EXTENSIONS or ".." in local:
            continue
        yield Finding("email", match.start(), match.end(), 0.99, match.group(), "email")


# --- phone -------------------------------------------------------------------------------

_PHONE_CANDIDATE = re.compile(
    # Not inside another number or word, except straight after a label ("Tel:+49 ...",
    # "Mob.0171 ...").
    r"(?:(?<![\w+/.,:-])|(?<=[^\W\d_][.:]))"
    # French typography groups digits with narrow no-break spaces (U+202F, U+2009).
    r"((?:\(\+\d{1,3}\)\s?|\+|00)?\(?\d[\d \u00a0\u202f\u2009().\-/]{5,34}\d)"
    # An extension glued on ("555-0142x12") ends the number as a space would.
    r"(?!(?!x\d)[\w/-]|[.,:]\d)"
)
# Two numbers written as one run ("020 7946 0992 / 07700 900 555") are split at a spaced
# slash; a slash without spaces ("030/1234567") is part of one number.
_NUMBER_LIST_SEPARATOR = re.compile(r"\s+/\s+")
# "20250101" in "Build 20250101" is a date, "2019-2024" a range of years and "0800-1700"
# opening hours, not phone numbers.
_COMPACT_DATE = re.compile(
    r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])|"
    r"(?:19|20)\d{2}\s?[-/]\s?(?:(?:19|20)\d{2}|\d{2})|"
    # a yearly sequence number: "Angebot 2025-017", "2024/00917"
    r"(?:19|20)\d{2}[-/]\d{1,6}|"
    # opening hours: "0800-1700"
    r"[0-2]\d[0-5]\d\s?[-–]\s?[0-2]\d[0-5]\d|"
    # a date written with spaces: "12 03 2025"
    r"\d{1,2} \d{1,2} (?:19|20)\d{2}"
)
# Ranges set aside for drama and documentation (Ofcom: 07700 900xxx, 01632 960xxx;
# NANP: 555-01xx, and the (555) area code of films): libphonenumber calls them invalid,
# but notes, examples and test data are full of them and they stand for real numbers.
_FICTITIOUS_NATIONAL = re.compile(r"^(?:7700900|1632960|555\d{7}|\d{3}55501\d\d$|55501\d\d$)")
_DATE_INSIDE = re.compile(
    r"(?<!\d)(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)\d{2}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}|"
    r"\d{1,2}/\d{1,2}/\d{2}|\d{1,2}/(?:19|20)\d{2})(?!\d)"
)
# "1.234.567", and "1 500 000" or "12 500 000" written with spaces: amounts and counts. A
# leading group of three ("612 345 678") is a Spanish or Polish mobile number.
_THOUSANDS = re.compile(
    r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|[1-9]\d?(?:[ \u00a0]\d{3})+(?:,\d{1,2})?"
)
_PHONE_WORDS = words_regex(
    # A label with its "number" word ("Tel.-Nr.", "Handy-Nr.:", "phone no.") comes first so
    # that its "Nr."/"no." is not taken for a reference number's.
    r"(?:tel|tele?phone|phone|telefon|handy|mobil|mobile|mob|fax|festnetz|cell)\.?[\s-]?"
    r"(?:nr|no|n°|num|number|nummer)\.?",
    r"telefonnr\.?", r"telnr\.?", r"handynr\.?", r"mobilnr\.?", r"faxnr\.?", r"gsm",
    r"tel\.?", r"tele?phone", r"phone", r"phoned", r"mobile", r"mob\.?", r"cell", r"call",
    r"called", r"ring", r"rang", r"landline", r"fax", r"whatsapp", r"sms", r"text", r"number",
    r"telefon", r"telefonnummer", r"handy", r"handynummer", r"mobil", r"mobilnummer",
    r"rufnummer", r"festnetz", r"anruf", r"anrufen", r"erreichbar", r"unter", r"durchwahl",
    r"nummer", r"zentrale", r"telephone", r"tel", r"portable", r"fixe", r"numero", r"joindre",
    r"appeler", r"rappeler", r"appel", r"standard", r"au",
    r"direct line", r"line", r"ligne directe", r"ligne", r"hotline", r"helpdesk",
    r"switchboard", r"reception", r"extension", r"ext\.?", r"poste", r"fon", r"mobiltelefon",
    r"telefonisch", r"movil", r"telefono", r"cellulare", r"cellphone",
)  # fmt: skip
# Identifier labels whose numbers are written like phone numbers ("Steuernummer
# 021/815/08150"); the short ones of _ID_WORDS ("nie", "tin") are ordinary words too often.
_TAX_AND_ID_WORDS = words_regex(
    r"steuernummer", r"steuer-?nr\.?", r"st\.?-?nr\.?", r"steuer-?id", r"tax id", r"tax number",
    r"social security", r"ssn", r"national insurance", r"sozialversicherungsnummer",
    r"sv-?nummer", r"versicherungsnummer", r"ahv-?nummer", r"securite sociale",
    r"numero fiscal", r"identifiant fiscal",
)  # fmt: skip
# "512 345 678 (mobile)": the label after the number.
_PHONE_LABEL_AFTER = re.compile(
    r"^\s*\((?:mobile|mobil|handy|portable|cell|gsm|landline|festnetz|fixe|fax|whatsapp|"
    r"tel\.?|phone|telephone|telefon)\b"
)
_MONEY_OR_UNIT_BEFORE = re.compile(r"(?:[€$£¥]|(?<!\w)(?:eur|usd|gbp|chf|fr\.|rs\.?))\s*$")
_IPV4_SHAPE = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_MONEY_OR_UNIT_AFTER = re.compile(
    r"^\s*(?:[€$£¥%‰]|eur\b|euro|usd\b|gbp\b|chf\b|dollar|pound|kg\b|g\b|km\b|m\b|m²|m2\b|"
    r"cm\b|mm\b|l\b|units?\b|pcs\b|stuck|stk\b|pieces?\b|items?\b|seats?\b|licen[cs]es?\b|"
    r"lizenzen\b|x\b|×|mal\b|h\b|min\b)"
)
_REGIONS = {
    "en": ("GB", "US", "IE"),
    "de": ("DE", "AT", "CH"),
    "fr": ("FR", "BE", "CH"),
    "nl": ("NL", "BE"),
    "es": ("ES",),
    "it": ("IT", "CH"),
}
_ALL_REGIONS = ("GB", "US", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "IT", "LU")


@detector("phone", categories={"phone"})
def find_phones(text: str, language: str) -> Iterator[Finding]:
    if not _has_digit_run(text, 6):
        return
    for match in _PHONE_CANDIDATE.finditer(text):
        found = _phone_at(text, match.group(1), match.start(1), language)
        if found is not None:
            yield found
            continue
        # The run may be two numbers side by side: try each part on its own.
        offset = match.start(1)
        parts = _NUMBER_LIST_SEPARATOR.split(match.group(1))
        if len(parts) < 2:
            continue
        position = 0
        for part in parts:
            position = match.group(1).index(part, position)
            found = _phone_at(text, part, offset + position, language)
            if found is not None:
                yield found
            position += len(part)


def _phone_at(text: str, candidate: str, start: int, language: str) -> Finding | None:
    """The phone finding for `candidate` at `start` in `text`, or None when it is not one."""
    end = start + len(candidate)
    # A closing parenthesis left over at the end ("(030) 1234") belongs to the number; an
    # opening one without its pair does not.
    if candidate.count("(") != candidate.count(")"):
        if candidate.startswith("(") and ")" not in candidate:
            candidate, start = candidate[1:], start + 1
        elif candidate.endswith(")"):
            candidate = candidate[:-1].rstrip()
            end = start + len(candidate)
        else:
            return None
    digits = sum(char.isdigit() for char in candidate)
    if not 7 <= digits <= 15:
        return None
    if (
        _DATE_INSIDE.search(candidate)
        or _THOUSANDS.fullmatch(candidate)
        or _IPV4_SHAPE.fullmatch(candidate)
        or _COMPACT_DATE.fullmatch(candidate)
    ):
        return None
    window = before(text, start, 40)
    if _MONEY_OR_UNIT_BEFORE.search(window) or _MONEY_OR_UNIT_AFTER.match(after(text, end)):
        return None
    phone_context = last_match_end(_PHONE_WORDS, window)
    if phone_context < 0 and _PHONE_LABEL_AFTER.match(after(text, end)):
        phone_context = len(window)
    # A tax number ("Steuernummer 021/815/08150") is written like a phone number.
    reference_context = max(
        last_match_end(REFERENCE_WORDS, window), last_match_end(_TAX_AND_ID_WORDS, window)
    )
    if reference_context > phone_context or window.rstrip().endswith("#"):
        return None
    international = candidate.startswith(("+", "00", "(+"))
    separated = any(not char.isdigit() for char in candidate)
    number = _parse_phone(
        candidate,
        language,
        labelled=phone_context >= 0,
        # A national number with a trunk zero, written in groups and as long as a mobile
        # number ("079 123 45 67"), is a phone number of some region even in a note in
        # another language; shorter ones are too often room, build or cost-centre codes.
        widely=phone_context >= 0
        or (separated and 10 <= digits <= 13 and candidate.lstrip("(").startswith("0")),
    )
    if number is None:
        return None
    confidence = 0.97 if phone_context >= 0 else 0.9 if (international or separated) else 0.7
    return Finding("phone", start, end, confidence, candidate, "phone")


def _parse_phone(candidate: str, language: str, *, labelled: bool, widely: bool):
    """The number `candidate` stands for in the regions of `language` (all regions when
    `widely`), or None. Valid numbers always count; a number of the right length for its
    region counts after a phone label, and a fictitious-range number always."""
    candidate = candidate.replace("\u202f", " ").replace("\u2009", " ")
    if candidate.startswith("(+"):
        # "(+44) 20 7946 0500": the country code in brackets.
        candidate = candidate[1:].replace(")", "", 1)
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    if candidate.startswith("+"):
        regions: tuple[str | None, ...] = (None,)
    else:
        regions = _REGIONS.get(language, ("GB", "US", "DE", "FR"))
        if widely:
            regions += tuple(r for r in _ALL_REGIONS if r not in regions)
    # A bare run without a trunk zero or country code ("1200000") is rarely a phone number
    # even after a word like "call"; only a valid number counts then.
    loose = labelled and candidate.lstrip("(")[:1] in ("+", "0")
    possible = None
    for region in regions:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return number
        if possible is None and phonenumbers.is_possible_number(number):
            national = str(number.national_number)
            if loose or _FICTITIOUS_NATIONAL.match(national):
                possible = number
    return possible


_DIGIT_RUNS: dict[int, re.Pattern[str]] = {}


def _has_digit_run(text: str, count: int) -> bool:
    """A cheap prefilter: at least `count` digits with only separators between them."""
    pattern = _DIGIT_RUNS.get(count)
    if pattern is None:
        pattern = _DIGIT_RUNS[count] = re.compile(
            r"\d(?:[ ./()\u00a0\u202f\u2009-]{0,2}\d){" + str(count - 1) + "}"
        )
    return pattern.search(text) is not None


# --- IBAN --------------------------------------------------------------------------------

_IBAN = re.compile(r"(?<![A-Za-z0-9])([A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30})(?![A-Za-z0-9])")


@detector("iban", categories={"iban"})
def find_ibans(text: str, language: str) -> Iterator[Finding]:
    for match in _IBAN.finditer(text):
        candidate = match.group(1)
        # The pattern can run on into a following word in capitals ("... 00 BIC"): try
        # shorter prefixes at group boundaries until the checksum holds.
        parts = candidate.split(" ")
        while parts:
            joined = " ".join(parts)
            if len(joined.replace(" ", "")) >= 15 and stdnum_iban.is_valid(joined):
                start = match.start(1)
                yield Finding("iban", start, start + len(joined), 0.99, joined, "iban")
                break
            parts.pop()


# --- payment cards -----------------------------------------------------------------------

_CARD = re.compile(r"(?<![\d.,/-])(\d{4}(?:[ .-]?\d){9,15})(?![\d]|[.,/-]\d)")
_CARD_SEPARATOR = re.compile(r"[ .-]")
_CARD_WORDS = words_regex(
    # A label with its "number" word ("card no.", "Karten-Nr.", "carte n°") comes first so
    # that its "no."/"Nr." is not taken for a reference number's.
    r"(?:card|karte|karten|kreditkarte|kreditkarten|carte|cc|visa|mastercard|amex)[\s-]?"
    r"(?:nr|no|n°|num|number|nummer|numero|#)\.?",
    r"kartennr\.?", r"kreditkartennummer", r"ec-?karte", r"girocard",
    r"card", r"credit card", r"debit card", r"visa", r"mastercard", r"amex", r"american express",
    r"maestro", r"karte", r"kreditkarte", r"kartennummer", r"carte", r"cb", r"carte bleue",
    r"pan", r"cc",
)  # fmt: skip
# 4-4-4-4 and its 19-digit and 13-digit kin; Amex 4-6-5 (or 4-4-4-3 when read out in
# fours); Diners 4-6-4 (or 4-4-4-2).
_CARD_GROUPS = {
    (4, 4, 4, 4),
    (4, 6, 5),
    (4, 6, 4),
    (4, 4, 4, 4, 3),
    (4, 4, 4, 1),
    (4, 4, 5),
    (4, 4, 4, 3),
    (4, 4, 4, 2),
}


def _known_issuer(digits: str) -> bool:
    """Issuer identification numbers of the card schemes (Visa, Mastercard, Amex, Discover,
    Diners, JCB, Maestro, UnionPay, CB co-branded): other Luhn-valid numbers are rarely
    cards."""
    two, four, length = int(digits[:2]), int(digits[:4]), len(digits)
    if digits[0] == "4":
        return length in (13, 16, 19)
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return length == 16
    if two in (34, 37):
        return length == 15
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return 16 <= length <= 19
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= length <= 19
    if 3528 <= four <= 3589:
        return 16 <= length <= 19
    if two in (50, 56, 57, 58, 62, 63, 67, 69):
        return 12 <= length <= 19
    return False


# A masked number ("4111 **** **** 1111") is not a card number: the first six and last four
# digits do not identify a card, PCI DSS allows them on receipts, and the development notes
# label them as nothing. Only whole numbers that pass Luhn are found.
@detector("credit_card", categories={"credit_card"})
def find_cards(text: str, language: str) -> Iterator[Finding]:
    if not _has_digit_run(text, 13):
        return
    for match in _CARD.finditer(text):
        candidate = match.group(1)
        digits = _CARD_SEPARATOR.sub("", candidate)
        if not 13 <= len(digits) <= 19 or len(set(digits)) == 1:
            continue
        separators = set(_CARD_SEPARATOR.findall(candidate))
        if len(separators) > 1:
            continue
        if separators:
            groups = tuple(len(group) for group in _CARD_SEPARATOR.split(candidate))
            if groups not in _CARD_GROUPS:
                continue
        if not _known_issuer(digits) or not luhn.is_valid(digits):
            continue
        start, end = match.span(1)
        window = before(text, start, 40)
        card_context = last_match_end(_CARD_WORDS, window)
        reference_context = last_match_end(REFERENCE_WORDS, window)
        # A number grouped like a card, of a card scheme and passing Luhn is a card unless
        # a reference word stands right before it ("Order 4111 ...", not "invoice 117 paid
        # with 4111 ...").
        if separators and reference_context < len(window) - 20:
            reference_context = -1
        if reference_context > card_context:
            continue
        confidence = 0.99 if card_context >= 0 else 0.93
        yield Finding("credit_card", start, end, confidence, candidate, "credit_card")


# --- national identifiers ----------------------------------------------------------------


def _compact(value: str) -> str:
    return re.sub(r"[\s.\-/]", "", value)


_ID_WORDS = words_regex(
    r"national insurance", r"ni number", r"ni no\.?", r"nino", r"ssn", r"social security",
    r"tax id", r"tax identification", r"tin", r"id number", r"identity number", r"id card",
    r"passport", r"passport number", r"national id", r"national number", r"driving licen[cs]e",
    r"steuer-?id", r"steuer-?idnr\.?", r"idnr\.?", r"steueridentifikationsnummer",
    r"identifikationsnummer", r"steuernummer", r"sozialversicherungsnummer", r"sv-?nummer",
    r"versicherungsnummer", r"vsnr", r"rentenversicherungsnummer", r"ahv-?nummer", r"ahv",
    r"personalausweis", r"personalausweisnummer", r"ausweisnummer", r"ausweis", r"reisepass",
    r"reisepassnummer", r"passnummer", r"securite sociale", r"numero de secu", r"secu", r"nir",
    r"insee", r"carte vitale", r"carte d'identite", r"cni", r"passeport", r"numero national",
    r"registre national", r"rijksregisternummer", r"bsn", r"burgerservicenummer", r"sofinummer",
    r"dni", r"nie", r"nif", r"codice fiscale", r"pesel",
)  # fmt: skip
_PASSPORT_NUMBER = re.compile(
    r"(?<!\w)(?:passport|reisepass|passeport|personalausweis|ausweis|id card|carte d'identite|"
    r"cni)(?:[\s-]*(?:no\.?|nr\.?|number|nummer|numero|n°|#))?[\s:#]*([A-Z0-9]{6,10})(?!\w)",
    re.IGNORECASE,
)


def _checked(validator: Callable[[str], bool]) -> Callable[[str], bool]:
    def check(value: str) -> bool:
        try:
            return bool(validator(_compact(value)))
        except Exception:  # stdnum raises on odd input instead of answering False
            return False

    return check


@dataclass(frozen=True)
class _IdFormat:
    """A national identifier: its shape, its checksum, and how sure a match is without and
    with a context word nearby. `bare=None`: the number needs a context word (checksums
    that random numbers pass too often, 1 in 10 or 11)."""

    name: str
    pattern: re.Pattern[str]
    is_valid: Callable[[str], bool]
    bare: float | None
    with_context: float
    # Digit-only shapes are skipped in notes without a run of six digits (most notes).
    digits_only: bool = True


def _id_shape(body: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w.-])(" + body + r")(?![\w-]|\.\d)")


_NATIONAL_IDS = (
    _IdFormat(
        "fr_nir",
        _id_shape(r"[12] ?\d{2} ?\d{2} ?(?:\d{2}|2[AB]) ?\d{3} ?\d{3} ?\d{2}"),
        _checked(fr_nir.is_valid),
        0.93,
        0.98,
    ),
    _IdFormat(
        "ch_ahv",
        _id_shape(r"756[. ]?\d{4}[. ]?\d{4}[. ]?\d{2}"),
        _checked(ch_ssn.is_valid),
        0.93,
        0.98,
    ),
    _IdFormat(
        "be_nn",
        _id_shape(r"\d{2}\.\d{2}\.\d{2}[- ]\d{3}[.-]\d{2}"),
        _checked(be_nn.is_valid),
        0.9,
        0.98,
    ),
    _IdFormat("be_nn", _id_shape(r"\d{11}"), _checked(be_nn.is_valid), None, 0.9),
    _IdFormat(
        "de_idnr", _id_shape(r"\d{2} ?\d{3} ?\d{3} ?\d{3}"), _checked(de_idnr.is_valid), None, 0.93
    ),
    _IdFormat("pl_pesel", _id_shape(r"\d{11}"), _checked(pl_pesel.is_valid), None, 0.9),
    _IdFormat(
        "nl_bsn", _id_shape(r"\d{4}\.?\d{2}\.?\d{3}|\d{9}"), _checked(nl_bsn.is_valid), None, 0.9
    ),
    _IdFormat("at_vnr", _id_shape(r"\d{4} ?\d{6}"), _checked(at_vnr.is_valid), None, 0.9),
    _IdFormat("es_dni", _id_shape(r"\d{8}-?[A-Z]"), _checked(es_dni.is_valid), 0.85, 0.97),
    _IdFormat("es_nie", _id_shape(r"[XYZ]-?\d{7}-?[A-Z]"), _checked(es_nie.is_valid), 0.85, 0.97),
    _IdFormat(
        "it_codice_fiscale",
        _id_shape(r"[A-Z]{6}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z]"),
        _checked(it_codicefiscale.is_valid),
        0.95,
        0.98,
        digits_only=False,
    ),
    # UK National Insurance numbers have no checksum, but their shape (two letters from a
    # restricted set, six digits, A-D) is specific enough on its own.
    _IdFormat(
        "gb_nino",
        _id_shape(
            r"(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]"
            r" ?\d{2} ?\d{2} ?\d{2} ?[A-D]"
        ),
        lambda value: True,
        0.85,
        0.97,
    ),
    _IdFormat("us_ssn", _id_shape(r"\d{3}-\d{2}-\d{4}"), _checked(us_ssn.is_valid), 0.75, 0.97),
    _IdFormat("us_ssn", _id_shape(r"\d{9}"), _checked(us_ssn.is_valid), None, 0.85),
)


@detector("national_id", categories={"national_id"})
def find_national_ids(text: str, language: str) -> Iterator[Finding]:
    if not _DIGIT.search(text):
        return
    taken: list[tuple[int, int]] = []
    digit_run = _has_digit_run(text, 6)
    for shape in _NATIONAL_IDS:
        if shape.digits_only and not digit_run:
            continue
        for match in shape.pattern.finditer(text):
            start, end = match.span(1)
            if any(s < end and start < e for s, e in taken):
                continue
            if not shape.is_valid(match.group(1)):
                continue
            window = before(text, start, 50)
            context = last_match_end(_ID_WORDS, window)
            if context < 0 and shape.bare is None:
                continue
            if last_match_end(REFERENCE_WORDS, window) > context:
                continue
            taken.append((start, end))
            confidence = shape.with_context if context >= 0 else shape.bare
            yield Finding("national_id", start, end, confidence, match.group(1), shape.name)
    for match in _PASSPORT_NUMBER.finditer(text):
        start, end = match.span(1)
        value = match.group(1)
        if any(s < end and start < e for s, e in taken) or not _DIGIT.search(value):
            continue
        taken.append((start, end))
        yield Finding("national_id", start, end, 0.8, match.group(), "document_number")


# --- IP addresses ------------------------------------------------------------------------

_IPV4 = re.compile(
    r"(?<![\w.])((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))"
    r"(?![\w/]|\.\d)"
)
_IPV6 = re.compile(r"(?<![\w:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7})(?![\w:])")
_VERSION_BEFORE = re.compile(
    r"(?:version|versions|release|build|firmware|v|ver\.?|v\.|upgrade(?:d)?(?: to)?|update(?:d)?"
    r"(?: to| auf)?|patch(?:ed)?(?: to)?|mise a jour(?: en| vers)?|aktualisiert(?: auf)?|"
    r"installed|installiert|installee?|release notes)\s*$"
)
_IP_WORDS = words_regex(
    r"ip", r"ips", r"address", r"adresse", r"from", r"von", r"aus", r"depuis", r"login", r"logged",
    r"log-?in", r"connexion", r"zugriff", r"zugriffe", r"acces", r"access", r"blocked", r"gesperrt",
    r"bloquee?", r"host", r"client",
)  # fmt: skip
_PERSONAL_DEVICE_WORDS = words_regex(
    r"home", r"laptop", r"pc", r"computer", r"device", r"phone", r"her", r"his", r"their", r"user",
    r"customer", r"kunde", r"kundin", r"client", r"cliente", r"login", r"logged in", r"signed in",
    r"zuhause", r"privat", r"domicile", r"personnel", r"personal",
)  # fmt: skip
_INFRASTRUCTURE_WORDS = words_regex(
    r"server", r"proxy", r"gateway", r"router", r"firewall", r"dns", r"subnet",
    r"data ?cent(?:re|er)", r"datacenter", r"rechenzentrum", r"serveur", r"passerelle",
    r"whitelist", r"allowlist", r"load ?balancer", r"balancer", r"nas", r"printer", r"vpn",
    r"internal", r"intranet", r"lan", r"network", r"\w*netz", r"\w*netzwerk", r"reseau",
    r"drucker", r"imprimante", r"switch", r"cluster", r"kubernetes", r"docker", r"vm",
)  # fmt: skip


@detector("ip_address", categories={"ip_address"})
def find_ip_addresses(text: str, language: str) -> Iterator[Finding]:
    if "." in text:
        for match in _IPV4.finditer(text):
            start, end = match.span(1)
            window = before(text, start, 40)
            if _VERSION_BEFORE.search(window):
                continue
            # "3.2.1.5" with no word about addresses nearby is a version number: real
            # addresses rarely have four small parts.
            parts = [int(part) for part in match.group(1).split(".")]
            if max(parts) <= 20 and not _IP_WORDS.search(window):
                continue
            confidence = _ip_confidence(ipaddress.IPv4Address(match.group(1)), window)
            if confidence:
                yield Finding("ip_address", start, end, confidence, match.group(1), "ip_address")
    if "::" in text or text.count(":") >= 5:
        for match in _IPV6.finditer(text):
            value = match.group(1)
            if sum(c in "0123456789abcdefABCDEF" for c in value) < 3:
                continue
            try:
                address = ipaddress.IPv6Address(value)
            except ValueError:
                continue
            start, end = match.span(1)
            confidence = _ip_confidence(address, before(text, start, 40))
            if confidence:
                yield Finding("ip_address", start, end, confidence, value, "ip_address")


def _ip_confidence(address: ipaddress.IPv4Address | ipaddress.IPv6Address, window: str) -> float:
    if address.is_loopback or address.is_unspecified or address.is_multicast:
        return 0.0
    if int(address) == int(ipaddress.IPv4Address("255.255.255.255")) and address.version == 4:
        return 0.0
    infrastructure = _INFRASTRUCTURE_WORDS.search(window) is not None
    if address.is_private and not address.is_global:
        # Documentation ranges (192.0.2.0/24 ...) count as private to ipaddress but stand in
        # for public addresses in examples; a private address behind a server word is
        # the customer's infrastructure, not a person.
        documentation = any(
            address in network
            for network in _DOCUMENTATION_NETWORKS
            if network.version == address.version
        )
        if not documentation:
            personal = _PERSONAL_DEVICE_WORDS.search(window) is not None
            return 0.7 if personal and not infrastructure else 0.4
    return 0.45 if infrastructure else 0.9


_DOCUMENTATION_NETWORKS = (
    ipaddress.ip_network("192.0.2.0/24"),
    ipaddress.ip_network("198.51.100.0/24"),
    ipaddress.ip_network("203.0.113.0/24"),
    ipaddress.ip_network("2001:db8::/32"),
)
