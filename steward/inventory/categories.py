"""The data-category keys fields are annotated with. Keys are hierarchical: a rule about
"contact" covers "contact.email". The full taxonomy (operator-extensible, with Art. 9/10
sensitivities and detectors) is built on these keys by the data-inventory work."""

from django.db import models


class Sensitivity(models.TextChoices):
    PERSONAL = "personal", "Personal data"
    SPECIAL = "special", "Special category (Art. 9)"
    CRIMINAL = "criminal", "Criminal offences (Art. 10)"


# key -> (label, sensitivity)
CATEGORIES: dict[str, tuple[str, str]] = {
    "identity": ("Identity", Sensitivity.PERSONAL),
    "identity.name": ("Name", Sensitivity.PERSONAL),
    "identity.date_of_birth": ("Date of birth", Sensitivity.PERSONAL),
    "identity.national_id": ("National ID", Sensitivity.PERSONAL),
    "contact": ("Contact details", Sensitivity.PERSONAL),
    "contact.email": ("Email address", Sensitivity.PERSONAL),
    "contact.phone": ("Phone number", Sensitivity.PERSONAL),
    "contact.address": ("Postal address", Sensitivity.PERSONAL),
    "demographic": ("Demographic", Sensitivity.PERSONAL),
    "demographic.language": ("Language", Sensitivity.PERSONAL),
    "demographic.country": ("Country", Sensitivity.PERSONAL),
    "professional": ("Professional", Sensitivity.PERSONAL),
    "professional.job_title": ("Job title", Sensitivity.PERSONAL),
    "professional.employer": ("Employer", Sensitivity.PERSONAL),
    "commercial": ("Commercial relationship", Sensitivity.PERSONAL),
    "commercial.interactions": ("Interactions and correspondence", Sensitivity.PERSONAL),
    "commercial.deals": ("Deals and purchases", Sensitivity.PERSONAL),
    "commercial.profile": ("Sales profile (stage, source, tags)", Sensitivity.PERSONAL),
    "financial": ("Financial", Sensitivity.PERSONAL),
    "financial.iban": ("Bank account (IBAN)", Sensitivity.PERSONAL),
    "financial.payment_card": ("Payment card", Sensitivity.PERSONAL),
    "online": ("Online identifiers", Sensitivity.PERSONAL),
    "online.ip_address": ("IP address", Sensitivity.PERSONAL),
    "online.device_id": ("Device or cookie ID", Sensitivity.PERSONAL),
    "online.credentials": ("Login credentials", Sensitivity.PERSONAL),
    "free_text": ("Free text (may hold any category)", Sensitivity.PERSONAL),
    "custom": ("Custom fields (categorised per field)", Sensitivity.PERSONAL),
    "audit": ("Audit trail (who did what)", Sensitivity.PERSONAL),
    "children": ("Children's data (Art. 8)", Sensitivity.PERSONAL),
}


def is_known(key: str) -> bool:
    return key in CATEGORIES


def label_of(key: str) -> str:
    return CATEGORIES[key][0]
