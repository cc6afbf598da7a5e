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
