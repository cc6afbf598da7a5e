"""Normalising what people type: emails lower-cased and checked, phones to E.164 where
the number can be parsed. Used by forms, the API and the import path alike."""

import phonenumbers
from email_validator import EmailNotValidError, validate_email


def normalise_email(raw: str) -> str:
    """The address lower-cased and checked for syntax (no DNS: imports must work offline).
    Raises ValueError with a readable reason."""
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(str(error)) from None
    return result.normalized.lower()


def normalise_phone(raw: str, country: str = "") -> str:
    """E.164 (+4930123456) when the number parses, else the digits as typed, trimmed.
    Raises ValueError when the value is clearly not a phone number."""
    value = (raw or "").strip()
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, (country or "").upper() or None)
    except phonenumbers.NumberParseException:
        if sum(ch.isdigit() for ch in value) >= 6 and set(value) <= set("0123456789+-() ./"):
            return value
        raise ValueError(f"{value!r} is not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def address_index_form(value: str) -> str:
    """The form an address takes in its blind index (steward.crypto.blind_index): an email
    lower-cased, a phone number reduced to its digits and a leading +, so that "+49 30
    1234567" and "+49301234567" are one number. Stored values are already normalised by the
    functions above; this also makes a lookup by what someone typed find them."""
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    digits = "".join(ch for ch in value if ch.isdigit())
    if not digits:
        return ""
    return ("+" if value.startswith("+") else "") + digits


def lookup_email(raw: str) -> str:
    """An address as typed into a search or a form, in the form it is stored under:
    normalised when it is a valid address, else lower-cased (it then matches nothing)."""
    try:
        return normalise_email(raw)
    except ValueError:
        return (raw or "").strip().lower()


def lookup_phone(raw: str, country: str = "") -> str:
    """A phone number as typed, in the form it is stored under (E.164 when it parses)."""
    try:
        return normalise_phone(raw, country)
    except ValueError:
        return (raw or "").strip()
