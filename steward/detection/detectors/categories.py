"""The detection categories: what a detector can find in free text, and the data-taxonomy key
each one stands for (steward.inventory's hierarchy), so a finding feeds the data map directly."""

DETECTION_CATEGORIES: tuple[str, ...] = (
    "email",
    "phone",
    "iban",
    "credit_card",
    "national_id",
    "address",
    "person",
    "dob",
    "ip_address",
    "health",
    "religion",
    "ethnicity",
    "politics",
    "trade_union",
    "sexual_orientation",
    "child",
)

TAXONOMY_KEY: dict[str, str] = {
    "email": "contact.email",
    "phone": "contact.phone",
    "iban": "financial.iban",
    "credit_card": "financial.payment_card",
    "national_id": "identity.national_id",
    "address": "contact.address",
    "person": "identity.name",
    "dob": "identity.date_of_birth",
    "ip_address": "online.ip_address",
    "health": "special.health",
    "religion": "special.religious_beliefs",
    "ethnicity": "special.racial_ethnic_origin",
    "politics": "special.political_opinions",
    "trade_union": "special.trade_union_membership",
    "sexual_orientation": "special.sex_life_orientation",
    "child": "children",
}

# Art. 9(1) GDPR: processing these needs an Art. 9(2) condition, not only an Art. 6 basis.
SPECIAL_CATEGORIES: frozenset[str] = frozenset(
    {"health", "religion", "ethnicity", "politics", "trade_union", "sexual_orientation"}
)

# Identifiers found by their shape (and checksum where one exists), as opposed to the
# keyword lexicons of the special categories and children.
PATTERN_CATEGORIES: frozenset[str] = frozenset(
    {"email", "phone", "iban", "credit_card", "national_id", "address", "person", "dob",
     "ip_address"}
)  # fmt: skip


def is_special(category: str) -> bool:
    """True for the Art. 9 special categories of personal data."""
    return category in SPECIAL_CATEGORIES
