"""Turning one CSV row into the values of a contact, or into the reasons it cannot be one.

Values are normalised the way every other entry point normalises them
(steward.contacts.normalise); parsing is lenient where exports differ (dates, countries,
yes/no) and strict where guessing would corrupt data (a shifted row, an unknown stage). This
runs for every row of files with hundreds of thousands of them, so the work that repeats
(a domain's validity, the country table) is done once."""

import datetime
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.utils import timezone, translation
from django_countries import countries

from steward.contacts.choices import CustomFieldType, LifecycleStage
from steward.contacts.models import Contact, CustomFieldDefinition, Organisation, Tag
from steward.contacts.normalise import normalise_email, normalise_phone
from steward.imports.choices import DateOrder
from steward.imports.column_mapping import CUSTOM_PREFIX

# Characters that make a spreadsheet treat a cell as a formula; the export prefixes such
# cells with an apostrophe, which the import takes off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LIST_SPLIT = re.compile(r"\s*(?:[;,]|:::)\s*")
_MULTI_VALUE_SPLIT = re.compile(r"\s*(?:;|:::|\n)\s*")
_ATEXT_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")

TEXT_FIELDS = ("given_name", "family_name", "job_title", "postal_code", "city", "region")
MAX_LENGTH = {
    **{name: Contact._meta.get_field(name).max_length for name in TEXT_FIELDS},
    "street": Contact._meta.get_field("street").max_length,
    "organisation": Organisation._meta.get_field("name").max_length,
    "tags": Tag._meta.get_field("name").max_length,
}

LIFECYCLE_SYNONYMS = {
    **dict.fromkeys(
        ("lead", "subscriber", "marketingqualifiedlead", "salesqualifiedlead", "mql", "sql",
         "new", "open", "other", "interessent", "nouveau"),
        LifecycleStage.LEAD.value,
    ),
    **dict.fromkeys(
        ("prospect", "opportunity", "qualified", "potenziellerkunde", "prospekt"),
        LifecycleStage.PROSPECT.value,
    ),
    **dict.fromkeys(
        ("customer", "client", "evangelist", "kunde", "kundin"), LifecycleStage.CUSTOMER.value
    ),
    **dict.fromkeys(
        ("former", "formercustomer", "churned", "lost", "ehemaligerkunde", "ancienclient"),
        LifecycleStage.FORMER.value,
    ),
}  # fmt: skip
TRUE_WORDS = {"true", "yes", "y", "1", "ja", "oui", "x", "wahr", "vrai"}
FALSE_WORDS = {"false", "no", "n", "0", "nein", "non", "falsch", "faux"}
EMPTY_DATES = {"0/0/00", "00.00.0000", "0000-00-00", "1/1/0001"}


def _plain(text: str) -> str:
    """Lower-case letters and digits only, accents taken off (for lookups)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)))


@cache
def _country_lookup() -> dict[str, str]:
    """Country names in English, German and French, ISO alpha-2 and alpha-3 codes and the
    usual informal names -> ISO alpha-2 code."""
    table: dict[str, str] = {}
    for language in ("fr", "de", "en"):
        with translation.override(language):
            for country in countries:
                table[_plain(str(country.name))] = country.code
    for country in countries:
        table[_plain(countries.alpha3(country.code))] = country.code
        table[_plain(country.code)] = country.code
    aliases = {
        "US": ("usa", "unitedstates", "unitedstatesofamerica", "america", "vereinigtestaaten",
               "etatsunis"),
        "GB": ("uk", "greatbritain", "england", "scotland", "wales", "northernireland",
               "grossbritannien", "angleterre", "royaumeuni", "britain"),
        "NL": ("holland", "thenetherlands"),
        "KR": ("southkorea", "korea"),
        "RU": ("russia", "russland", "russie"),
        "VN": ("vietnam",),
        "IR": ("iran",),
        "SY": ("syria",),
        "TW": ("taiwan",),
        "BO": ("bolivia",),
        "VE": ("venezuela",),
        "TZ": ("tanzania",),
        "MD": ("moldova",),
        "LA": ("laos",),
        "CZ": ("czechrepublic",),
        "DE": ("germany", "deutschland", "brd"),
        "CH": ("schweiz", "suisse", "svizzera"),
        "AT": ("osterreich",),
    }  # fmt: skip
    for code, names in aliases.items():
        for name in names:
            table[name] = code
    return table


@lru_cache(maxsize=4096)
def parse_country(value: str) -> str:
    code = _country_lookup().get(_plain(value))
    if code is None:
        raise ValueError(f"{value!r} is not a country we recognise (use a name or ISO code).")
    return code


@cache
def _language_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for code, name in settings.LANGUAGES:
        table[code.lower()] = code
        table[_plain(str(name))] = code
    return table


@lru_cache(maxsize=1024)
def parse_language(value: str) -> str:
    table = _language_lookup()
    lowered = value.strip().lower().replace("_", "-")
    code = table.get(lowered) or table.get(lowered.split("-")[0]) or table.get(_plain(value))
    if code is None:
        raise ValueError(f"{value!r} is not a language code or name we recognise.")
    return code


@lru_cache(maxsize=1024)
def parse_lifecycle_stage(value: str) -> str:
    stage = LIFECYCLE_SYNONYMS.get(_plain(value))
    if stage is None:
        expected = ", ".join(str(label).lower() for label in LifecycleStage.labels)
        raise ValueError(f"{value!r} is not a lifecycle stage (expected {expected}).")
    return stage


_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-][\d:]+)?)?")
_LOCAL_DATE = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{2}|\d{4})(?: [\d:.]+(?: ?[AP]M)?)?", re.I)


def parse_date(value: str, date_order: str) -> datetime.date:
    """ISO dates (with or without a time), 31.12.1980, and 31/12/1980 or 12/31/1980 as the
    file's date order says. Two-digit years are read as the most recent past year."""
    value = value.strip()
    match = _ISO_DATE.fullmatch(value)
    if match:
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    else:
        match = _LOCAL_DATE.fullmatch(value)
        if not match:
            raise ValueError(f"{value!r} is not a date (use e.g. 1980-12-31 or 31.12.1980).")
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        month_first = match[2] == "/" and date_order == DateOrder.MONTH_FIRST
        month, day = (first, second) if month_first else (second, first)
        if len(match[4]) == 2:
            this_year = timezone.now().year
            year += 2000 if 2000 + year <= this_year else 1900
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise ValueError(f"{value!r} is not a valid date.") from None


def parse_birth_date(value: str, date_order: str) -> datetime.date:
    date = parse_date(value, date_order)
    if date > timezone.now().date():
        raise ValueError(f"{value!r} is in the future.")
    if date.year < 1900:
        raise ValueError(f"{value!r} is before 1900.")
    return date


def custom_value(definition: CustomFieldDefinition, value: str, date_order: str) -> Any:
    """A custom field's value from a cell, in the form Contact.custom stores it."""
    match definition.field_type:
        case CustomFieldType.NUMBER:
            try:
                return str(Decimal(value.replace(" ", "").replace(",", ".")))
            except InvalidOperation:
                raise ValueError(f"{value!r} is not a number.") from None
        case CustomFieldType.DATE:
            return parse_date(value, date_order).isoformat()
        case CustomFieldType.BOOLEAN:
            word = value.strip().lower()
            if word in TRUE_WORDS:
                return True
            if word in FALSE_WORDS:
                return False
            raise ValueError(f"{value!r} is not yes or no.")
        case CustomFieldType.CHOICE:
            for choice in definition.choices:
                if choice.casefold() == value.casefold():
                    return choice
            raise ValueError(f"{value!r} is not one of {', '.join(definition.choices)}.")
        case _:
            if len(value) > 1000:
                raise ValueError("Longer than 1000 characters.")
            return value


class EmailNormaliser:
    """normalise_email with the domain's validation done once per domain: an import of
    100,000 addresses at a few dozen domains validates a few dozen domains, not 100,000.
    Plain ASCII local parts are checked here against the same rule the validator applies
    (RFC 5322 dot-atom); anything else goes through normalise_email whole."""

    def __init__(self) -> None:
        self._domains: dict[str, str | ValueError] = {}

    def __call__(self, raw: str) -> str:
        value = raw.strip()
        local, at, domain = value.rpartition("@")
        if not at or len(local) > 64 or len(value) > 254 or not _ATEXT_LOCAL.fullmatch(local):
            return normalise_email(value)
        key = domain.lower()
        known = self._domains.get(key)
        if known is None:
            try:
                known = normalise_email(f"a@{domain}")[2:]
            except ValueError as error:
                known = error
            if len(self._domains) > 50_000:
                self._domains.clear()
            self._domains[key] = known
        if isinstance(known, ValueError):
            return normalise_email(value)
        result = f"{local.lower()}@{known}"
        if len(result) > 254:
            return normalise_email(value)
        return result


@dataclass(slots=True)
class ParsedRow:
    """One data row: the contact values it yields, or the errors that stop it."""

    index: int
    line: int
    fields: dict[str, Any] = field(default_factory=dict)
    organisation: str = ""
    tags: list[str] = field(default_factory=list)
    extra_emails: list[str] = field(default_factory=list)
    extra_phones: list[str] = field(default_factory=list)
    custom: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def email(self) -> str:
        return self.fields.get("email", "")

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def staged(self) -> tuple:
        """The row as plain values (marshal-able: no dates) for the staging file."""
        fields = self.fields
        if "date_of_birth" in fields:
            fields = {**fields, "date_of_birth": fields["date_of_birth"].isoformat()}
        return (
            self.index,
            self.line,
            fields,
            self.organisation,
            self.tags,
            self.extra_emails,
            self.extra_phones,
            self.custom,
        )

    @classmethod
    def from_staged(cls, values: tuple) -> "ParsedRow":
        index, line, fields, organisation, tags, emails, phones, custom = values
        if "date_of_birth" in fields:
            fields["date_of_birth"] = datetime.date.fromisoformat(fields["date_of_birth"])
        return cls(index, line, fields, organisation, tags, emails, phones, custom)


class RowParser:
    """Parses rows of one file under one mapping; build it once per pass over the file."""

    def __init__(
        self,
        *,
        headers: list[str],
        mapping: dict[str, str],
        date_order: str,
        custom_fields: list[CustomFieldDefinition],
    ):
        self.headers = headers
        self.width = len(headers)
        self.date_order = date_order
        self.email = EmailNormaliser()
        definitions = {d.key: d for d in custom_fields}
        self.columns: list[tuple[int, str]] = sorted((int(c), t) for c, t in mapping.items() if t)
        self.custom = {
            target: definitions[target.removeprefix(CUSTOM_PREFIX)]
            for _, target in self.columns
            if target.removeprefix(CUSTOM_PREFIX) in definitions
            and target.startswith(CUSTOM_PREFIX)
        }
        self._setters: dict[str, Callable[[ParsedRow, str], None]] = {
            "given_name": self._text("given_name"),
            "family_name": self._text("family_name"),
            "job_title": self._text("job_title"),
            "postal_code": self._text("postal_code"),
            "city": self._text("city"),
            "region": self._text("region"),
            "full_name": self._full_name,
            "email": self._email,
            "extra_email": self._extra_email,
            "phone": self._phone,
            "extra_phone": self._extra_phone,
            "organisation": self._organisation,
            "street": self._street,
            "country": self._country,
            "date_of_birth": self._date_of_birth,
            "language": self._language,
            "lifecycle_stage": self._lifecycle_stage,
            "tags": self._tags,
        }

    def mapped_values(self, cells: list[str]) -> dict[str, str]:
        """Header -> cell of the mapped columns (what the report shows for a row)."""
        return {
            self.headers[column]: cells[column] if column < len(cells) else ""
            for column, _ in self.columns
        }

    def parse(self, index: int, line: int, cells: list[str]) -> ParsedRow:
        row = ParsedRow(index, line)
        if len(cells) != self.width:
            if len(cells) < self.width:
                row.add_error(
                    "row",
                    f"The row has {len(cells)} values but the header has {self.width} "
                    "columns: values are missing or the row is cut off.",
                )
                return row
            if any(cell.strip() for cell in cells[self.width :]):
                row.add_error(
                    "row",
                    f"The row has {len(cells)} values but the header has {self.width} "
                    "columns: a delimiter or quote inside a value may have shifted it.",
                )
                return row
        phones: list[str] = []
        for column, target in self.columns:
            value = cells[column].strip()
            if not value:
                continue
            if value[0] == "'" and value[1:2] in FORMULA_TRIGGERS and len(value) > 1:
                value = value[1:]
            if target == "phone" or target == "extra_phone":
                # Parsed once the row's country is known: it sets the dialling region.
                phones.append(target)
                phones.append(value)
                continue
            setter = self._setters.get(target)
            if setter is not None:
                setter(row, value)
            elif target in self.custom:
                try:
                    row.custom[self.custom[target].key] = custom_value(
                        self.custom[target], value, self.date_order
                    )
                except ValueError as error:
                    row.add_error(target, str(error))
        for position in range(0, len(phones), 2):
            self._setters[phones[position]](row, phones[position + 1])
        fields = row.fields
        named = fields.get("given_name") or fields.get("family_name") or fields.get("email")
        if not named and not row.errors.get("email"):
            row.add_error("row", "A contact needs a name or an email address.")
        if row.extra_emails:
            primary = fields.get("email", "")
            row.extra_emails = [e for e in dict.fromkeys(row.extra_emails) if e != primary]
        if row.extra_phones:
            primary = fields.get("phone", "")
            row.extra_phones = [p for p in dict.fromkeys(row.extra_phones) if p != primary]
        return row

    # Setters: each takes a non-empty, stripped cell.

    def _text(self, name: str) -> Callable[[ParsedRow, str], None]:
        limit = MAX_LENGTH[name]

        def set_text(row: ParsedRow, value: str) -> None:
            if len(value) > limit:
                row.add_error(name, f"Longer than {limit} characters.")
            else:
                row.fields[name] = value

        return set_text

    def _full_name(self, row: ParsedRow, value: str) -> None:
        if "," in value:
            family, _, given = value.partition(",")
        else:
            given, _, family = value.rpartition(" ")
        given, family = given.strip(), family.strip()
        for name, part in (("given_name", given), ("family_name", family)):
            if part and not row.fields.get(name):
                if len(part) > MAX_LENGTH[name]:
                    row.add_error(name, f"Longer than {MAX_LENGTH[name]} characters.")
                else:
                    row.fields[name] = part

    def _email(self, row: ParsedRow, value: str) -> None:
        first, *more = (
            _MULTI_VALUE_SPLIT.split(value) if ";" in value or ":::" in value else [value]
        )
        try:
            row.fields["email"] = self.email(first)
        except ValueError as error:
            row.add_error("email", f"{first!r} is not a valid email address ({error})")
            return
        for extra in more:
            self._extra_email(row, extra)

    def _extra_email(self, row: ParsedRow, value: str) -> None:
        for part in _MULTI_VALUE_SPLIT.split(value):
            if not part:
                continue
            try:
                row.extra_emails.append(self.email(part))
            except ValueError as error:
                row.add_error("extra_email", f"{part!r} is not a valid email address ({error})")

    def _phone(self, row: ParsedRow, value: str) -> None:
        first, *more = (
            _MULTI_VALUE_SPLIT.split(value) if ";" in value or ":::" in value else [value]
        )
        try:
            phone = normalise_phone(first, row.fields.get("country", ""))
        except ValueError as error:
            row.add_error("phone", str(error))
            return
        if len(phone) > 40:
            row.add_error("phone", "Longer than 40 characters.")
            return
        row.fields["phone"] = phone
        for extra in more:
            self._extra_phone(row, extra)

    def _extra_phone(self, row: ParsedRow, value: str) -> None:
        for part in _MULTI_VALUE_SPLIT.split(value):
            if not part:
                continue
            try:
                phone = normalise_phone(part, row.fields.get("country", ""))
            except ValueError as error:
                row.add_error("extra_phone", str(error))
                continue
            row.extra_phones.append(phone)

    def _organisation(self, row: ParsedRow, value: str) -> None:
        if len(value) > MAX_LENGTH["organisation"]:
            row.add_error("organisation", f"Longer than {MAX_LENGTH['organisation']} characters.")
        else:
            row.organisation = value

    def _street(self, row: ParsedRow, value: str) -> None:
        street = f"{row.fields['street']}, {value}" if row.fields.get("street") else value
        if len(street) > MAX_LENGTH["street"]:
            row.add_error("street", f"Longer than {MAX_LENGTH['street']} characters.")
        else:
            row.fields["street"] = street

    def _country(self, row: ParsedRow, value: str) -> None:
        try:
            row.fields["country"] = parse_country(value)
        except ValueError as error:
            row.add_error("country", str(error))

    def _date_of_birth(self, row: ParsedRow, value: str) -> None:
        if value in EMPTY_DATES:
            return
        try:
            row.fields["date_of_birth"] = parse_birth_date(value, self.date_order)
        except ValueError as error:
            row.add_error("date_of_birth", str(error))

    def _language(self, row: ParsedRow, value: str) -> None:
        try:
            row.fields["language"] = parse_language(value)
        except ValueError as error:
            row.add_error("language", str(error))

    def _lifecycle_stage(self, row: ParsedRow, value: str) -> None:
        try:
            row.fields["lifecycle_stage"] = parse_lifecycle_stage(value)
        except ValueError as error:
            row.add_error("lifecycle_stage", str(error))

    def _tags(self, row: ParsedRow, value: str) -> None:
        for name in _LIST_SPLIT.split(value):
            name = name.strip().lstrip("*").strip().lower()
            if not name:
                continue
            if len(name) > MAX_LENGTH["tags"]:
                row.add_error("tags", f"Tag {name[:20]!r}... is longer than 50 characters.")
            elif name not in row.tags:
                row.tags.append(name)


def row_parser_for(job, headers: list[str]) -> RowParser:
    """The parser for an import job's file and mapping."""
    return RowParser(
        headers=headers,
        mapping=job.mapping,
        date_order=job.date_order,
        custom_fields=list(CustomFieldDefinition.objects.all()),
    )
