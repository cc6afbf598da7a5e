"""The data-category taxonomy: the built-in categories, as code, and the rules of its tree.

Keys are hierarchical and dotted: "contact.email" lies inside "contact", so a rule about a
parent category covers its children (`category_covers`). This constant is what code
annotations (`personal(field, "contact.email")`) may use, checked by `steward check`
without a database; the DataCategory table holds these same rows (kept in step by
`taxonomy_sync` after every migrate) plus the categories an operator adds.

Sensitivity follows the GDPR's regimes: personal data; special categories (Art. 9(1), which
need an Art. 9(2) condition besides an Art. 6 basis); criminal convictions and offences
(Art. 10). Children's data (Art. 8) is not a fourth regime but a care flag,
`concerns_children`: a child's health data is both special and a child's, which one
sensitivity value could not say.
"""

import re
from dataclasses import dataclass

from django.db import models


class Sensitivity(models.TextChoices):
    PERSONAL = "personal", "Personal data"
    SPECIAL = "special", "Special category (Art. 9)"
    CRIMINAL = "criminal", "Criminal offences (Art. 10)"


@dataclass(frozen=True)
class BuiltinCategory:
    """One category Steward ships with; code annotations may only use these."""

    key: str
    label: str
    description: str
    sensitivity: str = Sensitivity.PERSONAL
    concerns_children: bool = False


# Lower-case words joined by dots; each word starts with a letter.
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
KEY_MAX_LENGTH = 100

_P, _S, _C = Sensitivity.PERSONAL, Sensitivity.SPECIAL, Sensitivity.CRIMINAL

_BUILTIN: tuple[BuiltinCategory, ...] = (
    BuiltinCategory(
        "identity", "Identity", "Who a person is: names, birth and official identifiers."
    ),
    BuiltinCategory("identity.name", "Name", "Given and family names."),
    BuiltinCategory(
        "identity.date_of_birth",
        "Date of birth",
        "A full or partial date of birth; reveals age and whether a person is a child.",
    ),
    BuiltinCategory(
        "identity.national_id",
        "National ID",
        "Passport, identity-card, social-security or tax numbers (Art. 87: national law may "
        "set conditions).",
    ),
    BuiltinCategory("contact", "Contact details", "How to reach a person."),
    BuiltinCategory("contact.email", "Email address", "Personal or work email addresses."),
    BuiltinCategory("contact.phone", "Phone number", "Landline, mobile and fax numbers."),
    BuiltinCategory("contact.address", "Postal address", "Street, postal code, city and region."),
    BuiltinCategory(
        "demographic", "Demographic", "Where a person lives and which language they use."
    ),
    BuiltinCategory(
        "demographic.country", "Country", "Country of residence; decides the Art. 8 age of consent."
    ),
    BuiltinCategory("demographic.language", "Language", "Preferred language of correspondence."),
    BuiltinCategory("professional", "Professional", "A person's work: role and employer."),
    BuiltinCategory("professional.job_title", "Job title", "Position or role at work."),
    BuiltinCategory("professional.employer", "Employer", "The organisation a person works for."),
    BuiltinCategory(
        "commercial",
        "Commercial relationship",
        "What the business knows from dealing with a person.",
    ),
    BuiltinCategory(
        "commercial.interactions",
        "Interactions and correspondence",
        "Calls, meetings, emails and notes about a person.",
    ),
    BuiltinCategory(
        "commercial.deals",
        "Deals and purchases",
        "Opportunities, amounts and what a person bought.",
    ),
    BuiltinCategory(
        "commercial.profile",
        "Sales profile (stage, source, tags)",
        "Lifecycle stage, source and tags.",
    ),
    BuiltinCategory("financial", "Financial", "Bank and payment data."),
    BuiltinCategory("financial.iban", "Bank account (IBAN)", "International bank account numbers."),
    BuiltinCategory("financial.payment_card", "Payment card", "Card numbers and their details."),
    BuiltinCategory(
        "online", "Online identifiers", "Identifiers a device or account leaves (Recital 30)."
    ),
    BuiltinCategory("online.ip_address", "IP address", "Network addresses of a person's device."),
    BuiltinCategory(
        "online.device_id", "Device or cookie ID", "Device identifiers, cookie and advertising IDs."
    ),
    BuiltinCategory(
        "online.credentials", "Login credentials", "Password hashes, tokens and login times."
    ),
    BuiltinCategory(
        "special",
        "Special categories (Art. 9)",
        "Art. 9(1): processing needs an Art. 9(2) condition besides a lawful basis.",
        _S,
    ),
    BuiltinCategory("special.racial_ethnic_origin", "Racial or ethnic origin", "Art. 9(1).", _S),
    BuiltinCategory(
        "special.political_opinions",
        "Political opinions",
        "Art. 9(1); includes party membership.",
        _S,
    ),
    BuiltinCategory(
        "special.religious_beliefs", "Religious or philosophical beliefs", "Art. 9(1).", _S
    ),
    BuiltinCategory("special.trade_union_membership", "Trade-union membership", "Art. 9(1).", _S),
    BuiltinCategory("special.genetic", "Genetic data", "Art. 4(13), Art. 9(1).", _S),
    BuiltinCategory(
        "special.biometric",
        "Biometric data",
        "Art. 4(14): for uniquely identifying a person, Art. 9(1).",
        _S,
    ),
    BuiltinCategory(
        "special.health",
        "Health",
        "Art. 4(15): physical or mental health, including care received, Art. 9(1).",
        _S,
    ),
    BuiltinCategory(
        "special.sex_life_orientation", "Sex life or sexual orientation", "Art. 9(1).", _S
    ),
    BuiltinCategory(
        "criminal",
        "Criminal convictions and offences (Art. 10)",
        "Only under official authority or where law authorises it.",
        _C,
    ),
    BuiltinCategory(
        "children",
        "Children's data (Art. 8)",
        "Data about a child, or revealing that a person is one: consent needs a holder of "
        "parental responsibility.",
        concerns_children=True,
    ),
    BuiltinCategory(
        "free_text",
        "Free text",
        "Notes and bodies that may hold any category; scanned for what they hold.",
    ),
    BuiltinCategory(
        "custom",
        "Custom fields",
        "The container of custom fields; each custom field has its own category.",
    ),
    BuiltinCategory("audit", "Audit trail", "Who did what and when, with the old and new values."),
    BuiltinCategory(
        "consent",
        "Consent records",
        "A person's choices about the processing of their data, with the evidence of each.",
    ),
    BuiltinCategory(
        "rights",
        "Rights requests",
        "Requests, restrictions and objections a person made under their GDPR rights.",
    ),
)

BUILTIN_CATEGORIES: dict[str, BuiltinCategory] = {c.key: c for c in _BUILTIN}

# Keys that describe Steward's own record-keeping rather than what a field about a person
# holds: "custom" is the container each custom field's own category replaces, "audit" the
# trail, "consent" and "rights" the evidence of a person's choices and requests. A custom
# field cannot be classified under them.
RECORD_KEEPING_KEYS = frozenset({"custom", "audit", "consent", "rights"})


def is_builtin(key: str) -> bool:
    return key in BUILTIN_CATEGORIES


def parent_of(key: str) -> str:
    """The parent's key; "" for a top-level category."""
    return key.rpartition(".")[0]


def ancestors(key: str) -> list[str]:
    """The keys above `key`, nearest first: "a.b.c" -> ["a.b", "a"]."""
    found = []
    while key := parent_of(key):
        found.append(key)
    return found


def category_covers(parent_key: str, key: str) -> bool:
    """Whether a rule about `parent_key` applies to `key`: the same category or one inside
    it. By whole words: "contact" covers "contact.email", not "contacts"."""
    return key == parent_key or key.startswith(parent_key + ".")


def sensitivity_at_least(sensitivity: str, floor: str) -> bool:
    """Whether `sensitivity` is no lower than `floor`. Special and criminal are both above
    personal and are different regimes: neither satisfies the other."""
    return sensitivity == floor or floor == Sensitivity.PERSONAL
